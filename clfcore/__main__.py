import sys

from clfcore import tfenv

tfenv.prefer_onednn()  # before the command imports TensorFlow

from clfcore.cli import main  # noqa: E402

sys.exit(main())
