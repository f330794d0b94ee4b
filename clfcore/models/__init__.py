"""Models: the course's architectures, custom layer stacks, transfer-learning backbones, output
heads.

Each builder returns a ``keras.Model``; importing these modules does not import Keras.
"""
