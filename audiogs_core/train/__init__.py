"""Training Audio Gaussians on the train views of a capture (DESIGN.md §5).

Modules: ``data`` (training inputs, windows, starting gain), ``loss``,
``settings`` (every training setting), ``presets`` (``published`` and the
default ``tuned``), ``tail_fit`` (where the reverberant tail starts),
``checkpoint`` (atomic checkpoints), ``trainer`` (the loop).
"""
