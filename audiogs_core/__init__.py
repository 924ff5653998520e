"""AudioGS core: spectrogram-based Audio Gaussian Splatting.

Data flows one way: capture -> model -> render -> wav (docs/DESIGN.md §1).
This package never imports Blender modules; its I/O modules (``io``) import
without torch so the Blender extension can read and write files with numpy.

Packages: ``io`` (every file format), ``dsp`` (the STFT), ``model`` (the Audio
Gaussians and their renderer), ``train`` (fitting them), ``sim`` (the room
simulator), ``metrics``, ``baselines``, ``bench`` (the benchmark), ``cli``
(the ``audiogs`` command).  Modules: ``conventions`` (fixed constants and
STFT settings), ``geometry`` (poses in numpy), ``device`` (torch device
choice), ``errors`` (the user-facing error), ``renderer`` (model folder ->
binaural waveform).
"""

__version__ = "0.1.0"
