import numpy as np
import pytest

from audiogs_core.metrics import evaluate
from audiogs_core.metrics.itd import gcc_phat_lag, itd, itde

SR = 16000


def _binaural(delay_left_s: float, delay_right_s: float, seconds: float = 2.0,
              seed: int = 7) -> np.ndarray:
    """Noise with a (fractional) delay per ear, applied in the frequency domain."""
    n = int(seconds * SR)
    x = np.random.default_rng(seed).standard_normal(n) * 0.1
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1 / SR)
    ears = [np.fft.irfft(spec * np.exp(-2j * np.pi * f * d), n)
            for d in (delay_left_s, delay_right_s)]
    return np.stack(ears)


def test_sign_and_value_of_a_fractional_delay():
    right_late = _binaural(0.0, 0.3e-3)  # the left ear leads
    left_late = _binaural(0.3e-3, 0.0)  # the right ear leads: positive
    assert itd(right_late, SR) == pytest.approx(-0.3e-3, abs=0.01e-3)
    assert itd(left_late, SR) == pytest.approx(0.3e-3, abs=0.01e-3)
    assert gcc_phat_lag(left_late[0], left_late[1], SR) == pytest.approx(0.3e-3, abs=0.01e-3)


def test_resolves_a_tenth_of_a_millisecond():
    a, b = _binaural(0.0, 0.0), _binaural(0.1e-3, 0.0)
    assert itde(b, a, SR) == pytest.approx(0.1, abs=0.01)


def test_itde_through_evaluate():
    p = _binaural(0.0, 0.3e-3)
    g = _binaural(0.0, 0.0)
    res = evaluate(p, g, SR, metrics=("ITDE",))
    assert res["1s"]["ITDE"] == pytest.approx(0.3, abs=0.02)
    assert "3s" in res and res["3s"] == {}  # 2 s: no full 3 s window
    assert evaluate(g, g, SR, metrics=("ITDE",))["1s"]["ITDE"] == 0.0


def test_silent_subwindows_are_skipped_and_silence_is_zero():
    x = _binaural(0.2e-3, 0.0, seconds=2.0)
    x[:, : SR // 2] = 0.0  # first sub-window silent
    # the last two: 50 dB down with another ITD; counted, they would win the median
    x[:, SR:] = 10 ** (-50 / 20) * _binaural(0.0, 0.8e-3, seconds=2.0, seed=9)[:, SR:]
    assert itd(x, SR) == pytest.approx(0.2e-3, abs=0.01e-3)
    assert itd(np.zeros((2, SR)), SR) == 0.0


def test_lag_is_limited_to_one_millisecond():
    far = _binaural(0.0, 2.5e-3)
    assert abs(itd(far, SR)) <= 1e-3


# --------------------------------------------------------------------------- robust (onset-gated) ITD

from audiogs_core.metrics.itd import robust_itd, robust_itde, segment_itd  # noqa: E402


def _delayed(x: np.ndarray, delay_s: float) -> np.ndarray:
    """``x`` [T] delayed by ``delay_s`` (fractional; circular, in the frequency domain)."""
    f = np.fft.rfftfreq(len(x), 1 / SR)
    return np.fft.irfft(np.fft.rfft(x) * np.exp(-2j * np.pi * f * delay_s), len(x))


def _ears(x: np.ndarray, itd_s: float) -> np.ndarray:
    """[2, T]: ``x`` at both ears with the lag ``itd_s`` (positive: the right ear leads)."""
    if itd_s > 0:
        return np.stack([_delayed(x, itd_s), x])
    return np.stack([x, _delayed(x, -itd_s)])


def _bursts(seconds: float, seed: int = 1) -> np.ndarray:
    """Syllable-like noise bursts [T]: 50 ms on, every 125 ms, from 40 ms (abrupt onsets)."""
    rng = np.random.default_rng(seed)
    s = np.zeros(int(seconds * SR))
    length = int(0.05 * SR)
    for start in np.arange(0.04, seconds - 0.05, 0.125):
        a = int(start * SR)
        s[a:a + length] = rng.standard_normal(length)
    return s


def _room(dry: np.ndarray, direct_itd_s: float, reverb_itd_s: float, reverb_db: float) -> np.ndarray:
    """Direct sound with one lag plus a reverberant part with another.

    The reverberant part is the dry signal through a noise impulse response
    that builds up from 3 ms to 23 ms after the direct sound and decays with a
    20 ms time constant, ``reverb_db`` above the direct sound in energy: as in
    a room, it dominates the energy but not the first milliseconds of an onset.
    """
    t = np.arange(int(0.2 * SR)) / SR
    envelope = np.clip((t - 0.003) / 0.02, 0, 1) * np.exp(-np.maximum(t - 0.023, 0) / 0.02)
    h = np.random.default_rng(3).standard_normal(len(t)) * envelope
    h *= 10 ** (reverb_db / 20) / np.sqrt(np.sum(h ** 2))
    reverb = np.convolve(dry, h)[: len(dry)]
    return _ears(dry, direct_itd_s) + _ears(reverb, reverb_itd_s)


@pytest.mark.parametrize("reverb_itd_s", [0.0, -0.4e-3])
def test_onset_gate_reads_the_direct_sound_where_plain_gcc_reads_the_reverberation(reverb_itd_s):
    x = _room(_bursts(0.5), 0.5e-3, reverb_itd_s, reverb_db=6.0)
    # Plain GCC-PHAT follows the 4x stronger reverberant part ...
    assert gcc_phat_lag(x[0], x[1], SR) == pytest.approx(reverb_itd_s, abs=0.02e-3)
    # ... the onset-gated estimate the direct sound, which leads at every onset.
    assert segment_itd(x, SR) == pytest.approx(0.5e-3, abs=0.02e-3)
    assert robust_itd(x, SR) == pytest.approx(0.5e-3, abs=0.02e-3)


def test_robust_sign_convention():
    dry = _bursts(1.0)
    assert segment_itd(_ears(dry, 0.3e-3)[:, :8000], SR) == pytest.approx(0.3e-3, abs=0.01e-3)
    assert segment_itd(_ears(dry, -0.3e-3)[:, :8000], SR) == pytest.approx(-0.3e-3, abs=0.01e-3)
    assert robust_itd(_ears(dry, -0.6e-3), SR) == pytest.approx(-0.6e-3, abs=0.01e-3)


def test_no_cue_gives_nan():
    assert np.isnan(segment_itd(np.zeros((2, 8000)), SR))
    assert np.isnan(robust_itd(np.zeros((2, 2 * SR)), SR))
    # A steady tone never rises above its own past: no onset passes the gate.
    tone = np.sin(2 * np.pi * 1000 * np.arange(8000) / SR)
    assert np.isnan(segment_itd(np.stack([tone, tone]), SR))
    # Shorter than one 8 ms frame.
    assert np.isnan(segment_itd(np.ones((2, 50)), SR))
    x = _ears(_bursts(1.0), 0.2e-3)
    assert np.isnan(robust_itde(np.zeros((2, SR)), x, SR))
    assert np.isnan(robust_itde(x, np.zeros((2, SR)), SR))


def test_robust_itd_is_the_median_of_the_segments():
    # Four 0.5 s windows with lags 0.2, -0.3, 0.2, 0.6 ms, then one silent window.
    lags = [0.2e-3, -0.3e-3, 0.2e-3, 0.6e-3]
    x = np.concatenate([_ears(_bursts(0.5, seed=k), lag) for k, lag in enumerate(lags)]
                       + [np.zeros((2, SR // 2))], axis=1)
    parts = [segment_itd(x[:, k * 8000:(k + 1) * 8000], SR) for k in range(4)]
    assert parts == pytest.approx(lags, abs=0.01e-3)
    assert robust_itd(x, SR) == pytest.approx(float(np.median(parts)), abs=1e-12)  # 0.2 ms
    assert robust_itd(x, SR) == pytest.approx(0.2e-3, abs=0.01e-3)


def test_robust_itde_in_milliseconds():
    p, g = _ears(_bursts(1.0), 0.3e-3), _ears(_bursts(1.0, seed=2), -0.2e-3)
    assert robust_itde(p, g, SR) == pytest.approx(0.5, abs=0.02)
    assert robust_itde(g, g, SR) == 0.0


def test_segment_itd_refuses_a_mono_signal():
    with pytest.raises(ValueError, match=r"\[2, n\]"):
        segment_itd(np.zeros(8000), SR)
