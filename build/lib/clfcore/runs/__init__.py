"""Run folders: one folder per training run under the runs root, and how to list and read them.

``folder`` writes and reads a run's files, ``liveness`` notices runs whose process died,
``listing`` summarises the runs root for the pages.
"""
