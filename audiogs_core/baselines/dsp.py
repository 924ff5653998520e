"""Baseline ``dsp``: direct path to each ear over a rigid spherical head.

Design page, section 8. For every known source the reference is delayed and
attenuated along the path from the source to each ear, relative to the path
from the source to the reference mic, and filtered by the Brown-Duda
head-shadow model; the rendered sources are summed. Everything is applied in
the frequency domain, so delays are exact fractional delays.

Path to an ear on a sphere of radius a (centre at distance d from the
source, gamma = angle between the ear's outward axis and the source
direction): a straight line while the ear sees the source
(cos gamma >= a/d), otherwise the tangent line plus the arc around the head
to the ear. In the far field this gives exactly Woodworth's ITD
a/c·(theta + sin theta), and in the near field the correct straight-line
path, so the ITD and the propagation delay come from one consistent model
instead of adding a Woodworth term on top of ear-to-source distances (which
would count the interaural difference twice).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sp_fft

from audiogs_core.baselines.inputs import BaselineInputs, check_pose
from audiogs_core.conventions import MIN_DISTANCE, SPEED_OF_SOUND
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.sim.hrtf import brown_duda_response

NAME = "dsp"

# Distance assumed between source and reference when the reference pose is unknown.
UNKNOWN_REFERENCE_DISTANCE = 1.0
# Extra zero padding (samples) so the head-shadow filter's short tail cannot wrap.
_TAIL_PAD = 256


def ear_path_lengths(source: np.ndarray, position: np.ndarray, right_axis: np.ndarray,
                     head_radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Path lengths [2] (left, right) from ``source`` [3] to the ears, and the angles [2].

    ``right_axis`` [3] is the head's +X (right ear) direction in the world.
    The angles (radians, 0..pi) are between each ear's outward axis and the
    direction from the head centre to the source.
    """
    a = head_radius
    offset = np.asarray(source, dtype=np.float64) - position
    distance = max(float(np.linalg.norm(offset)), MIN_DISTANCE)
    direction = offset / max(float(np.linalg.norm(offset)), 1e-12)
    ear_axes = np.stack([-right_axis, right_axis])  # [2, 3]: left, right
    cos_gamma = np.clip(ear_axes @ direction, -1.0, 1.0)
    gamma = np.arccos(cos_gamma)
    straight = np.sqrt(np.maximum(distance**2 + a**2 - 2 * a * distance * cos_gamma, 0.0))
    if distance <= a:  # source inside the head: no shadow geometry to speak of
        return np.maximum(straight, MIN_DISTANCE), gamma
    horizon = math.acos(a / distance)  # ear angle where the source sinks below the horizon
    wrapped = math.sqrt(distance**2 - a**2) + a * (gamma - horizon)
    return np.where(gamma <= horizon, straight, wrapped), gamma


def predict(inputs: BaselineInputs, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: the reference rendered along each source's direct path to each ear."""
    pos, rot = check_pose(position, rotation)  # refuses a zero quaternion
    if inputs.sources.shape[0] == 0:
        raise AudioGSError(
            "baseline dsp needs at least one known source position ('sources'), got none"
        )
    right_axis = quat_to_matrix(rot)[:, 0]  # head +X = right ear, in world coordinates
    sr = inputs.sample_rate
    n_samples = inputs.n_samples

    # One set of (path, angle, reference distance) per source.
    geometry = []
    for source in inputs.sources:
        paths, gammas = ear_path_lengths(source, pos, right_axis, inputs.head_radius)
        if inputs.reference_position is None:
            ref_distance = UNKNOWN_REFERENCE_DISTANCE
        else:
            ref_distance = max(float(np.linalg.norm(source - inputs.reference_position)), MIN_DISTANCE)
        geometry.append((paths, gammas, ref_distance))

    # Zero padding at least as long as the largest shift, so circular shifts
    # (delays and advances) only move samples into or out of the padding.
    max_shift = max(float(np.max(np.abs(p - r))) for p, _, r in geometry) / SPEED_OF_SOUND * sr
    n_fft = sp_fft.next_fast_len(n_samples + int(math.ceil(max_shift)) + _TAIL_PAD, real=True)
    spectrum = sp_fft.rfft(inputs.mono_reference().astype(np.float64), n=n_fft)
    freqs = sp_fft.rfftfreq(n_fft, d=1.0 / sr)

    transfer = np.zeros((2, freqs.size), dtype=np.complex128)
    for paths, gammas, ref_distance in geometry:
        # Brown-Duda head shadow [2, F], the same model as the simulator's spherical head.
        shadow = brown_duda_response(np.cos(gammas), freqs, inputs.head_radius)
        for ear in range(2):
            gain = ref_distance / max(float(paths[ear]), MIN_DISTANCE)
            delay = (float(paths[ear]) - ref_distance) / SPEED_OF_SOUND
            transfer[ear] += gain * shadow[ear] * np.exp(-2j * np.pi * freqs * delay)
    out = sp_fft.irfft(spectrum[None, :] * transfer, n=n_fft, axis=-1)[:, :n_samples]
    return out.astype(np.float32)
