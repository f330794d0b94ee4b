"""Datasets: where images come from, how they are split, the task each dataset poses, augmentation.

The lowest layer above ``clfcore.errors`` / ``clfcore.paths`` / ``clfcore.i18n``: it knows nothing
of models, runs or training. ``datasets`` is the registry every other layer asks.
"""
