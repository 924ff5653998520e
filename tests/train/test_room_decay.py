"""The room's decay read blind from a recording made in it (train/room_decay.py)."""

import math

import numpy as np
import pytest

from audiogs_core.conventions import stft_settings
from audiogs_core.train.room_decay import band_rt60, blind_decay_tau

SR = 16000


def _bursts_in_a_room(rt60: float, seconds: float = 6.0) -> np.ndarray:
    """[2, T] noise bursts (0.3 s on, 0.5 s off) through an exponentially decaying noise response."""
    rng = np.random.default_rng(5)
    t = np.arange(int(seconds * SR)) / SR
    dry = rng.standard_normal(len(t)) * ((t % 0.8) < 0.3)
    tau = rt60 / (3 * math.log(10))
    h = rng.standard_normal((2, int(1.5 * rt60 * SR))) * np.exp(-np.arange(int(1.5 * rt60 * SR)) / SR / tau)
    n = 1 << (len(t) + h.shape[1]).bit_length()
    return np.fft.irfft(np.fft.rfft(dry, n) * np.fft.rfft(h, n), n)[:, : len(t)].astype(np.float32)


@pytest.mark.parametrize("rt60", [0.4, 0.8])
def test_the_decay_after_sound_stops_gives_the_rooms_rt60(rt60):
    tau = blind_decay_tau(_bursts_in_a_room(rt60), stft_settings(SR))
    read = tau * 3 * math.log(10)
    assert np.all(np.abs(read[10:] / rt60 - 1.0) < 0.25)  # every band from 300 Hz within 25%


def test_a_band_with_no_decay_to_read_falls_back_to_the_default():
    assert band_rt60(np.zeros(20), 0.01) == pytest.approx(0.5)  # too short
    rising = np.linspace(-40.0, 0.0, 600)  # never decays
    assert band_rt60(rising, 0.01) == pytest.approx(3.0)
