"""AudioGS core: spectrogram-based Audio Gaussian Splatting.

Data flows one way: capture -> model -> render -> wav.  This package never
imports Blender modules; its I/O modules (``audiogs_core.io``) import without
torch so the Blender extension can read model folders with numpy alone.
"""

__version__ = "0.1.0"
