"""Head models of the direct sound: each ear's level and the interaural time difference.

The split field's direct part (``model/direct.py``) asks a head model, for a
source direction in the head frame, what each ear hears of it. The extension
point is :class:`HeadModel`; :class:`SphereHead` is the analytic rigid sphere
(Brown-Duda shadow filter for the level, the Kuhn/Woodworth ITD of
``head_itd.py`` for the time), the same physics as the simulator's ``sphere``
ears but written in torch and evaluated at the STFT's bins. :class:`MeasuredHead` is
any HRIR bank of ``sim/hrtf.py`` (KEMAR, a SOFA file) as magnitudes plus a broadband
ITD; :func:`head_model` builds either from the name a user gives (``render --hrtf``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.errors import AudioGSError
from audiogs_core.model.head_itd import signed_itd

if TYPE_CHECKING:
    from audiogs_core.sim.hrtf import HrirBank

SHADOW_ALPHA_MIN = 0.1  # Brown-Duda: the shadowed ear's high-frequency gain floor (-20 dB)
SHADOW_BETA_MIN_DEG = 150.0  # and the angle from the ear axis where it is reached


class HeadModel:
    """What each ear hears of a plane wave from a head-frame direction."""

    name = "head"

    def ears(self, v_head: torch.Tensor, freqs_hz: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(gain_l, gain_r, tau), each [..., F], for head-frame vectors ``v_head`` [..., 3] towards
        the source (+X the right ear): linear magnitude per ear and the signed ITD in seconds
        (positive: the right ear leads)."""
        raise NotImplementedError


def shadow_magnitude(cos_beta: torch.Tensor, freqs_hz: torch.Tensor, head_radius: float,
                     speed_of_sound: float) -> torch.Tensor:
    """|H| [..., F] of the Brown-Duda one-pole one-zero shadow filter of a rigid sphere.

    cos_beta [...]: cosine of the angle between the source direction and the ear's outward axis.
    H = (1 + j alpha w / (2 w0)) / (1 + j w / (2 w0)), w0 = c / a,
    alpha = (1 + amin/2) + (1 - amin/2) cos(beta / beta_min * pi): +6 dB at high frequencies
    for the ear facing the source, down to amin (-20 dB) in its shadow, 0 dB at low frequencies.
    """
    beta = torch.acos(cos_beta.clamp(-1.0, 1.0))
    amin, bmin = SHADOW_ALPHA_MIN, math.radians(SHADOW_BETA_MIN_DEG)
    alpha = (1 + amin / 2) + (1 - amin / 2) * torch.cos(beta / bmin * math.pi)
    x = (2 * math.pi * freqs_hz / (2 * speed_of_sound / head_radius)).to(cos_beta.dtype)  # w / (2 w0)
    x2 = x * x
    return torch.sqrt((1 + (alpha.unsqueeze(-1) ** 2) * x2) / (1 + x2))


class SphereHead(HeadModel):
    """The analytic rigid sphere of radius ``head_radius``: shadow filter and spherical-head ITD."""

    name = "sphere"

    def __init__(self, head_radius: float, speed_of_sound: float) -> None:
        self.head_radius = head_radius
        self.speed_of_sound = speed_of_sound

    def ears(self, v_head: torch.Tensor, freqs_hz: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        lateral = v_head[..., 0] / v_head.norm(dim=-1).clamp_min(1e-9)  # cos of the angle to the right ear axis
        a, c = self.head_radius, self.speed_of_sound
        gain_r = shadow_magnitude(lateral, freqs_hz, a, c)
        gain_l = shadow_magnitude(-lateral, freqs_hz, a, c)
        tau = signed_itd(v_head.unsqueeze(-2), freqs_hz, a, c)  # [..., F]
        return gain_l, gain_r, tau


# --------------------------------------------------------------------------- measured HRTFs

ITD_LOWPASS_HZ = 1500.0  # the broadband ITD is read below this (where the ITD is a delay, not a pinna phase)
ITD_MAX_S = 1.5e-3  # the cross-correlation peak is searched within +-1.5 ms (a human ITD is at most ~0.8 ms)
ITD_UPSAMPLE = 8  # the cross-correlation is interpolated 8x (band-limited) before the parabolic refinement
ITD_BLOCK = 256  # directions cross-correlated at once
NORM_BAND_HZ = (200.0, 4000.0)  # the frontal direction is 0 dB on average in this band


def _bank_itd(left: np.ndarray, right: np.ndarray, sample_rate: int) -> np.ndarray:
    """Broadband ITD [N] in seconds (positive: the right ear leads) of HRIR pairs [N, L].

    The lag of the maximum of the cross-correlation of the two ears after a zero-phase
    low-pass at ``ITD_LOWPASS_HZ`` (4th-order Butterworth magnitude, applied to both ears),
    interpolated ``ITD_UPSAMPLE`` times by zero-padding the cross-spectrum and refined to a
    fraction of that step by a parabola through the peak and its two neighbours.
    """
    if left.shape[0] > ITD_BLOCK:  # bounded memory for long HRIRs: [block, 8 * 2L] at a time
        return np.concatenate([_bank_itd(left[i:i + ITD_BLOCK], right[i:i + ITD_BLOCK], sample_rate)
                               for i in range(0, left.shape[0], ITD_BLOCK)])
    n_taps = left.shape[1]
    n = 1
    while n < 2 * n_taps:  # no circular wrap of lags up to +-L
        n *= 2
    f = np.fft.rfftfreq(n, d=1.0 / sample_rate)
    lp2 = 1.0 / (1.0 + (f / ITD_LOWPASS_HZ) ** 8)  # |H_lp|^2 of a 4th-order Butterworth: both ears filtered
    cross = np.fft.rfft(left, n, axis=1) * np.conj(np.fft.rfft(right, n, axis=1)) * lp2
    m = n * ITD_UPSAMPLE
    # c[k] = sum_t l[t + k] r[t]: a peak at k > 0 is the left ear lagging, i.e. the right ear leading
    c = np.fft.irfft(cross, m, axis=1) * ITD_UPSAMPLE
    fs_up = sample_rate * ITD_UPSAMPLE
    max_lag = min(int(np.ceil(ITD_MAX_S * fs_up)), m // 2 - 2)
    lags = np.arange(-max_lag, max_lag + 1)
    window = c[:, lags % m]  # [N, 2 max_lag + 1]
    k = np.clip(np.argmax(window, axis=1), 1, window.shape[1] - 2)
    rows = np.arange(window.shape[0])
    y0, y1, y2 = window[rows, k - 1], window[rows, k], window[rows, k + 1]
    denom = y0 - 2.0 * y1 + y2
    safe = np.where(np.abs(denom) > 1e-30, denom, -1.0)
    frac = np.where(np.abs(denom) > 1e-30, 0.5 * (y0 - y2) / safe, 0.0)
    return (lags[k] + np.clip(frac, -0.5, 0.5)) / fs_up


class MeasuredHead(HeadModel):
    """A measured (or simulated) HRIR bank as a minimum-phase-plus-ITD head model.

    Per bank direction: each ear's magnitude |FFT(hrir)| at the STFT bins (the HRIR's phase is
    dropped, as in the usual minimum-phase model) and one broadband ITD estimated once here
    (:func:`_bank_itd`). ``ears`` takes the nearest bank direction of each head-frame vector.

    Level: the learned level ``gain_db`` of a model was calibrated with :class:`SphereHead`,
    which is 0 dB at low frequencies, so every magnitude is divided by one constant that makes
    the frontal direction's (the bank direction nearest the nose) level, averaged in dB over
    both ears and the bins of 200 Hz-4 kHz, 0 dB. Its pinna and ear-canal colouring, its
    interaural level differences and its ITD are kept.

    ``bank``: an ``audiogs_core.sim.hrtf.HrirBank`` at the model's sample rate (``load_hrtf``
    resamples); ``n_fft``: the STFT's (default: the project's STFT at that rate).
    """

    name = "measured"

    def __init__(self, bank: HrirBank, n_fft: int | None = None) -> None:
        from audiogs_core.sim.hrtf import ACOUSTIC_TO_CAMERA

        sr = int(bank.sample_rate)
        n_fft = stft_settings(sr).n_fft if n_fft is None else int(n_fft)
        left, right = np.asarray(bank.left, dtype=np.float64), np.asarray(bank.right, dtype=np.float64)
        dirs = np.asarray(bank.directions, dtype=np.float64)
        if left.ndim != 2 or left.shape != right.shape or dirs.shape != (left.shape[0], 3) or not len(dirs):
            raise AudioGSError(f"HRIR bank {bank.name!r}: directions [N, 3] and HRIRs [N, L] per ear "
                               f"expected, got {dirs.shape}, {left.shape}, {right.shape}")
        self.bank_name = bank.name
        self.sample_rate = sr
        self.n_fft = n_fft
        # |FFT| at the n_fft bins; a longer HRIR is transformed whole and every k-th bin kept
        n_long = n_fft * max(1, -(-left.shape[1] // n_fft))
        step = n_long // n_fft
        mag_l = np.abs(np.fft.rfft(left, n_long, axis=1))[:, ::step]  # [N, n_fft/2 + 1]
        mag_r = np.abs(np.fft.rfft(right, n_long, axis=1))[:, ::step]
        unit = dirs / np.linalg.norm(dirs, axis=1, keepdims=True).clip(1e-12)
        self.directions = unit @ ACOUSTIC_TO_CAMERA.T  # [N, 3] in the head (camera) frame
        front = int(np.argmax(self.directions @ np.array([0.0, 0.0, -1.0])))
        freqs = np.arange(mag_l.shape[1]) * sr / n_fft
        band = (freqs >= NORM_BAND_HZ[0]) & (freqs <= NORM_BAND_HZ[1])
        if not band.any():
            raise AudioGSError(f"HRIR bank {bank.name!r}: no STFT bin in {NORM_BAND_HZ} Hz at {sr} Hz")
        front_db = 20.0 * np.log10(np.concatenate([mag_l[front, band], mag_r[front, band]]).clip(1e-12))
        self.norm_db = -float(front_db.mean())  # added to every magnitude
        scale = 10.0 ** (self.norm_db / 20.0)
        self.mag_left = torch.from_numpy(mag_l * scale).float()  # [N, n_fft/2 + 1]
        self.mag_right = torch.from_numpy(mag_r * scale).float()
        self.itd = torch.from_numpy(_bank_itd(left, right, sr)).float()  # [N] s, positive: right leads
        self._dirs = torch.from_numpy(self.directions).float()
        self._on: dict[torch.device, tuple[torch.Tensor, ...]] = {}

    def _tensors(self, device: torch.device) -> tuple[torch.Tensor, ...]:
        if device not in self._on:
            self._on[device] = tuple(t.to(device) for t in (self._dirs, self.mag_left, self.mag_right, self.itd))
        return self._on[device]

    def nearest(self, v_head: torch.Tensor) -> torch.Tensor:
        """[...] index of the bank direction nearest each head-frame vector [..., 3]."""
        dirs = self._tensors(v_head.device)[0]
        return torch.argmax(v_head.detach().to(dirs.dtype) @ dirs.T, dim=-1)

    def ears(self, v_head: torch.Tensor, freqs_hz: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        _, mag_l, mag_r, itd = self._tensors(v_head.device)
        bins = torch.round(freqs_hz.detach().to(torch.float64) * self.n_fft / self.sample_rate).long()
        bins = bins.clamp(0, mag_l.shape[1] - 1).to(v_head.device)  # nearest bin; beyond Nyquist: the last
        idx = self.nearest(v_head)
        gain_l = mag_l[:, bins][idx].to(v_head.dtype)  # [..., F]
        gain_r = mag_r[:, bins][idx].to(v_head.dtype)
        tau = itd[idx].to(v_head.dtype).unsqueeze(-1).expand(gain_l.shape)
        return gain_l, gain_r, tau


def head_model(kind: str, sample_rate: int, head_radius: float, speed_of_sound: float) -> HeadModel:
    """The head model called ``kind``: ``sphere`` (:class:`SphereHead`), ``kemar`` or a ``.sofa``
    file (:class:`MeasuredHead` of ``audiogs_core.sim.hrtf.load_hrtf`` at ``sample_rate``).

    Raises AudioGSError for an unknown kind, a missing file or a missing optional dependency
    (naming the pip extra that installs it).
    """
    if kind == "sphere":
        return SphereHead(head_radius, speed_of_sound)
    try:
        from audiogs_core.sim.hrtf import load_hrtf

        bank = load_hrtf(kind, int(sample_rate), head_radius)
    except ModuleNotFoundError as exc:
        from audiogs_core.cli import EXTRAS

        top = (exc.name or "").split(".")[0]
        extra = EXTRAS.get(top)
        if extra is None:
            raise
        raise AudioGSError(f"hrtf {kind!r} needs {top}, which is not installed: "
                           f'install the {extra} extra with pip install "audiogs-core[{extra}]"') from exc
    return MeasuredHead(bank, stft_settings(int(sample_rate)).n_fft)
