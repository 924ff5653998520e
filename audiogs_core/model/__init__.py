"""The AudioGS representation (DESIGN.md §4): Audio Gaussians and their renderer.

Modules: ``gaussians`` (the learnable parameters, the reverberant tail),
``flags`` (switches of the representation), ``render`` (differentiable
rendering to a binaural spectrogram), ``sh`` (real spherical harmonics),
``head_itd`` (spherical-head ITD), ``rotation`` (quaternions in torch).
"""
