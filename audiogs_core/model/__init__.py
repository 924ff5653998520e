"""The AudioGS representation (DESIGN.md §4): Audio Gaussians and their renderer.

Modules: ``gaussians`` (the learnable parameters, the reverberant tail),
``flags`` (switches of the representation), ``render`` (differentiable
rendering to a binaural spectrogram), ``sh`` (real spherical harmonics),
``head_itd`` (spherical-head ITD), ``rotation`` (quaternions in torch).
The split field (flag ``split_field``, the default preset ``physical``):
``direct`` (the talker's sound posed at each listener: route, distance,
delay, ears), ``early_energy`` (how a binaural reference's direct part, its
first reflections included, falls with distance), ``head_model`` (the sphere and measured HRTFs behind one
interface), ``occlusion`` (line of sight and diffraction round the room's
corners, numpy), ``reflections`` (the talker's first reflections off the
room's faces as image sources, numpy; flag ``early_reflections``), ``diffuse`` (the room as a decorrelated stochastic
reverberation, and its fall with distance), ``dereverb`` (a binaural
reference split into its direct sound and its own room; the views'
recorded room read with it) and ``split_field`` (the parts together).
"""
