"""The late tail of one head of a multi-head tail group (``sim.tails``), built so that
neighbouring knots of a listener path hear the same tail.

pyroomacoustics builds a tail as Schroeder describes: a Poisson sequence of
impulses, each with a random sign and a random direction (whose impulse
response it goes through) drawn from the microphone's ray-traced direction
histogram, scaled to unit energy per time bin and shaped by the
microphone's energy histogram per band. Three things make two heads of one
group hear different tails even with the same random numbers, each measured
on a development dolly (BENCHMARKS.md, sweep 15):

* **directions**: each head's own direction histogram (a few rays per
  direction and time bin) differs from its neighbour's 2 cm away, so the
  same random number picks another direction. A group draws from one
  pooled histogram (``pooled_directions``) in world directions, each head
  hearing a drawn direction through its own response for it;
* **sub-sample timing**: delaying each impulse by a head's extra travel
  time and rounding it to a sample leaves neighbouring heads up to a sample
  apart after the crossfade's alignment; each head's finished sequence is
  delayed as a whole instead (``fractional_delay``);
* **density**: the impulses' rate grows with time after the onset the
  sequence is drawn from, and where a bin gets no impulse its energy is
  lost. Drawn from the group's earliest onset, a far head's early tail was
  4 dB too quiet; the group draws from its latest onset and each head keeps
  the share of impulses its own standing density would have
  (``ImpulseDensity.keep``), so each head's tail has a standing listener's
  statistics.

Aligned tails of knots 5 cm apart then correlate at 0.999 (0.2-0.6 before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from audiogs_core.errors import AudioGSError


@dataclass
class SharedDirections:
    """What one head of a multi-head tail group draws its tail directions from.

    ``histogram`` [D, B]: the group's pooled direction distribution over the
    reference grid's D world directions and B time bins; ``responses``
    [D, taps]: this head's impulse response for each of those world
    directions (its own grid's nearest direction).
    """

    histogram: np.ndarray
    responses: np.ndarray


def pooled_directions(groups: Sequence[int], histograms: Sequence[np.ndarray], directions: Sequence[np.ndarray],
                      responses: Sequence[np.ndarray], grid: np.ndarray,
                      positions: np.ndarray | None = None) -> list[SharedDirections | None]:
    """Per microphone: the shared directions of its tail group, or None for a group of one
    (or of heads that all stand at one of ``positions`` [M, 3] turned one way: they hear one tail
    anyway, and a path standing at a view's pose then reproduces the view bit for bit).

    ``histograms[m]`` [Dm, B_m]: microphone m's ray-traced energy per direction
    of its own grid (summed over bands) and time bin; ``directions[m]`` [Dm, 3]:
    that grid in world coordinates (turned with the head); ``responses[m]``
    [Dm, taps]: its impulse response per direction; ``grid`` [D, 3]: the
    reference world directions the group's draws are made on.
    """
    from scipy.spatial import cKDTree

    ref = cKDTree(np.asarray(grid, dtype=np.float64))
    members: dict[int, list[int]] = {}
    for m, g in enumerate(groups):
        members.setdefault(g, []).append(m)
    out: list[SharedDirections | None] = [None] * len(groups)
    for heads in members.values():
        if len(heads) < 2 or (positions is not None and _all_alike(
                [positions[m] for m in heads]) and _all_alike([directions[m] for m in heads])):
            continue
        n_bins = max(histograms[m].shape[-1] for m in heads)
        pooled = np.zeros((len(grid), n_bins))
        to_own = {}
        for m in heads:
            own = np.asarray(directions[m], dtype=np.float64)
            _, nearest_ref = ref.query(own)
            _, to_own[m] = cKDTree(own).query(grid)
            h = np.asarray(histograms[m], dtype=np.float64)
            total = h.sum(axis=0, keepdims=True)
            share = np.divide(h, total, out=np.zeros_like(h), where=total > 0)  # per time bin, sums to 1
            # several own directions may be nearest one reference direction: add, do not overwrite
            np.add.at(pooled[:, :h.shape[-1]], np.asarray(nearest_ref, dtype=np.int64), share / len(heads))
        for m in heads:
            out[m] = SharedDirections(pooled, np.asarray(responses[m])[to_own[m]])
    return out


def _all_alike(arrays: list[np.ndarray]) -> bool:
    first = np.asarray(arrays[0])
    return all(np.asarray(a).shape == first.shape and np.allclose(a, first, rtol=0.0, atol=1e-9) for a in arrays[1:])


@dataclass
class ImpulseDensity:
    """pyroomacoustics' density of tail impulses: ``rate`` (t0 + t)^2 per second, at most
    ``max_rate``, t (s) the absolute time of the previous impulse of a sequence drawn from t0."""

    rate: float
    max_rate: float

    def at(self, t: np.ndarray, t0: float) -> np.ndarray:
        return np.minimum(self.rate * (t0 + t) ** 2, self.max_rate)

    def keep(self, times: np.ndarray, onset: float, density_onset: float, own_onset: float, key: int) -> np.ndarray:
        """[n] bool: which of a group's impulse ``times`` [n] (s; drawn from ``density_onset``,
        moved to start at ``onset``) a head whose direct sound arrives at ``own_onset`` keeps.

        Thinning a Poisson sequence, impulse by impulse with probability
        (the head's rate / the group's rate), leaves a Poisson sequence of the
        head's rate; the uniform numbers come from the group's key, so
        neighbouring heads keep nearly the same impulses.
        """
        group = self.at(times + (density_onset - onset), density_onset)
        delay = own_onset - onset  # the head hears the group's time t at t + delay
        head = self.at(times + delay, own_onset)
        u = np.random.default_rng([key, 2]).uniform(size=times.shape[0])
        return u < head / np.maximum(group, 1e-30)


def coupled_sequence(t0: float, times: np.ndarray, keep: np.ndarray, responses: np.ndarray, hist: np.ndarray,
                     hist_bin_size: float, fs: float, rng) -> np.ndarray:
    """One head's directional tail sequence from its group's impulse ``times`` [n] (s).

    Schroeder's construction, as pyroomacoustics builds a tail: each kept
    (``keep`` [n]) impulse gets a random sign and a random direction drawn
    from ``hist`` [D, B] (direction x time bin of ``hist_bin_size`` s after
    ``t0``), goes through that direction's row of ``responses`` [D, taps]
    and is scaled so that the sequence has unit energy per time bin. Every
    draw is made for every impulse, kept or not, so the heads of one group
    (same ``rng`` state) draw the same sign and direction for each impulse.
    """
    n = times.shape[0]
    signs = rng.choice([1.0, -1.0], size=n)
    z = rng.uniform(size=n)
    indices = (times * fs).astype(np.int64)[keep]
    signs, z = signs[keep], z[keep]
    if indices.size == 0:
        return np.zeros(int(times[-1] * fs) + responses.shape[1] + 1)
    hbss = int(hist_bin_size * fs)
    pulses = np.zeros(int(times[-1] * fs) + 1)
    pulses[indices] = 1.0
    power = np.convolve(pulses, np.ones(2 * hbss) / 2, mode="same")  # impulses in two bins around, / 2
    bins = np.minimum(np.floor((indices / fs - t0) / hist_bin_size).astype(np.int64), hist.shape[-1] - 1)
    bins = np.maximum(bins, 0)
    cdf = np.cumsum(hist, axis=0)
    total = cdf[-1:, :]
    uniform = np.cumsum(np.ones_like(hist), axis=0) / hist.shape[0]
    cdf = np.where(total > 1e-10, cdf / np.where(total > 1e-10, total, 1.0), uniform)
    direction = np.sum(z[None, :] > cdf[:, bins], axis=0)
    direction = np.minimum(direction, responses.shape[0] - 1)
    gains = signs / np.sqrt(np.maximum(power[indices], 1e-10))
    taps = responses.shape[1]
    seq = np.zeros(pulses.shape[0] + taps)
    np.add.at(seq, indices[:, None] + np.arange(taps)[None, :], gains[:, None] * responses[direction])
    return seq


def fractional_delay(x: np.ndarray, samples: float) -> np.ndarray:
    """``x`` [n] delayed by ``samples`` (>= 0, fractional), [n + ceil(samples)]; ``x`` itself for 0.

    Exact in frequency (a linear phase over a zero-padded FFT): pyroomacoustics
    puts each tail impulse on a whole sample, and delaying the whole sequence
    instead of each impulse keeps the impulses' relative timing identical at
    every knot of a group, so the crossfade's delay alignment lines them up
    exactly. (Rounding the delay to whole samples instead leaves neighbouring
    knots up to a sample apart after alignment: tails 5 cm apart then
    correlated at 0.62-0.82.)
    """
    if samples == 0:
        return x
    if samples < 0:
        raise AudioGSError(f"simulator: a tail cannot be advanced ({samples:.3f} samples)")
    n = x.shape[0] + int(np.ceil(samples))
    size = 1 << int(np.ceil(np.log2(n + 64)))  # room for the sinc's spread before wrapping round
    spectrum = np.fft.rfft(x, size) * np.exp(-2j * np.pi * np.fft.rfftfreq(size) * samples)
    return np.fft.irfft(spectrum, size)[:n]
