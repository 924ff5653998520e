"""Direct sound round a corner: line of sight, diffracting edges, Kurze-Anderson loss."""

import math
from pathlib import Path

import numpy as np
import pytest

from audiogs_core.model.occlusion import RoomOcclusion, diffraction_loss_db
from audiogs_core.sim.rooms import _extrude, lshape, read_room_polygons, shoebox

C = 343.0
ELL = [(0, 0), (6, 0), (6, 3), (3, 3), (3, 6), (0, 6)]  # inner corner at (3, 3)
DEVELL = Path(__file__).resolve().parents[2] / "docs/experiments/dev_rooms/devell.obj"


@pytest.fixture(scope="module")
def ell():
    return RoomOcclusion(_extrude(ELL, 3.0))


def test_shoebox_everything_in_sight_no_edges():
    room = shoebox()
    occ = RoomOcclusion(room.polygons)
    assert occ.edges.shape == (0, 2, 3)  # every corner of a box is convex seen from inside
    rng = np.random.default_rng(0)
    ls = rng.uniform([0.1, 0.1, 0.1], [5.9, 4.9, 2.9], size=(50, 3))
    r = occ.direct_route(room.source, ls)
    assert r.in_sight.all()
    # no edge to be in the shadow of: no loss (a detour of 0 would put every listener on a shadow
    # boundary, 5 dB down at every frequency)
    assert np.all(np.isneginf(r.detour))
    np.testing.assert_array_equal(diffraction_loss_db(r.detour, np.linspace(0.0, 8000.0, 257), C), 0.0)
    np.testing.assert_array_equal(r.apparent_source, np.repeat(room.source[None], 50, axis=0))
    np.testing.assert_allclose(r.length, np.linalg.norm(ls - room.source, axis=1))


@pytest.mark.parametrize("turned", [False, True])
def test_the_inner_corner_is_the_only_candidate_edge(ell, turned):
    # the vertical edge x = y = 3, z in [0, 3]; the other 17 edges are convex corners.
    # Faces all given clockwise from outside (normals inward) are turned round first.
    if turned:
        ell = RoomOcclusion([p[::-1] for p in _extrude(ELL, 3.0)])
    assert len(ell.edges) == 1
    e = ell.edges[0]
    np.testing.assert_allclose(e[:, :2], [[3, 3], [3, 3]])
    np.testing.assert_allclose(sorted(e[:, 2]), [0, 3])
    np.testing.assert_allclose(ell.edge_inward[0], [-math.sqrt(0.5), -math.sqrt(0.5), 0], atol=1e-12)


@pytest.mark.parametrize("make", [lambda: lshape().polygons, lambda: read_room_polygons(DEVELL)])
def test_other_l_rooms_have_their_inner_corner(make):
    # lshape(): corner at (4, 3); devell.obj: (23.3, 3.4), faces with their own vertex copies
    occ = RoomOcclusion(make())
    assert len(occ.edges) == 1
    assert occ.edges[0, 0, 2] != occ.edges[0, 1, 2]  # vertical
    assert tuple(np.round(occ.edges[0, 0, :2], 6)) in {(4.0, 3.0), (23.3, 3.4)}


def test_in_sight_blocked_by_the_walls_of_the_missing_corner(ell):
    s = np.array([5.0, 1.0, 1.5])
    ls = np.array([[1.0, 5.0, 1.5],   # across the missing square x, y > 3: blocked
                   [1.0, 1.0, 1.5],   # same wing: free
                   [2.0, 2.0, 1.5],   # the corner square: free
                   [5.0, 3.0, 1.5],   # on the wall y = 3 itself: touching the end is not a crossing
                   [5.0, 1.0, 0.0]])  # on the floor under the source
    np.testing.assert_array_equal(ell.in_sight(s, ls), [False, True, True, True, True])
    # a as [N, 3]: segments that cross the x = 3 wall (y in 3..6) from either side
    a = np.array([[2.0, 4.5, 1.0], [2.0, 2.0, 1.0]])
    b = np.array([[4.0, 4.5, 1.0], [2.5, 2.5, 1.0]])
    np.testing.assert_array_equal(ell.in_sight(a, b), [False, True])


def test_non_convex_faces_are_not_fanned():
    # lshape()'s floor runs (0,6),(4,6),(4,3),(8,3),(8,0),(0,0): a fan from (0, 6) would
    # cover (5, 3.5), which is off the floor (the missing corner x > 4, y > 3).
    occ = RoomOcclusion([lshape().polygons[-2]])
    a, b = np.array([[5.0, 3.5, 1.0], [2.0, 2.0, 1.0]]), np.array([[5.0, 3.5, -1.0], [2.0, 2.0, -1.0]])
    np.testing.assert_array_equal(occ.in_sight(a, b), [True, False])


def test_source_round_the_corner_comes_from_the_edge(ell):
    s = np.array([5.0, 1.0, 1.5])
    ls = np.array([[1.5, 5.5, 1.5], [2.0, 5.5, 1.5]])  # beyond the boundary x + y = 6
    r = ell.direct_route(s, ls)
    assert not r.in_sight.any()
    # same height for source and listener: the unfolded path crosses the edge at z = 1.5
    np.testing.assert_allclose(r.apparent_source, [[3, 3, 1.5], [3, 3, 1.5]], atol=1e-9)
    e = np.array([3.0, 3.0, 1.5])
    hand = np.linalg.norm(s - e) + np.linalg.norm(ls - e, axis=1)  # sqrt(8) + |E - L|
    np.testing.assert_allclose(r.length, hand)
    np.testing.assert_allclose(r.detour, hand - np.linalg.norm(ls - s, axis=1))
    assert (r.detour > 0).all()


def test_edge_point_height_follows_the_unfolded_line(ell):
    # S at z = 0.5, sqrt(8) m from the edge; L at z = 2.5, sqrt(7.25) m from it.  Unfolded
    # into one plane the straight line crosses the edge at z = 0.5 + 2 rS / (rS + rL).
    s, l = np.array([5.0, 1.0, 0.5]), np.array([2.0, 5.5, 2.5])
    r = ell.direct_route(s, l[None])
    rs, rl = math.sqrt(8), math.sqrt(7.25)
    e = np.array([3, 3, 0.5 + 2 * rs / (rs + rl)])
    np.testing.assert_allclose(r.apparent_source[0], e, atol=1e-9)
    np.testing.assert_allclose(r.length[0], math.hypot(rs + rl, 2.0))  # unfolded: a straight line
    z = np.linspace(0, 3, 3001)[:, None]  # and no point of the edge does better
    pts = np.hstack([np.full_like(z, 3), np.full_like(z, 3), z])
    brute = np.linalg.norm(pts - s, axis=1) + np.linalg.norm(pts - l, axis=1)
    assert r.length[0] <= brute.min() + 1e-12


def test_loss_is_continuous_across_the_shadow_boundary(ell):
    # Shadow boundary of S = (5, 1) past the corner (3, 3): the line x + y = 6, which
    # y = 4.5 crosses at x = 1.5.  Lit for x < 1.5, shadow beyond.
    s = np.array([5.0, 1.0, 1.5])
    x = np.round(np.arange(0.5, 2.5 + 1e-9, 0.01), 2)
    ls = np.stack([x, np.full_like(x, 4.5), np.full_like(x, 1.5)], axis=1)
    r = ell.direct_route(s, ls)
    np.testing.assert_array_equal(r.in_sight, x < 1.5)
    loss = diffraction_loss_db(r.detour, np.array([1000.0]), C)[:, 0]
    assert np.abs(np.diff(loss)).max() < 1.0
    assert np.diff(loss).min() > -1e-9  # grows all the way from lit into the shadow
    assert abs(loss[x == 1.5][0] - 5.0) < 0.1
    assert loss[0] == 0.0  # x = 0.5: detour 4.3 cm, Fresnel number -0.25 at 1 kHz
    assert loss[-1] > 10.0


def test_loss_hand_values():
    f = np.array([125.0, 1000.0, 8000.0])
    np.testing.assert_allclose(diffraction_loss_db(np.zeros(1), f, C), 5.0)
    x = math.sqrt(2 * math.pi)  # Fresnel number 1: detour c / (2 f)
    one = 5 + 20 * math.log10(x / math.tanh(x))
    assert abs(one - 13.0) < 0.1
    np.testing.assert_allclose(diffraction_loss_db(np.array([C / 2000.0]), np.array([1000.0]), C), one)
    # lit, Fresnel number -0.1: 5 + 20 log10(y / tan y), y = sqrt(0.2 pi)
    y = math.sqrt(0.2 * math.pi)
    lit = diffraction_loss_db(np.array([-0.1 * C / 2000.0]), np.array([1000.0]), C)
    np.testing.assert_allclose(lit, 5 + 20 * math.log10(y / math.tan(y)))
    assert diffraction_loss_db(np.array([-1.0]), f, C).max() == 0.0  # well lit
    shadow = diffraction_loss_db(np.array([0.05, 0.5]), np.geomspace(50, 8000, 20), C)
    assert (np.diff(shadow, axis=1) >= 0).all() and shadow.max() == 25.0  # monotone, capped


def test_two_corners_away_falls_back_to_the_shortest_single_edge(ell):
    # U room: the arms x < 3 and x > 6 meet only along y < 3; corners (3, 3) and (6, 3).
    occ = RoomOcclusion(_extrude([(0, 0), (9, 0), (9, 6), (6, 6), (6, 3), (3, 3), (3, 6), (0, 6)], 3.0))
    assert len(occ.edges) == 2
    s, ls = np.array([1.5, 5.0, 1.5]), np.array([[7.5, 5.0, 1.5]])
    r = occ.direct_route(s, ls)
    assert not r.in_sight[0]
    # no edge sees both ends; the shortest one-edge path, 2.5 + sqrt(24.25) m (the true
    # two-edge path is 8 m), via (3, 3) (or, equally, (6, 3))
    np.testing.assert_allclose(r.length[0], 2.5 + math.sqrt(24.25))
    np.testing.assert_allclose(r.detour[0], r.length[0] - 6.0)
    assert tuple(r.apparent_source[0]) in {(3.0, 3.0, 1.5), (6.0, 3.0, 1.5)}


def test_the_2d_cross_product_is_the_z_of_the_3d_one():
    # numpy 2.5's np.cross refuses 2-D vectors: the ear clipping of a room's faces uses its own
    from audiogs_core.model.occlusion import _cross_2d

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    pad = np.zeros((5, 1))
    assert np.allclose(_cross_2d(a, b), np.cross(np.hstack([a, pad]), np.hstack([b, pad]))[:, 2])
    assert np.allclose(_cross_2d(a[0], b), [_cross_2d(a[0], x) for x in b])  # broadcasts
