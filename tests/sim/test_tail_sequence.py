"""A path knot's late tail, coherent with its neighbours' (sim.tail_sequence)."""

import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.sim.tail_sequence import ImpulseDensity, coupled_sequence, fractional_delay, pooled_directions


def _turned(directions, yaw_deg):
    c, s = np.cos(np.radians(yaw_deg)), np.sin(np.radians(yaw_deg))
    return directions @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]).T


def test_a_group_draws_world_directions_from_its_pooled_histogram():
    grid = np.array([[1.0, 0, 0], [0, 1.0, 0], [-1.0, 0, 0], [0, -1.0, 0]])  # +x, +y, -x, -y
    head_a = grid  # facing +x
    head_b = _turned(grid, 90.0)  # facing +y: its grid row 0 (ahead) is world +y
    responses = [np.arange(4.0)[:, None] * np.ones((1, 3)), 10 + np.arange(4.0)[:, None] * np.ones((1, 3))]
    # time bin 0: head a hears everything from world +x, head b everything from world +y
    # (its own row 0); bin 1: both from world -y
    hist_a = np.array([[5.0, 0], [0, 0], [0, 0], [0, 2.0]])
    hist_b = np.array([[1.0, 0], [0, 0], [0, 3.0], [0, 0]])
    alone = np.array([[1.0], [1.0], [0], [0]])
    shared = pooled_directions([4, 4, 9], [hist_a, hist_b, alone], [head_a, head_b, grid],
                               [*responses, responses[0]], grid)
    assert shared[2] is None  # a group of one head draws from its own histogram, as before
    pooled = shared[0].histogram
    assert shared[1].histogram is pooled
    # each head's direction distribution counts once, whatever its energy
    assert np.allclose(pooled[:, 0], [0.5, 0.5, 0, 0]) and np.allclose(pooled[:, 1], [0, 0, 0, 1.0])
    # a drawn world direction reaches each head through that head's response for it:
    # world +y is head a's row 1 and head b's row 0 (ahead)
    assert shared[0].responses[1, 0] == 1.0 and shared[1].responses[1, 0] == 10.0
    assert shared[0].responses[3, 0] == 3.0 and shared[1].responses[3, 0] == 12.0  # world -y: behind b


def _aligned_late(h, delay_samples, start):
    n = 2 * len(h)
    shifted = np.fft.irfft(np.fft.rfft(h, n) * np.exp(2j * np.pi * np.fft.rfftfreq(n) * delay_samples), n)
    return shifted[start:len(h)]


def test_neighbouring_knots_of_a_path_hear_one_coherent_tail():
    """Knots 2 and 7 cm apart (one tail group), read with their direct sounds lined up, hear
    the same late tail; a linear crossfade between them then keeps its energy. With each knot
    drawing its own directions they correlated at 0.2-0.6 and lost 1-3 dB halfway; with each
    impulse rounded to a sample after a fractional delay, at 0.6-0.95."""
    from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
    from audiogs_core.sim import hrtf, rooms, simulate
    from audiogs_core.sim.layouts import ViewSpec

    fs = 16000
    spec = rooms.shoebox()
    src = np.asarray(spec.source, float)
    steps = [0.0, 0.02, 0.07]
    heads = [ViewSpec(f"k{i}", np.array([src[0] - 2.5 + d, src[1] + 0.3, spec.listener_z]), 0.3, "path")
             for i, d in enumerate(steps)]
    bank = hrtf.load_hrtf("sphere", fs, HEAD_RADIUS)
    _, left, right = simulate.ear_rirs(spec, heads, bank, fs, 5, 0.4, n_rays=2000, tail_groups=[0, 0, 0])
    late = int(0.08 * fs)  # past the image sources of order 3
    for i in (1, 2):
        delay = (np.linalg.norm(heads[i].position - src) - np.linalg.norm(heads[0].position - src)) / SPEED_OF_SOUND
        for ears in (left, right):
            a = ears[0][late:]
            b = _aligned_late(ears[i], delay * fs, late)
            n = min(len(a), len(b))
            a, b = a[:n], b[:n]
            rho = a @ b / np.sqrt((a @ a) * (b @ b))
            halfway = 0.25 * np.sum((a + b) ** 2) / (0.5 * (a @ a + b @ b))
            assert rho > 0.98, (steps[i], rho)
            assert 10 * np.log10(halfway) > -0.05


def test_a_tail_is_delayed_as_a_whole_by_a_fraction_of_a_sample():
    x = np.zeros(64)
    x[10] = 1.0
    assert fractional_delay(x, 0.0) is x  # a head alone in its group keeps its tail as drawn
    y = fractional_delay(x, 2.5)
    assert y.shape == (67,)
    assert {int(np.argmax(y)), int(np.argsort(y)[-2])} == {12, 13}  # halfway between samples 12 and 13
    assert np.isclose(y[12], y[13])
    assert abs(np.sum(y ** 2) - 1.0) < 0.05  # its energy kept
    with pytest.raises(AudioGSError, match="advanced"):
        fractional_delay(x, -1.0)


def test_each_head_keeps_its_own_standing_density_of_impulses():
    density = ImpulseDensity(rate=4 * np.pi * 343.0 ** 3 / 200.0, max_rate=10000.0)
    onset, latest = 0.003, 0.012  # the group's nearest and farthest heads' direct arrivals
    times = np.sort(np.random.default_rng(0).uniform(onset, onset + 0.3, 20000))
    far = density.keep(times, onset, latest, latest, key=5)
    assert far.all()  # the farthest head keeps every impulse drawn at its density
    near = density.keep(times, onset, latest, onset, key=5)
    nearly = density.keep(times, onset, latest, onset + 1e-5, key=5)
    early = times < onset + 0.01
    # near the start the nearest head keeps a share like its rate / the group's
    expected = np.mean(density.at(times[early], onset) / density.at(times[early] + latest - onset, latest))
    assert abs(near[early].mean() - expected) < 0.05 and expected < 0.5
    assert near[times > onset + 0.25].mean() > 0.99  # late, both are at the rate's cap
    assert np.mean(near != nearly) < 0.01  # neighbouring heads keep nearly the same impulses


def test_a_coupled_sequence_has_unit_energy_per_bin_and_the_drawn_directions():
    fs, bin_s = 16000, 0.004
    times = np.arange(0.01, 0.5, 1 / 4000)  # four impulses a millisecond
    responses = np.array([[1.0, 0.0], [0.0, 1.0]])  # direction 0 -> tap 0, direction 1 -> tap 1
    hist = np.zeros((2, 200))
    hist[1] = 1.0  # every impulse from direction 1
    seq = coupled_sequence(0.01, times, np.ones(times.shape, bool), responses, hist, bin_s, fs,
                           np.random.default_rng(1))
    hits = np.flatnonzero(seq)
    assert np.array_equal(hits, (times * fs).astype(int) + 1)  # through direction 1's response
    per_bin = np.add.reduceat(seq ** 2, np.arange(int(0.1 * fs), int(0.4 * fs), int(bin_s * fs)))
    assert np.allclose(per_bin[:-1], 1.0, atol=0.05)
    # with half the impulses dropped the kept ones carry the same energy per bin
    keep = np.arange(times.shape[0]) % 2 == 0
    thin = coupled_sequence(0.01, times, keep, responses, hist, bin_s, fs, np.random.default_rng(1))
    per_bin = np.add.reduceat(thin ** 2, np.arange(int(0.1 * fs), int(0.4 * fs), int(bin_s * fs)))
    assert np.allclose(per_bin[:-1], 1.0, atol=0.05)
