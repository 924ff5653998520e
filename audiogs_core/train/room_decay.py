"""The room's decay read blind from a recording made in it (a binaural reference).

``model/dereverb.py`` needs the decay of the room a binaural reference was recorded in; the tail
fit (``tail_fit.py``) cannot give it, since it fits what the views carry *beyond* the reference,
which is little when the reference is itself a recording in the room (there it came out at 10 to 60
ms, against the room's 70). Speech stops often and abruptly, and then what is left is the room's
free decay: per octave band, the level in dB per STFT frame is fitted by a line over every
DECAY_WINDOW_S stretch that starts within DYNAMIC_RANGE_DB of the band's loudest frame, and the
room's decay rate is the DECAY_PERCENTILE-th percentile of those slopes (the steepest, which only
a free decay reaches, without the rare steeper noise). RT60 = -60 dB / slope; the amplitude decay
time is tau = RT60 / (3 ln 10). On the development rooms (simulated RT60 0.50 and 0.54 s) it reads
0.40-0.57 s per band.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import band_of_bins, bin_frequencies, stft
from audiogs_core.train.tail_fit import OCTAVE_CENTRES

DECAY_WINDOW_S = 0.15  # the stretch a slope is fitted over
DYNAMIC_RANGE_DB = 35.0  # stretches starting further below the band's loudest frame are noise
DECAY_PERCENTILE = 5.0
RT60_RANGE_S = (0.1, 3.0)  # what a room's reading is clipped to
DEFAULT_RT60_S = 0.5  # a band with too little sound to read


def band_rt60(energy_db: np.ndarray, hop_s: float) -> float:
    """RT60 (s) of one band from its level per frame ``energy_db`` [N] (dB)."""
    w = max(3, round(DECAY_WINDOW_S / hop_s))
    if energy_db.shape[0] < 4 * w:
        return DEFAULT_RT60_S
    t = np.arange(w) * hop_s
    segments = np.lib.stride_tricks.sliding_window_view(energy_db, w)  # [S, w]
    loud = segments[:, 0] > energy_db.max() - DYNAMIC_RANGE_DB
    if loud.sum() < 10:
        return DEFAULT_RT60_S
    tc = t - t.mean()
    slopes = (segments[loud] - segments[loud].mean(axis=1, keepdims=True)) @ tc / (tc @ tc)  # dB/s
    slope = float(np.percentile(slopes, DECAY_PERCENTILE))
    if slope >= 0.0:
        return RT60_RANGE_S[1]
    return float(np.clip(-60.0 / slope, *RT60_RANGE_S))


def blind_decay_tau(recording: np.ndarray, settings: StftSettings) -> np.ndarray:
    """[F] amplitude decay time (s) per STFT bin of the room ``recording`` [C, T] was made in
    (each bin takes its octave band's, ``OCTAVE_CENTRES``)."""
    power = (stft(torch.from_numpy(np.ascontiguousarray(recording, dtype=np.float32)), settings).abs() ** 2
             ).mean(dim=0).double().numpy()  # [F, N]
    freqs = bin_frequencies(settings).numpy()
    hop_s = settings.hop / settings.sample_rate
    band = band_of_bins(freqs, OCTAVE_CENTRES)
    tau = np.full(len(freqs), DEFAULT_RT60_S / (3.0 * math.log(10.0)))
    for b in np.unique(band):
        energy = power[band == b].sum(axis=0)
        rt60 = band_rt60(10.0 * np.log10(energy + 1e-12 * max(float(energy.max()), 1e-30)), hop_s)
        tau[band == b] = rt60 / (3.0 * math.log(10.0))
    return tau.astype(np.float32)
