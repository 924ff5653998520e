"""Fixed conventions of the project (DESIGN.md §2).

Pure Python: importable without numpy or torch.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEED_OF_SOUND = 343.0  # m/s
HEAD_RADIUS = 0.09  # m
HIGHPASS_HZ = 150.0  # band-pass lower edge of the published protocol
MIN_DISTANCE = 0.1  # m, clamp of every Gaussian-listener distance
WINDOW_SECONDS = 3.0  # training / evaluation window
CELLS_PER_3S = 160  # published time density of the Gaussian grid
BENCH_SAMPLE_RATE = 16000


@dataclass(frozen=True)
class StftSettings:
    """STFT parameters for one sample rate (periodic Hamming, centred)."""

    sample_rate: int
    n_fft: int
    hop: int
    win: int

    @property
    def n_freq(self) -> int:
        return self.n_fft // 2 + 1

    def to_dict(self) -> dict:
        """{n_fft, hop, win} as stored in model.json."""
        return {"n_fft": self.n_fft, "hop": self.hop, "win": self.win}


def stft_settings(sample_rate: int) -> StftSettings:
    """The project's STFT settings at ``sample_rate``.

    16 kHz gives n_fft 512, hop 160, window 400; other rates scale hop and
    window with time (10 ms, 25 ms) and take the next power of two as n_fft.
    """
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    hop = round(0.010 * sample_rate)
    win = round(0.025 * sample_rate)
    n_fft = 1
    while n_fft < win:
        n_fft *= 2
    return StftSettings(sample_rate=int(sample_rate), n_fft=n_fft, hop=hop, win=win)


def time_cells(duration_s: float) -> int:
    """Number of Gaussian time cells K for a recording of ``duration_s``."""
    return max(2, round(CELLS_PER_3S * duration_s / 3.0))
