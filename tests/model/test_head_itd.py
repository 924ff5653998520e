"""The spherical head's ITD against the textbook formulas, by hand."""

import math

import torch

from audiogs_core.model.head_itd import signed_itd

A, C = 0.09, 343.0


def _itd(lateral_deg: float, freq_hz: float) -> float:
    lam = math.radians(lateral_deg)
    v = torch.tensor([[[math.sin(lam), math.cos(lam), 0.0]]], dtype=torch.float64)  # right ear on +X
    return float(signed_itd(v, torch.tensor([freq_hz], dtype=torch.float64), A, C)[0, 0])


def test_low_frequencies_take_kuhns_limit():
    assert math.isclose(_itd(30.0, 200.0), 3 * A / C * 0.5, rel_tol=1e-9)


def test_high_frequencies_take_woodworths_formula():
    lam = math.radians(30.0)
    assert math.isclose(_itd(30.0, 4000.0), A / C * (lam + math.sin(lam)), rel_tol=1e-9)


def test_between_500_and_1500_hz_the_itd_is_blended_linearly():
    lam = math.radians(50.0)
    low, high = 3 * A / C * math.sin(lam), A / C * (lam + math.sin(lam))
    assert math.isclose(_itd(50.0, 750.0), low + 0.25 * (high - low), rel_tol=1e-9)


def test_a_source_on_the_left_gives_the_opposite_sign_and_straight_ahead_none():
    assert math.isclose(_itd(-40.0, 1000.0), -_itd(40.0, 1000.0), rel_tol=1e-12)
    assert _itd(0.0, 1000.0) == 0.0
