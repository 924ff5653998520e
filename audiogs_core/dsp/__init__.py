"""Signal processing: ``stft``, the project's STFT in torch (DESIGN.md §2), ``phasor``
(complex numbers from magnitude and phase) and
``pose_crossfade`` (numpy), a moving listener as a crossfade of standing ones at pose knots
(the simulator's ground truth along a path and the baselines that cannot move share it).
"""
