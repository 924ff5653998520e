import numpy as np

from audiogs_core.sim import geometry
from audiogs_core.sim.rooms import lshape, shoebox


def test_volume_is_positive_for_outward_normals():
    room = shoebox()
    assert abs(geometry.mesh_volume(room.polygons) - 90.0) < 1e-9
    flipped = [p[::-1] for p in room.polygons]
    assert abs(geometry.mesh_volume(flipped) + 90.0) < 1e-9
    # the floor's normal points down, the ceiling's up
    assert geometry.polygon_normal(room.polygons[-2])[2] < -0.99
    assert geometry.polygon_normal(room.polygons[-1])[2] > 0.99


def test_distance_inside_and_sight_in_lshape():
    room = lshape()
    p = np.array([1.0, 1.0, 1.6])
    assert abs(geometry.distance_to_walls(p, room.polygons) - 1.0) < 1e-9
    assert geometry.is_inside(p, room.polygons)
    assert not geometry.is_inside(np.array([6.0, 5.0, 1.6]), room.polygons)  # the missing corner
    # the inner corner (4, 3) hides the upper-left wing from the source
    assert geometry.line_of_sight(room.source, np.array([2.0, 1.5, 1.6]), room.polygons)
    assert not geometry.line_of_sight(room.source, np.array([2.0, 5.0, 1.6]), room.polygons)


def test_point_polygon_distance_off_the_face_uses_edges():
    square = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)
    assert abs(geometry.point_polygon_distance(np.array([0.5, 0.5, 2.0]), square) - 2.0) < 1e-12
    assert abs(geometry.point_polygon_distance(np.array([2.0, 0.5, 0.0]), square) - 1.0) < 1e-12
    assert abs(geometry.point_polygon_distance(np.array([2.0, 2.0, 0.0]), square) - np.sqrt(2)) < 1e-12
