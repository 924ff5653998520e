"""Direct sound round a corner: line of sight and edge diffraction in a room.

When the talker is out of sight, the direct sound does not come through the
wall but bends round the edge of the opening (e.g. the inner vertical corner
of an L-shaped room).  :class:`RoomOcclusion` finds, per listener, whether the
source is in sight and otherwise the shortest path over one diffracting edge;
:func:`diffraction_loss_db` turns the path difference into an attenuation
(Kurze-Anderson's fit to Maekawa's barrier chart).  numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUDGE = 0.005  # m: edge points move this far into the room before visibility tests
END_TOL = 1e-6  # m: crossings this close to a segment's ends do not block it
MAX_LOSS_DB = 25.0


@dataclass
class DirectRoute:
    """How the direct sound reaches N listeners.

    apparent_source: [N, 3] the source when in sight, else the diffracting edge point.
    length: [N] path length (m): |S-L| in sight, |S-E|+|E-L| round an edge.
    detour: [N] signed path difference (m): > 0 in the shadow, <= 0 in the lit
        zone (minus the difference via the nearest edge, so 0 at the shadow boundary;
        -inf in a room with no diffracting edge, a convex one: no shadow to be near).
    in_sight: [N] bool.
    """

    apparent_source: np.ndarray
    length: np.ndarray
    detour: np.ndarray
    in_sight: np.ndarray


def _area_vector(poly: np.ndarray) -> np.ndarray:
    """Newell's area vector [3] (|v| = area), exact for non-convex planar polygons."""
    return 0.5 * np.cross(poly, np.roll(poly, -1, axis=0)).sum(axis=0)


def _cross_2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The z of the cross product of 2-D vectors [..., 2] (numpy 2.5's np.cross refuses 2-D
    vectors; 2.0-2.4 warn)."""
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _ear_clip(poly: np.ndarray, normal: np.ndarray) -> list[np.ndarray]:
    """Triangles [3, 3] of a planar polygon [n, 3].

    Ear clipping rather than a fan: a fan from one vertex of a non-convex face
    (the floor of an L-shaped room) covers ground outside the face.
    """
    drop = int(np.argmax(np.abs(normal)))  # project on the plane the face is least tilted to
    p2 = np.delete(poly, drop, axis=1)
    idx = list(range(len(poly)))
    if _cross_2d(p2, np.roll(p2, -1, axis=0)).sum() < 0:  # shoelace: clockwise in 2-D
        idx.reverse()  # so that ears are the left turns
    tris = []
    while len(idx) > 3:
        for k in range(len(idx)):
            i0, i1, i2 = idx[k - 1], idx[k], idx[(k + 1) % len(idx)]
            a, b, c = p2[i0], p2[i1], p2[i2]
            if _cross_2d(b - a, c - b) <= 1e-12:
                continue  # reflex or flat corner: not an ear
            others = p2[[j for j in idx if j not in (i0, i1, i2)]]
            # barycentric signs: an ear holds no other vertex
            w = [_cross_2d(q - p, others - p) for p, q in ((a, b), (b, c), (c, a))]
            if not np.any((w[0] >= 0) & (w[1] >= 0) & (w[2] >= 0)):
                tris.append(poly[[i0, i1, i2]])
                idx.pop(k)
                break
        else:  # degenerate outline: fan the rest rather than loop forever
            tris += [poly[[idx[0], idx[j], idx[j + 1]]] for j in range(1, len(idx) - 1)]
            return tris
    return tris + [poly[idx]]


class RoomOcclusion:
    """Line of sight and edge diffraction in a closed room of planar polygons [n_i, 3]."""

    def __init__(self, polygons: list[np.ndarray]) -> None:
        polys = [np.asarray(p, dtype=float) for p in polygons]
        # Faces must agree in orientation; turn them all if the divergence theorem gives
        # a negative volume, so that they run counter-clockwise seen from outside.
        if sum(float(p[0] @ _area_vector(p)) for p in polys) < 0:
            polys = [p[::-1] for p in polys]
        areas = [_area_vector(p) for p in polys]
        normals = [a / max(float(np.linalg.norm(a)), 1e-300) for a in areas]
        face_tris = [_ear_clip(p, n) for p, n in zip(polys, normals)]
        tris = np.array([t for ts in face_tris for t in ts]).reshape(-1, 3, 3)
        self.v0, self.e1, self.e2 = tris[:, 0], tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]
        # Per face: a point, the outward unit normal and its triangles' rows in v0/e1/e2.
        self.face_points = [p[0] for p in polys]
        self.face_normals = normals
        starts = np.cumsum([0] + [len(ts) for ts in face_tris])
        self._face_rows = [np.arange(a, b) for a, b in zip(starts[:-1], starts[1:])]
        self.area = float(sum(np.linalg.norm(a) for a in areas))  # m^2
        self.volume = float(sum(p[0] @ a for p, a in zip(polys, areas)) / 3.0)  # m^3 (divergence theorem)

        # Edges keyed by rounded end points, so faces with their own copies of shared
        # vertices (OBJ exports) still meet.  Value: (face, start, end) per face using it.
        shared: dict[tuple, list[tuple[int, np.ndarray, np.ndarray]]] = {}
        for f, p in enumerate(polys):
            for a, b in zip(p, np.roll(p, -1, axis=0)):
                if np.linalg.norm(b - a) > 1e-9:
                    key = tuple(sorted((tuple(np.round(a, 6)), tuple(np.round(b, 6)))))
                    shared.setdefault(key, []).append((f, a, b))
        edges, inward = [], []
        for uses in shared.values():
            if len(uses) != 2:
                continue  # open or non-manifold edge: not a corner of the room
            (fa, _, _), (fb, a, b) = uses
            # Faces run counter-clockwise seen from outside, so n_B x (edge as B runs it)
            # points from the edge into face B.  The edge is reflex (the room wraps
            # more than 180 degrees round it) when face B bends to the outer side of
            # face A.  Coplanar faces give 0 and are dropped by the margin.
            into_b = np.cross(normals[fb], (b - a) / np.linalg.norm(b - a))
            if float(normals[fa] @ into_b) > 1e-3:
                edges.append(np.stack([a, b]))
                bis = -(normals[fa] + normals[fb])  # into the room's wide side
                inward.append(bis / np.linalg.norm(bis))
        self.edges = np.array(edges).reshape(-1, 2, 3)  # [K, 2, 3] candidate diffracting edges
        self.edge_inward = np.array(inward).reshape(-1, 3)  # [K, 3] unit, into the room

    def on_face(self, face: int, points: np.ndarray) -> np.ndarray:
        """Whether ``points`` [N, 3], lying in the plane of face ``face``, are inside its polygon
        (edges included) -> [N] bool."""
        rows = self._face_rows[face]
        v0, e1, e2 = self.v0[rows], self.e1[rows], self.e2[rows]  # [T, 3]
        rel = np.asarray(points, dtype=float)[:, None, :] - v0  # [N, T, 3]
        # Barycentric coordinates in each triangle's plane (least squares in 3D).
        d00, d01, d11 = (e1 * e1).sum(-1), (e1 * e2).sum(-1), (e2 * e2).sum(-1)
        d20, d21 = (rel * e1).sum(-1), (rel * e2).sum(-1)
        den = np.where(np.abs(d00 * d11 - d01 * d01) > 1e-18, d00 * d11 - d01 * d01, 1.0)
        v = (d11 * d20 - d01 * d21) / den
        w = (d00 * d21 - d01 * d20) / den
        return ((v >= -1e-9) & (w >= -1e-9) & (v + w <= 1 + 1e-9)).any(axis=1)

    def in_sight(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether segments a-b cross no face.  a: [3] or [N, 3], b: [N, 3] -> [N] bool.

        Moller-Trumbore against every triangle, vectorised; crossings within
        END_TOL of either end are ignored so points on a wall still see.
        """
        b = np.atleast_2d(np.asarray(b, dtype=float))
        a = np.broadcast_to(np.asarray(a, dtype=float), b.shape)
        out = np.ones(len(b), dtype=bool)
        step = max(1, 2**18 // max(1, len(self.v0)))  # bounds the [n, T, 3] temporaries
        for i in range(0, len(b), step):
            o, d = a[i:i + step, None, :], (b[i:i + step] - a[i:i + step])[:, None, :]
            pvec = np.cross(d, self.e2)
            det = np.einsum("tk,ntk->nt", self.e1, pvec)
            ok = np.abs(det) > 1e-12  # parallel segments (grazing a wall) do not cross it
            inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
            tvec = o - self.v0
            u = np.einsum("ntk,ntk->nt", tvec, pvec) * inv
            qvec = np.cross(tvec, self.e1)
            v = np.einsum("ntk,ntk->nt", np.broadcast_to(d, qvec.shape), qvec) * inv
            t = np.einsum("tk,ntk->nt", self.e2, qvec) * inv
            tol = END_TOL / np.maximum(np.linalg.norm(d, axis=-1), 1e-12)
            # inclusive barycentric bounds: no leak along the seams between triangles
            hit = ok & (u >= -1e-9) & (v >= -1e-9) & (u + v <= 1 + 1e-9) & (t > tol) & (t < 1 - tol)
            out[i:i + step] = ~hit.any(axis=1)
        return out

    def _edge_paths(self, s: np.ndarray, ls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shortest S-E-L over each edge: points E [N, K, 3] and their s-coordinates [N, K].

        |S-E|+|E-L| along a line is convex; unfolding the two triangles into one
        plane makes the optimum where the straight line crosses the edge:
        s = sS + (sL - sS) rS / (rS + rL), clamped to the segment.
        """
        p0, axis = self.edges[:, 0], self.edges[:, 1] - self.edges[:, 0]
        size = np.linalg.norm(axis, axis=1)
        axis = axis / size[:, None]
        s_s = np.einsum("kd,kd->k", s - p0, axis)
        r_s = np.linalg.norm(s - p0 - s_s[:, None] * axis, axis=1)
        rel = ls[:, None, :] - p0
        s_l = np.einsum("nkd,kd->nk", rel, axis)
        r_l = np.linalg.norm(rel - s_l[..., None] * axis, axis=2)
        frac = r_s / np.maximum(r_s + r_l, 1e-12)
        pos = np.clip(s_s + (s_l - s_s) * frac, 0.0, size)
        return p0 + pos[..., None] * axis, pos

    def direct_route(self, source: np.ndarray, listeners: np.ndarray) -> DirectRoute:
        """Direct route from ``source`` [3] to ``listeners`` [N, 3].

        Out of sight: the shortest path over one candidate edge whose two legs
        are both in sight.  If none (two or more corners away) it falls back to
        the shortest one-edge path ignoring visibility, which underestimates the
        detour (and the loss) but keeps length and direction plausible.  With no
        edges at all (not a closed room) the straight line, detour = its length.
        """
        s = np.asarray(source, dtype=float).reshape(3)
        ls = np.atleast_2d(np.asarray(listeners, dtype=float))
        n = len(ls)
        dist = np.linalg.norm(ls - s, axis=1)
        seen = self.in_sight(s, ls)
        apparent, length, detour = np.repeat(s[None], n, axis=0), dist.copy(), np.zeros(n)
        if len(self.edges) == 0:
            detour[seen] = -np.inf
            detour[~seen] = dist[~seen]
            return DirectRoute(apparent, length, detour, seen)
        pts, pos = self._edge_paths(s, ls)  # [N, K, 3], [N, K]
        path = np.linalg.norm(pts - s, axis=2) + np.linalg.norm(pts - ls[:, None], axis=2)
        # Lit zone: minus the smallest extra path over any edge, 0 at the shadow boundary.
        detour[seen] = -(path[seen] - dist[seen, None]).min(axis=1)
        hid = np.flatnonzero(~seen)
        if len(hid):
            size = np.linalg.norm(self.edges[:, 1] - self.edges[:, 0], axis=1)
            axis = (self.edges[:, 1] - self.edges[:, 0]) / size[:, None]
            # Visibility from a point a few mm off the edge (and off its end corners),
            # so the faces meeting at the edge do not block their own edge.
            off = np.clip(pos[hid], NUDGE, np.maximum(size - NUDGE, NUDGE))
            probe = self.edges[:, 0] + off[..., None] * axis + NUDGE * self.edge_inward
            ok = np.stack([self.in_sight(s, probe[:, k]) & self.in_sight(probe[:, k], ls[hid])
                           for k in range(len(self.edges))], axis=1)
            best = np.where(ok.any(axis=1), np.where(ok, path[hid], np.inf).argmin(axis=1),
                            path[hid].argmin(axis=1))
            apparent[hid] = pts[hid, best]
            length[hid] = path[hid, best]
            detour[hid] = length[hid] - dist[hid]
        return DirectRoute(apparent, length, detour, seen)


def diffraction_loss_db(detour: np.ndarray, freqs_hz: np.ndarray, speed_of_sound: float) -> np.ndarray:
    """Attenuation (dB, >= 0) of the direct sound against free field at the same length.

    detour: [N] signed path difference (m), freqs_hz: [F] -> [N, F].  Kurze and
    Anderson (1971), Fresnel number N = 2 detour f / c, x = sqrt(2 pi |N|):
    shadow A = 5 + 20 log10(x / tanh x); lit (-0.2 < N <= 0)
    A = 5 + 20 log10(x / tan x) clamped at 0; 0 for N <= -0.2.  Both give 5 dB
    at N = 0 (x/tanh x and x/tan x tend to 1), so walking into the shadow is
    smooth.  Capped at MAX_LOSS_DB; 0 where the detour is -inf (no edge near).
    """
    d, f = np.asarray(detour, dtype=float), np.asarray(freqs_hz, dtype=float)
    unshadowed = np.isneginf(d)
    d = np.where(unshadowed, -1.0, d)
    fresnel = 2.0 * d[:, None] * f[None] / speed_of_sound
    x = np.sqrt(2.0 * np.pi * np.abs(fresnel))
    ratio = np.ones_like(x)  # the limit at N = 0
    shadow = fresnel > 0
    ratio[shadow] = x[shadow] / np.tanh(x[shadow])
    lit = (fresnel < 0) & (fresnel > -0.2)  # x < 1.13 < pi/2 here: tan x > 0
    ratio[lit] = x[lit] / np.tan(x[lit])
    loss = 5.0 + 20.0 * np.log10(ratio)
    loss[fresnel <= -0.2] = 0.0
    loss[unshadowed] = 0.0
    return np.clip(loss, 0.0, MAX_LOSS_DB)
