"""Training: the trainer, its Keras callbacks, learning-rate schedules, the tf.data pipeline,
losses.

The trainer writes only into its run folder (``clfcore.runs``): live progress and history through
Keras callbacks, the test figures and the final status when training ends.
"""
