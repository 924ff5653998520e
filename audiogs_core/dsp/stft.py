"""The project's STFT / inverse STFT (DESIGN.md §2), in torch.

Periodic Hamming window of ``win`` samples, zero-padded and centred inside an
``n_fft`` frame (what ``torch.stft`` does when win_length < n_fft),
``center=True`` with zero padding.  Frame n is centred at sample n * hop.
"""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.conventions import StftSettings

_WINDOWS: dict[tuple, torch.Tensor] = {}


def window(settings: StftSettings, device=None, dtype=torch.float32) -> torch.Tensor:
    """[win] periodic Hamming window, cached per device and dtype."""
    key = (settings.win, str(device), dtype)
    if key not in _WINDOWS:
        _WINDOWS[key] = torch.hamming_window(settings.win, periodic=True, device=device, dtype=dtype)
    return _WINDOWS[key]


def stft(x: torch.Tensor, settings: StftSettings) -> torch.Tensor:
    """[..., T] real -> [..., F, N] complex, N = T // hop + 1."""
    shape = x.shape
    flat = x.reshape(-1, shape[-1])
    spec = torch.stft(
        flat,
        n_fft=settings.n_fft,
        hop_length=settings.hop,
        win_length=settings.win,
        window=window(settings, x.device, x.dtype),
        center=True,
        pad_mode="constant",
        return_complex=True,
    )
    return spec.reshape(*shape[:-1], *spec.shape[-2:])


def istft(spec: torch.Tensor, settings: StftSettings, length: int) -> torch.Tensor:
    """[..., F, N] complex -> [..., length] real (inverse of :func:`stft`).

    torch.istft's values (least-squares overlap-add of the windowed frames, divided by the
    summed squared window) by :class:`OverlapAdd`, about twice as fast on the CPU.  A
    spectrogram stored frame-major (a transposed [..., N, F] tensor) is read without a copy.
    """
    shape = spec.shape
    ola = OverlapAdd(settings, shape[-1], length, spec.reshape(-1, *shape[-2:]).shape[0], spec.device,
                     torch.float64 if spec.dtype == torch.complex128 else torch.float32)
    ola.add(spec.reshape(-1, *shape[-2:]).transpose(-1, -2), 0)
    return ola.result().reshape(*shape[:-2], length)


class OverlapAdd:
    """The inverse STFT built frame block by frame block: ``add`` the frames [B, M, F]
    (frame-major) starting at frame ``first``, in any order, then ``result()`` [B, length].

    Only the ``win`` windowed samples of each frame are overlap-added, as ceil(win / hop)
    hop-long pieces into hop-long output blocks; a renderer adds each chunk as it is made,
    so no spectrogram of the whole span is ever held (nor its large temporaries allocated).
    """

    def __init__(self, settings: StftSettings, n_frames: int, length: int, batch: int, device, dtype) -> None:
        self.settings, self.n_frames, self.length = settings, n_frames, length
        self.parts = -(-settings.win // settings.hop)
        self.left = (settings.n_fft - settings.win) // 2  # torch.stft centres the window in the frame
        self.window = window(settings, device, dtype)
        self.blocks = torch.zeros(batch, n_frames + self.parts - 1, settings.hop, device=device, dtype=dtype)

    def add(self, frames: torch.Tensor, first: int) -> None:
        s = self.settings
        m = frames.shape[-2]
        wave = torch.fft.irfft(frames, s.n_fft)[..., self.left:self.left + s.win] * self.window  # [B, M, win]
        for j in range(self.parts):  # frame k's j-th hop-long piece lands in block k + j
            piece = wave[..., j * s.hop:(j + 1) * s.hop]
            self.blocks[:, first + j:first + j + m, :piece.shape[-1]] += piece

    def result(self) -> torch.Tensor:
        s = self.settings
        # Block 0 starts at frame 0's first windowed sample, n_fft / 2 - left samples before t = 0.
        start = s.n_fft // 2 - self.left
        out = self.blocks.reshape(self.blocks.shape[0], -1)[:, start:start + self.length]
        envelope = _envelope(s, self.n_frames, self.blocks.device, self.blocks.dtype)[start:start + self.length]
        if out.shape[-1] < self.length:  # asked for more than the frames cover: zeros, as torch.istft
            out = torch.nn.functional.pad(out, (0, self.length - out.shape[-1]))
            envelope = torch.nn.functional.pad(envelope, (0, self.length - envelope.shape[-1]), value=1.0)
        return out / envelope


_ENVELOPES: dict[tuple, torch.Tensor] = {}


def _envelope(settings: StftSettings, n: int, device, dtype) -> torch.Tensor:
    """[(n + parts - 1) * hop] summed squared window of ``n`` frames, block-aligned as in
    :class:`OverlapAdd` (values under 1e-11 set to 1: no frame covers those samples); cached."""
    key = (settings, n, str(device), dtype)
    if key not in _ENVELOPES:
        hop, win = settings.hop, settings.win
        parts = -(-win // hop)
        w2 = torch.nn.functional.pad(window(settings, device, dtype) ** 2, (0, parts * hop - win)).reshape(parts, hop)
        env = torch.zeros(n + parts - 1, hop, device=device, dtype=dtype)
        for j in range(parts):
            env[j:j + n] += w2[j]
        env = env.reshape(-1)
        if len(_ENVELOPES) > 64:
            _ENVELOPES.clear()
        _ENVELOPES[key] = torch.where(env > 1e-11, env, torch.ones_like(env))
    return _ENVELOPES[key]


def n_frames(n_samples: int, settings: StftSettings) -> int:
    """STFT frames of a signal of ``n_samples`` (``center=True``)."""
    return n_samples // settings.hop + 1


def frame_times(n: int, settings: StftSettings, start_s: float = 0.0) -> torch.Tensor:
    """[n] float64 times (s) of frame centres, for a signal starting at start_s."""
    return start_s + torch.arange(n, dtype=torch.float64) * (settings.hop / settings.sample_rate)


def bin_frequencies(settings: StftSettings) -> torch.Tensor:
    """[F] bin centre frequencies in Hz."""
    return torch.arange(settings.n_freq, dtype=torch.float64) * (settings.sample_rate / settings.n_fft)


def history_spec(reference: np.ndarray, start: int, frames: int, settings: StftSettings) -> torch.Tensor:
    """[C, F, frames] STFT frames at start - frames*hop ... start - hop (zeros before t = 0)."""
    span = frames * settings.hop
    seg = np.zeros((reference.shape[0], span), dtype=np.float32)
    lo = max(0, start - span)
    if start > lo:
        seg[:, span - (start - lo):] = reference[:, lo:start]
    return stft(torch.from_numpy(seg), settings)[..., :frames]


def band_of_bins(freqs_hz: np.ndarray, centres_hz) -> np.ndarray:
    """[F] index of the band of ``centres_hz`` (octave bands, say) nearest each bin in log frequency."""
    centres = np.log2(np.asarray(centres_hz, dtype=np.float64))
    return np.argmin(np.abs(np.log2(np.maximum(freqs_hz, 1.0))[:, None] - centres[None, :]), axis=1)
