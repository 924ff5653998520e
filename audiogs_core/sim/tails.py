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
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Iterator, Sequence

import numpy as np

from audiogs_core.errors import AudioGSError


def position_key(seed: int, position: np.ndarray) -> int:
    """A 32-bit seed from the simulator seed and a position (to the micrometre)."""
    p = np.round(np.asarray(position, dtype=np.float64), 6) + 0.0  # -0.0 -> 0.0
    text = f"{int(seed)}:" + ",".join(f"{x:.6f}" for x in p)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def group_seeds(seed: int, positions: np.ndarray, groups: Sequence[int], source: np.ndarray,
                speed_of_sound: float) -> list[tuple[int, float]]:
    """(seed, onset in s) per microphone at ``positions`` [M, 3] with tail ``groups`` [M].

    A group's key comes from the position of its first microphone; its onset
    is the earliest direct-path arrival (distance / c) over its microphones.
    """
    positions = np.asarray(positions, dtype=np.float64)
    src = np.asarray(source, dtype=np.float64)
    first: dict[int, int] = {}
    onset: dict[int, float] = {}
    for m, g in enumerate(groups):
        first.setdefault(g, m)
        t0 = float(np.linalg.norm(positions[m] - src)) / speed_of_sound
        onset[g] = min(onset.get(g, t0), t0)
    return [(position_key(seed, positions[first[g]]), onset[g]) for g in groups]


@contextlib.contextmanager
def seeded_tails(seeds: list[tuple[int, float]], horizon_s: float) -> Iterator[None]:
    """While active, microphone m's tail sequence is drawn from ``seeds[m]``.

    pyroomacoustics computes one tail per microphone, in microphone order (one
    source). Each tail's Poisson impulse times are drawn from the group's
    onset, ``horizon_s`` long for every microphone alike (the tail builder
    cuts them to its own length), then delayed to the microphone's own direct
    arrival (where its energy histogram starts). The draws that follow
    (signs, directions) therefore line up across a group; they come from a
    second, derived seed.
    """
    import pyroomacoustics as pra
    import pyroomacoustics.simulation.rt as pra_rt

    original = getattr(pra_rt, "poisson_sequence", None)
    if original is None:
        raise AudioGSError("this pyroomacoustics has no simulation.rt.poisson_sequence; the simulator "
                           "needs pyroomacoustics 0.10.1 (pip install pyroomacoustics==0.10.1)")
    calls = iter(seeds)

    def seeded(volume, duration, c, max_rate=10000, t0=None):
        try:
            key, onset = next(calls)
        except StopIteration:
            raise AudioGSError("simulator: more tails computed than microphones were seeded") from None
        pra.random.seed(key)
        _, times = original(volume, max(float(duration), float(horizon_s)), c, max_rate, t0=onset)
        pra.random.seed((key + 1) % 2**32)
        # The group's impulses, delayed by how much later this microphone's direct
        # sound arrives than the group's earliest: the tail moves with the listener.
        own = onset if t0 is None else float(t0)
        return own, times + (own - onset)

    pra_rt.poisson_sequence = seeded
    try:
        yield
    finally:
        pra_rt.poisson_sequence = original
