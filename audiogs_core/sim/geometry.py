"""Small polygon-mesh geometry for the room simulator (numpy only).

A room is a closed mesh of planar polygons ``[n, 3]`` (world frame, metres)
whose vertices run counter-clockwise seen from outside, so that the normal
``(v1 - v0) x (v2 - v0)`` points out of the room (the orientation
pyroomacoustics uses for its volume and the one OBJ files use).
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def polygon_normal(poly: np.ndarray) -> np.ndarray:
    """Unit normal [3] of a planar polygon [n, 3] (Newell's method, robust to collinear corners)."""
    p = np.asarray(poly, dtype=float)
    q = np.roll(p, -1, axis=0)
    n = np.array([
        np.sum((p[:, 1] - q[:, 1]) * (p[:, 2] + q[:, 2])),
        np.sum((p[:, 2] - q[:, 2]) * (p[:, 0] + q[:, 0])),
        np.sum((p[:, 0] - q[:, 0]) * (p[:, 1] + q[:, 1])),
    ])
    norm = np.linalg.norm(n)
    return n / norm if norm > 0 else n


def polygon_area(poly: np.ndarray) -> float:
    """Area of a planar polygon [n, 3]."""
    p = np.asarray(poly, dtype=float)
    cross = np.cross(p, np.roll(p, -1, axis=0)).sum(axis=0)
    return 0.5 * float(abs(np.dot(cross, polygon_normal(p))))


def mesh_volume(polygons: list[np.ndarray]) -> float:
    """Signed volume enclosed by ``polygons`` (positive when the normals point outward)."""
    total = 0.0
    for poly in polygons:
        p = np.asarray(poly, dtype=float)
        for i in range(1, len(p) - 1):  # fan triangulation, divergence theorem
            total += float(np.dot(p[0], np.cross(p[i], p[i + 1])))
    return total / 6.0


def is_planar(poly: np.ndarray, tol: float = 1e-6) -> bool:
    p = np.asarray(poly, dtype=float)
    n = polygon_normal(p)
    return bool(np.all(np.abs((p - p[0]) @ n) < tol))


def _plane_basis(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(n, a)
    u /= np.linalg.norm(u)
    return u, np.cross(n, u)


def _inside_2d(pt: np.ndarray, poly2: np.ndarray) -> bool:
    """Even-odd point-in-polygon test in 2D; points on an edge count as inside."""
    x, y = pt
    inside = False
    n = len(poly2)
    for i in range(n):
        x0, y0 = poly2[i]
        x1, y1 = poly2[(i + 1) % n]
        if _point_segment_distance(np.array([x, y, 0.0]), np.array([x0, y0, 0.0]),
                                   np.array([x1, y1, 0.0])) < 1e-9:
            return True
        if (y0 > y) != (y1 > y):
            xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if xc > x:
                inside = not inside
    return inside


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    denom = float(np.dot(ab, ab))
    t = 0.0 if denom == 0 else float(np.clip(np.dot(p - a, ab) / denom, 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * ab)))


def point_polygon_distance(point: np.ndarray, poly: np.ndarray) -> float:
    """Euclidean distance from ``point`` [3] to the planar polygon ``poly`` [n, 3]."""
    p = np.asarray(poly, dtype=float)
    x = np.asarray(point, dtype=float)
    n = polygon_normal(p)
    h = float(np.dot(x - p[0], n))
    u, v = _plane_basis(n)
    proj = x - h * n
    poly2 = np.stack([(p - p[0]) @ u, (p - p[0]) @ v], axis=1)
    pt2 = np.array([np.dot(proj - p[0], u), np.dot(proj - p[0], v)])
    if _inside_2d(pt2, poly2):
        return abs(h)
    return min(_point_segment_distance(x, p[i], p[(i + 1) % len(p)]) for i in range(len(p)))


def distance_to_walls(point: np.ndarray, polygons: list[np.ndarray]) -> float:
    """Smallest distance from ``point`` [3] to any polygon of the room."""
    return min(point_polygon_distance(point, poly) for poly in polygons)


def segment_hits_polygon(a: np.ndarray, b: np.ndarray, poly: np.ndarray) -> bool:
    """Whether the open segment a->b crosses the polygon (touching an end point does not count)."""
    p = np.asarray(poly, dtype=float)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n = polygon_normal(p)
    da = float(np.dot(a - p[0], n))
    db = float(np.dot(b - p[0], n))
    if (da > _EPS and db > _EPS) or (da < -_EPS and db < -_EPS) or abs(da - db) < _EPS:
        return False
    t = da / (da - db)
    if t <= 1e-9 or t >= 1 - 1e-9:
        return False
    x = a + t * (b - a)
    u, v = _plane_basis(n)
    poly2 = np.stack([(p - p[0]) @ u, (p - p[0]) @ v], axis=1)
    return _inside_2d(np.array([np.dot(x - p[0], u), np.dot(x - p[0], v)]), poly2)


def line_of_sight(a: np.ndarray, b: np.ndarray, polygons: list[np.ndarray]) -> bool:
    """True when no wall lies between points ``a`` and ``b``."""
    return not any(segment_hits_polygon(a, b, poly) for poly in polygons)


def is_inside(point: np.ndarray, polygons: list[np.ndarray]) -> bool:
    """Whether ``point`` lies inside the closed mesh (parity of crossings of a skewed ray)."""
    x = np.asarray(point, dtype=float)
    far = x + np.array([1000.0, 313.7, 71.3])  # an odd direction avoids edges and vertices
    hits = sum(segment_hits_polygon(x, far, poly) for poly in polygons)
    return hits % 2 == 1


def fibonacci_sphere(n: int) -> np.ndarray:
    """``n`` nearly uniform unit vectors [n, 3] (golden-angle spiral)."""
    i = np.arange(n) + 0.5
    z = 1.0 - 2.0 * i / n
    r = np.sqrt(np.maximum(0.0, 1.0 - z * z))
    phi = np.pi * (1.0 + 5.0 ** 0.5) * i
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
