import sys

from clfcore.cli import main

sys.exit(main())
