"""Simulated reverberant clips with known RT60, to train and test the blind estimator.

Random shoebox rooms from pyroomacoustics (image sources of order 3 plus ray
tracing, so that the late tail is complete even for long RT60), a target RT60
drawn uniformly from 0.2 to 1.2 s, and dry signals convolved with the room
impulse response (RIR). The label is the RT60 *measured* on the RIR (T30,
extrapolated to 60 dB), not the Sabine target, because the simulated tail
does not follow Sabine exactly.

Dry signals are espeak-ng speech when the program is installed, and
procedural noise bursts (always available). Clips are high-passed at 150 Hz,
as the metrics' signals are.
"""

from __future__ import annotations

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics.highpass import highpass

SR = 16000
RT60_RANGE = (0.2, 1.2)

_TEXTS = (
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "A large room with hard walls keeps the sound alive for a long time.",
    "Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack.",
    "We also need a small plastic snake and a big toy frog for the kids.",
    "She can scoop these things into three red bags, and we will go meet her Wednesday.",
    "Listening to music in a concert hall is different from listening at home.",
    "The weather today is cold and windy, with a chance of rain in the evening.",
    "Numbers like seven hundred and forty two are hard to hear in an echoing hall.",
    "Good morning, everyone. Let us begin the meeting with a short summary.",
)
_VOICES = ("en", "en-us", "en+f3", "en+m3", "en-gb-scotland", "en+f2", "de", "fr")


def espeak_speech(text: str, voice: str = "en", speed: int = 160) -> np.ndarray | None:
    """Speech from espeak-ng at 16 kHz, float64 [T]; None when espeak-ng is absent or fails."""
    from audiogs_core.io.audio import resample
    from audiogs_core.sim.dry import espeak_wav

    try:
        speech, rate = espeak_wav(text, voice, speed, timeout=60)
    except AudioGSError:
        return None
    return resample(speech, rate, SR, dtype=np.float64)


def speech_pool(rng: np.random.Generator, n_utterances: int = 16) -> np.ndarray | None:
    """A long dry speech signal [T] of random utterances separated by short pauses."""
    parts = []
    for _ in range(n_utterances):
        x = espeak_speech(str(rng.choice(_TEXTS)), str(rng.choice(_VOICES)),
                          int(rng.integers(130, 200)))
        if x is None:
            return None
        x = x / (np.max(np.abs(x)) + 1e-12)
        parts += [x, np.zeros(int(rng.uniform(0.05, 0.6) * SR))]
    return np.concatenate(parts)


def noise_bursts(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Dry bursts of coloured noise (50-500 ms) separated by silences (50-700 ms), [T]."""
    n = int(seconds * SR)
    out = np.zeros(n)
    pos = int(rng.uniform(0.0, 0.3) * SR)
    while pos < n:
        length = int(rng.uniform(0.05, 0.5) * SR)
        burst = rng.standard_normal(length)
        # random spectral tilt: a one-pole low-pass of random strength
        a = rng.uniform(0.0, 0.95)
        from scipy.signal import lfilter

        burst = lfilter([1 - a], [1, -a], burst)
        burst *= np.hanning(length) ** 0.25 * rng.uniform(0.2, 1.0) / (np.std(burst) + 1e-12)
        end = min(n, pos + length)
        out[pos:end] += burst[: end - pos]
        pos = end + int(rng.uniform(0.05, 0.7) * SR)
    return out


def random_rir(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """A RIR [T] of a random shoebox room and its measured RT60 (T30) in seconds."""
    import pyroomacoustics as pra
    from pyroomacoustics.experimental import measure_rt60

    dims = np.array([rng.uniform(3.0, 12.0), rng.uniform(3.0, 9.0), rng.uniform(2.4, 4.5)])
    target = rng.uniform(*RT60_RANGE)
    absorption, _ = pra.inverse_sabine(target, dims)
    absorption = float(np.clip(absorption, 0.01, 0.99))
    room = pra.ShoeBox(dims, fs=SR, materials=pra.Material(absorption,
                                                           float(rng.uniform(0.1, 0.7))),
                       max_order=3, ray_tracing=True, air_absorption=False)
    room.set_ray_tracing(receiver_radius=0.5, n_rays=2000, energy_thres=1e-7,
                         time_thres=1.5 * target + 0.2)

    def inside() -> np.ndarray:
        return np.array([rng.uniform(0.5, d - 0.5) for d in dims])

    src, mic = inside(), inside()
    room.add_source(src)
    room.add_microphone(mic)
    room.compute_rir()
    rir = np.asarray(room.rir[0][0], dtype=np.float64)
    return rir, float(measure_rt60(rir, SR, decay_db=30))


def reverberant_clip(rng: np.random.Generator, dry: np.ndarray, rir: np.ndarray,
                     seconds: float = 3.0) -> np.ndarray:
    """``seconds`` of ``dry`` [T] convolved with ``rir``, taken after a 1 s lead-in
    so the clip starts in steady state (as a window of a long recording does);
    random level, a faint noise floor, high-passed; [seconds*SR] float32."""
    from scipy.signal import fftconvolve

    n, lead = int(seconds * SR), SR
    need = n + lead
    if len(dry) < need:
        dry = np.concatenate([dry, np.zeros(need - len(dry))])
    start = int(rng.integers(0, len(dry) - need + 1))
    wet = fftconvolve(dry[start:start + need], rir)[lead:lead + n]
    wet = wet / (np.std(wet) + 1e-12) * 10 ** rng.uniform(-2.5, -0.5)
    wet = wet + rng.standard_normal(n) * np.std(wet) * 10 ** (rng.uniform(-80, -50) / 20)
    return highpass(wet, SR).astype(np.float32)


def simulate_clips(seed: int, n: int, seconds: float = 3.0,
                   speech_fraction: float = 0.6) -> tuple[np.ndarray, np.ndarray]:
    """``n`` clips [n, seconds*SR] float32 and their RT60 labels [n], from ``seed``."""
    rng = np.random.default_rng(seed)
    speech = speech_pool(rng)
    clips: list[np.ndarray] = []
    labels: list[float] = []
    while len(clips) < n:
        rir, rt60 = random_rir(rng)
        if not np.isfinite(rt60) or rt60 <= 0:
            continue  # a decay too short to measure: draw another room
        if speech is not None and rng.uniform() < speech_fraction:
            dry = speech
        else:
            dry = noise_bursts(rng, seconds + 1.0)
        clips.append(reverberant_clip(rng, dry, rir, seconds))
        labels.append(rt60)
    return np.stack(clips), np.asarray(labels, dtype=np.float64)
