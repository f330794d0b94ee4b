"""Export: what leaves the app - the runnable Keras script of a configuration."""
