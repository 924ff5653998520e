"""Dry (anechoic) source signals for the simulator.

``espeak-ng`` speech when the program is installed, a procedural speech-like
signal otherwise, or any audio file given with ``--source``. The label that
comes back (``"espeak-ng"``, ``"procedural"`` or the file path) is recorded in
the capture so results say which signal was used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import read_wav, resample

PEAK = 0.5  # dry signals are scaled to this peak

# Public-domain style sentences; enough for about 30 s of speech at 160 words/min.
_TEXT = (
    "The quick brown fox jumps over the lazy dog. "
    "A sound designer walks slowly around the room, listening to every corner. "
    "Please read the numbers aloud: three, seven, eleven, twenty four. "
    "Bright light falls through the tall window onto the wooden floor. "
    "We recorded the voice with small microphones placed near each ear. "
    "Later, the camera moves to a new place, and the sound must follow it. "
    "Is it raining outside, or is that the sound of the old radiator? "
    "She sells sea shells by the sea shore, said the teacher with a smile. "
)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_wav(text: str, voice: str = "en", speed: int = 160,
               timeout: float = 120.0) -> tuple[np.ndarray, int]:
    """espeak-ng speaking ``text``: mono float32 [T] at espeak's own rate, and that rate.

    Raises AudioGSError when espeak-ng is missing or fails.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise AudioGSError("espeak-ng is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        try:
            subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(wav), text],
                           check=True, capture_output=True, timeout=timeout)
        except (subprocess.SubprocessError, OSError) as exc:
            raise AudioGSError(f"espeak-ng failed: {exc}") from exc
        audio, rate = read_wav(wav)
    return audio.mean(axis=0), rate


def espeak_speech(seconds: float, sample_rate: int) -> np.ndarray:
    """Speech [T] from espeak-ng, repeated (with a short pause) to fill ``seconds``."""
    speech, rate = espeak_wav(_TEXT)
    return _fill(resample(speech, rate, sample_rate), seconds, sample_rate)


def procedural_speech(seconds: float, sample_rate: int, seed: int = 0) -> np.ndarray:
    """A speech-like signal [T]: voiced syllables with moving pitch and formants,
    fricative bursts and pauses (seeded; no external data)."""
    from scipy.signal import lfilter

    rng = np.random.default_rng([seed, 7])
    n = int(round(seconds * sample_rate))
    out = np.zeros(n)
    t = 0
    vowels = [(730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480),
              (570, 840, 2410), (660, 1720, 2410), (440, 1020, 2240)]
    while t < n:
        t += int(rng.uniform(0.02, 0.08) * sample_rate)
        if rng.random() < 0.15:  # pause between phrases
            t += int(rng.uniform(0.2, 0.5) * sample_rate)
        length = int(rng.uniform(0.12, 0.3) * sample_rate)
        if t + length > n:
            break
        tt = np.arange(length) / sample_rate
        f0 = rng.uniform(95, 180) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(1, 4) * tt))
        phase = 2 * np.pi * np.cumsum(f0) / sample_rate
        source = np.sign(np.sin(phase)) * 0.2 + (phase % (2 * np.pi)) / np.pi - 1.0  # glottal-ish
        voiced = np.zeros(length)
        for fc, bw in zip(vowels[rng.integers(len(vowels))], (80, 100, 120)):
            if fc >= sample_rate / 2 - bw:
                continue
            r = np.exp(-np.pi * bw / sample_rate)
            a = [1.0, -2 * r * np.cos(2 * np.pi * fc / sample_rate), r * r]
            voiced += lfilter([1 - r], a, source)
        env = np.sin(np.pi * np.arange(length) / length) ** 0.7
        seg = voiced * env
        if rng.random() < 0.3:  # a fricative at the syllable onset
            k = min(length, int(0.06 * sample_rate))
            noise = np.diff(rng.standard_normal(k + 1)) * np.hanning(k)
            seg[:k] += 0.3 * np.std(voiced) * noise
        out[t:t + length] += seg
        t += length
    return _normalise(out)


def file_signal(path: str | os.PathLike, seconds: float, sample_rate: int) -> np.ndarray:
    """The file mixed to mono, resampled and repeated or cut to ``seconds``."""
    audio, rate = read_wav(path)
    return _fill(resample(audio.mean(axis=0), rate, sample_rate), seconds, sample_rate)


def dry_signal(seconds: float, sample_rate: int, source: str | os.PathLike | None = None,
               seed: int = 0) -> tuple[np.ndarray, str]:
    """The dry signal [T] (float32, peak 0.5) and its label for the capture."""
    if seconds <= 0:
        raise AudioGSError(f"seconds must be positive, got {seconds}")
    if source is not None:
        return file_signal(source, seconds, sample_rate), str(source)
    if espeak_available():
        return espeak_speech(seconds, sample_rate), "espeak-ng"
    return procedural_speech(seconds, sample_rate, seed), "procedural"


def _fill(signal: np.ndarray, seconds: float, sample_rate: int) -> np.ndarray:
    n = int(round(seconds * sample_rate))
    s = np.asarray(signal, dtype=float)
    nz = np.flatnonzero(np.abs(s) > 1e-4 * (np.abs(s).max() + 1e-12))
    if len(nz) == 0:
        raise AudioGSError("the dry source signal is silent")
    s = s[nz[0]:nz[-1] + 1]  # trim silence so repeats are evenly spaced
    gap = np.zeros(int(0.3 * sample_rate))
    parts, total = [], 0
    while total < n:
        parts += [s, gap]
        total += len(s) + len(gap)
    return _normalise(np.concatenate(parts)[:n])


def _normalise(s: np.ndarray) -> np.ndarray:
    peak = np.abs(s).max()
    if peak <= 0:
        raise AudioGSError("the dry source signal is silent")
    return (s * (PEAK / peak)).astype(np.float32)
