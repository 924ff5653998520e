"""Which random late tail each simulated head hears.

pyroomacoustics turns each microphone's ray-tracing energy histogram into an
impulse response by shaping a random Poisson sequence of +-1 impulses, drawn
from one global stream in microphone order. Two consequences matter here:

* a head's tail depends on how many microphones came before it, so adding
  path knots to a simulation would change every view's recording;
* two heads at neighbouring knots of one path get independent tails, and a
  linear crossfade of two independent tails loses up to 3 dB (1.8 dB on
  average) of late energy between knots: a ground truth whose reverberant
  level pulses at the knot rate.

So each microphone's sequence is drawn from its own seed: the key of its
*tail group* (by default its position: two heads at one place hear one tail,
so a path standing at a view's pose reproduces that view's recording), and
every knot of one path shares one group (one key, one start time -- the
earliest direct-sound arrival along the path -- and one sequence length), so
the crossfade between knots is coherent: neighbouring knots hear the same
impulses shaped by their own energy histograms and HRIRs. Left- and right-ear passes use the same keys, so the two ears'
tails stay the same sequence seen through each ear's HRIRs.

Sharing the impulses is not enough (BENCHMARKS.md, sweeps 14 and 15: the
path truth came out 1-3 dB quieter than standing listeners at its poses):
a group of several heads builds its tails with ``sim.tail_sequence``
(directions drawn from the group's pooled histogram, impulses thinned to each
head's own density, each tail delayed as a whole). A group of one head gets
pyroomacoustics' own tail, exactly as before, so the views' recordings do
not change.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.sim.tail_sequence import ImpulseDensity, SharedDirections, coupled_sequence, fractional_delay


def position_key(seed: int, position: np.ndarray) -> int:
    """A 32-bit seed from the simulator seed and a position (to the micrometre)."""
    p = np.round(np.asarray(position, dtype=np.float64), 6) + 0.0  # -0.0 -> 0.0
    text = f"{int(seed)}:" + ",".join(f"{x:.6f}" for x in p)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


class TailSeed(NamedTuple):
    """What one microphone's tail is drawn from: its group's ``key``, ``onset`` (s: the group's
    earliest direct arrival, where its impulses start) and ``density_onset`` (s: its latest)."""

    key: int
    onset: float
    density_onset: float


def group_seeds(seed: int, positions: np.ndarray, groups: Sequence[int], source: np.ndarray,
                speed_of_sound: float) -> list[TailSeed]:
    """A ``TailSeed`` per microphone at ``positions`` [M, 3] with tail ``groups`` [M].

    A group's key comes from the position of its first microphone; its onset
    is the earliest direct-path arrival (distance / c) over its microphones,
    its density onset the latest (a group of one: both its own arrival).
    """
    positions = np.asarray(positions, dtype=np.float64)
    src = np.asarray(source, dtype=np.float64)
    first: dict[int, int] = {}
    onset: dict[int, float] = {}
    latest: dict[int, float] = {}
    for m, g in enumerate(groups):
        first.setdefault(g, m)
        t0 = float(np.linalg.norm(positions[m] - src)) / speed_of_sound
        onset[g] = min(onset.get(g, t0), t0)
        latest[g] = max(latest.get(g, t0), t0)
    return [TailSeed(position_key(seed, positions[first[g]]), onset[g], latest[g]) for g in groups]


@contextlib.contextmanager
def seeded_tails(seeds: list[TailSeed], horizon_s: float,
                 shared: list[SharedDirections | None] | None = None) -> Iterator[None]:
    """While active, microphone m's tail sequence is drawn from ``seeds[m]``.

    pyroomacoustics computes one tail per microphone, in microphone order (one
    source). Each tail's Poisson impulse times are drawn from the group's
    onset, ``horizon_s`` long for every microphone alike (the tail builder
    cuts them to its own length), so the draws that follow (signs,
    directions; from a second, derived seed) line up across a group. The
    impulses' density grows with time after the onset it is drawn from; a
    group's is drawn from its latest onset (then moved to start at its
    earliest), so that its farthest knot's early tail is as dense as a
    standing listener's there. (Drawn from the earliest, a far knot's early
    tail had too few impulses to carry its histogram's energy: a dolly's
    start came out 4 dB quieter than a listener standing at its pose.) Where
    ``shared[m]`` is given, microphone m draws its directions from its group's
    pooled histogram (``pooled_directions``). The finished sequence is then
    delayed by how much later microphone m's direct sound arrives than the
    group's earliest (``fractional_delay``): the tail moves with the listener.
    """
    import pyroomacoustics as pra
    import pyroomacoustics.simulation.rt as pra_rt

    original = getattr(pra_rt, "poisson_sequence", None)
    original_directional = getattr(pra_rt, "directional_sequence", None)
    if original is None or original_directional is None:
        raise AudioGSError("this pyroomacoustics has no simulation.rt.poisson_sequence or directional_sequence; "
                           "the simulator needs pyroomacoustics 0.10.1 (pip install pyroomacoustics==0.10.1)")
    calls = iter(enumerate(seeds))
    # the tail being built: its microphone, seed, delay after its group's onset (s) and density law
    current: dict = {}

    def seeded(volume, duration, c, max_rate=10000, t0=None):
        try:
            m, tail = next(calls)
        except StopIteration:
            raise AudioGSError("simulator: more tails computed than microphones were seeded") from None
        own = tail.onset if t0 is None else float(t0)
        current.update(m=m, tail=tail, delay=own - tail.onset,
                       density=ImpulseDensity(4 * np.pi * c ** 3 / volume, float(max_rate)))
        pra.random.seed(tail.key)
        _, times = original(volume, max(float(duration), float(horizon_s)), c, max_rate, t0=tail.density_onset)
        pra.random.seed((tail.key + 1) % 2**32)
        return tail.onset, times - (tail.density_onset - tail.onset)

    def directional(t0, times, response, hist, hist_bin_size, fs):
        own = shared[current["m"]] if shared is not None else None
        if own is None:  # a head alone in its group: pyroomacoustics' own tail
            seq = original_directional(t0, times, response, hist, hist_bin_size, fs)
        else:
            tail = current["tail"]
            # thin the group's impulses to the density this head would have standing alone
            keep = current["density"].keep(times, tail.onset, tail.density_onset, tail.onset + current["delay"],
                                           tail.key)
            seq = coupled_sequence(t0, times, keep, own.responses, own.histogram, hist_bin_size, fs,
                                   pra.random.get_rng())
        return fractional_delay(seq, current["delay"] * fs)

    pra_rt.poisson_sequence = seeded
    pra_rt.directional_sequence = directional
    try:
        yield
    finally:
        pra_rt.poisson_sequence = original
        pra_rt.directional_sequence = original_directional
