"""Training: the trainer, its Keras callbacks, learning-rate schedules, the tf.data pipeline,
losses.

The trainer writes only into its run folder (``clfcore.runs``), and only through callbacks.
"""
