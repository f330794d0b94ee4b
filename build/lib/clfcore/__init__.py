"""clfcore: the reusable core of the clfcore dashboard.

Datasets, models, training and evaluation for image classifiers with Keras 3. Usable from the
Streamlit app, from a notebook, or headless with ``python -m clfcore``. Never imports streamlit,
and importing this package does not import TensorFlow (it takes seconds): modules that need it
import it themselves.
"""

__version__ = "0.1.0"
