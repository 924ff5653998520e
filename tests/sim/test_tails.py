"""Which late tail each simulated head hears (sim.tails)."""

import numpy as np

from audiogs_core.sim.tails import group_seeds, position_key


def test_a_head_is_keyed_by_its_position_and_a_group_by_its_first_head():
    src = np.array([0.0, 0.0, 0.0])
    pos = np.array([[1.0, 0, 0], [2.0, 0, 0], [1.0, 0, 0], [3.0, 0, 0]])
    seeds = group_seeds(7, pos, [0, 1, 2, 1], src, 343.0)
    # heads 0 and 2 stand at one place: one key (and onset), though in different groups
    assert seeds[0] == seeds[2] == (position_key(7, pos[0]), 1.0 / 343.0, 1.0 / 343.0)
    # heads 1 and 3 form one group: the key of head 1, the earliest arrival of the two, the latest
    assert seeds[1] == seeds[3] == (position_key(7, pos[1]), 2.0 / 343.0, 3.0 / 343.0)
    assert seeds[0][0] != seeds[1][0]


def test_keys_depend_on_the_seed_and_not_on_rounding_noise():
    p = np.array([1.0, 2.0, 1.6])
    assert position_key(0, p) == position_key(0, p + 1e-9)
    assert position_key(0, p) != position_key(1, p)
    assert position_key(0, np.array([-0.0, 0.0, 0.0])) == position_key(0, np.zeros(3))

