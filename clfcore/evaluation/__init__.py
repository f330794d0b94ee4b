"""Evaluation: a run's test-set predictions (cached per model) and every metric, curve and
reading."""
