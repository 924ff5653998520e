"""First-order reflections of the talker off the room's faces, as image sources (flag
``early_reflections``).

A listener in a room hears the direct sound, then, a few milliseconds later, the talker's sound
off each wall, floor and ceiling once: the image-source method (Allen and Berkley, 1979) puts
each of these at the talker mirrored in the face's plane. Each has its own route: its own
length (so its own delay and its own 1/r fall), its own direction (so its own ITD and head
shadow) and its own line of sight. A moving listener's first reflections change as the
direct sound does, which a room recorded at the train views cannot (in small rooms they are
much of what the room sends a listener early on, and they fall with distance nearly as fast as
the direct sound).

A reflection off the face with polygon P (outward unit normal n) reaches listener L when the
talker S and L are both on the room's side of its plane, the segment from L to the image
S' = S + 2 h_S n crosses the plane inside P (at the reflection point Q), and the legs S-Q and
Q-L both see (no other face crosses them).

Its strength: the face keeps the share 1 - alpha of the energy. Eyring's reverberation time,
T60 = 24 ln(10) V / (c S (-ln(1 - alpha))), with the room's measured amplitude decay time tau
(T60 = 3 ln(10) tau), gives 1 - alpha = exp(-8 V / (c S tau)): the amplitude a reflection keeps
is that of the room's decay over one mean free path 4 V / S. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audiogs_core.model.occlusion import RoomOcclusion

BLOCKED_DB = 300.0  # the loss of a reflection that does not reach a listener (nothing heard)


@dataclass
class Reflections:
    """The first-order reflections reaching M listeners, I faces.

    image: [I, 3] the talker mirrored in each face's plane (where its reflection comes from).
    length: [M, I] the path length |S' - L| (m).
    reaches: [M, I] bool: whether the reflection reaches the listener.
    """

    image: np.ndarray
    length: np.ndarray
    reaches: np.ndarray


def first_order(room: RoomOcclusion, source: np.ndarray, listeners: np.ndarray) -> Reflections:
    """The first-order reflections of the talker at ``source`` [3] reaching ``listeners`` [M, 3]."""
    s = np.asarray(source, dtype=float).reshape(3)
    ls = np.atleast_2d(np.asarray(listeners, dtype=float))
    images, lengths, reaches = [], [], []
    for face, (point, normal) in enumerate(zip(room.face_points, room.face_normals)):
        h_s = float((point - s) @ normal)  # the talker's height under the plane (> 0 inside)
        image = s + 2.0 * h_s * normal
        h_l = (point - ls) @ normal  # [M]
        length = np.linalg.norm(image - ls, axis=1)
        ok = (h_l > 0.0) & (h_s > 0.0)
        hit = np.zeros(len(ls), dtype=bool)
        if ok.any():
            frac = h_l[ok] / (h_l[ok] + h_s)
            q = ls[ok] + frac[:, None] * (image - ls[ok])  # where the path meets the plane
            inside = room.on_face(face, q)
            sees = inside.copy()
            if inside.any():
                idx = np.flatnonzero(inside)
                sees[idx] = room.in_sight(s, q[idx]) & room.in_sight(ls[ok][idx], q[idx])
            hit[np.flatnonzero(ok)] = sees
        images.append(image)
        lengths.append(length)
        reaches.append(hit)
    if not images:
        return Reflections(np.zeros((0, 3)), np.zeros((len(ls), 0)), np.zeros((len(ls), 0), dtype=bool))
    return Reflections(np.stack(images), np.stack(lengths, axis=1), np.stack(reaches, axis=1))


def reflection_loss_db(room: RoomOcclusion, decay_tau: np.ndarray, speed_of_sound: float) -> np.ndarray:
    """[F] dB: what one reflection loses, 20 log10 e * 4 V / (c S tau) (Eyring, see the module
    note), from the room's amplitude decay time ``decay_tau`` [F] (s)."""
    free_time = 4.0 * room.volume / (speed_of_sound * room.area)  # the mean free path's time, s
    return (20.0 / np.log(10.0)) * free_time / np.clip(np.asarray(decay_tau, dtype=float), 1e-3, None)
