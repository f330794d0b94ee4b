"""The output heads of a hierarchical model: one shared body, a coarse and a fine softmax.

See ``clfcore.data.hierarchy`` for the datasets and their coarse-to-fine mappings.
"""

from __future__ import annotations


def head_specs(coarse_classes: int, fine_classes: int) -> list[dict]:
    """The two output layers, both on the shared body's features: coarse softmax, fine softmax."""
    return [
        {
            "type": "dense",
            "units": coarse_classes,
            "activation": "softmax",
            "name": "coarse",
            "head": True,
        },
        {
            "type": "dense",
            "units": fine_classes,
            "activation": "softmax",
            "name": "fine",
            "head": True,
        },
    ]
