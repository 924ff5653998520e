"""Blender state <-> the core's world: poses, times, listener paths, meshes.

File formats are the core's (``audiogs_core.io``); this module only converts.
Conventions (DESIGN.md §2): the world is Blender's (Z up, metres after
``unit_settings.scale_length``); a listener's head frame *is* Blender's camera
frame, so the pose of any object is its world position and the quaternion
(w, x, y, z) of its world rotation, with the object's scale removed.
"""

from __future__ import annotations

from typing import Sequence

import bpy
import numpy as np
from mathutils import Matrix, Quaternion, Vector

from audiogs_core.io.obj_mesh import ObjMesh

# Custom properties that mark objects for capture export (plain ID properties,
# so they survive without the add-on and in Blender 5).
PROP_AUDIO = "audiogs_audio"      # path of the object's recording
PROP_SPLIT = "audiogs_split"      # "train", "test" or "reference"
PROP_OFFSET = "audiogs_offset"    # seconds on the shared timeline
PROP_VIEW = "audiogs_view"        # view name in capture.json (default: object name)
PROP_REF_POSE = "audiogs_reference_pose"  # "none", "position" or "full"
PROP_SOURCE = "audiogs_source"    # source name (speakers at known sources)
PROP_ROOM = "audiogs_room"        # the room mesh
PROP_CAPTURE = "audiogs_capture"  # on the imported collection: its capture folder
PROP_GAUSSIANS = "audiogs_gaussians"  # on the Gaussians object: its model folder

# An object's split is a view's (audiogs_core.io.capture.SPLITS) or this one:
# the reference recording every view is rendered from.
REFERENCE_SPLIT = "reference"


class AddonError(Exception):
    """A user-facing failure of an add-on action: one line that says what to do."""


def scale_length(scene: bpy.types.Scene) -> float:
    """Metres per Blender unit."""
    s = float(scene.unit_settings.scale_length)
    return s if s > 0 else 1.0


def scene_fps(scene: bpy.types.Scene) -> float:
    return float(scene.render.fps) / float(scene.render.fps_base)


def frame_time(frame: float, audio_start_frame: int, fps: float) -> float:
    """Seconds on the capture's timeline at (possibly fractional) ``frame``."""
    return (float(frame) - float(audio_start_frame)) / fps


def pose_from_matrix(matrix_world: Matrix, metres_per_unit: float = 1.0
                     ) -> tuple[list[float], list[float]]:
    """(position [3] in metres, rotation [4] wxyz) of a world matrix, scale removed."""
    loc, rot, _scale = matrix_world.decompose()
    q = rot.normalized()
    # Blender stores float32: more digits than these are noise in the JSON.
    position = [round(float(c) * metres_per_unit, 6) for c in loc.to_tuple()]
    return position, [round(float(c), 7) for c in (q.w, q.x, q.y, q.z)]


def set_pose(obj: bpy.types.Object, position: Sequence[float] | np.ndarray,
             rotation: Sequence[float] | np.ndarray | None, metres_per_unit: float = 1.0) -> None:
    """Place an unparented object at a pose given in metres (rotation wxyz or None)."""
    obj.location = Vector([float(c) / metres_per_unit for c in position])
    obj.rotation_mode = "QUATERNION"
    if rotation is not None:
        obj.rotation_quaternion = Quaternion([float(c) for c in rotation]).normalized()


def listener_frames(frame_start: int, frame_end: int, substeps: int) -> list[tuple[int, float]]:
    """(frame, subframe) samples covering frames A..B inclusive: A, A + 1/s, ..., B + 1.

    Frames A..B last (B - A + 1) frames, so the path ends at the start of B + 1.
    """
    s = max(1, int(substeps))
    out = []
    for i in range((frame_end - frame_start + 1) * s + 1):
        whole, part = divmod(i, s)
        out.append((frame_start + whole, part / s))
    return out


def sample_listener(scene: bpy.types.Scene, obj: bpy.types.Object, frame_start: int,
                    frame_end: int, audio_start_frame: int, substeps: int = 1
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The listener's world pose per (sub-)frame: times [N], positions [N, 3], rotations [N, 4].

    Evaluates the animation with ``frame_set`` and restores the current frame
    (and sub-frame) afterwards, also on errors.
    """
    fps = scene_fps(scene)
    metres = scale_length(scene)
    samples = listener_frames(frame_start, frame_end, substeps)
    times = np.empty(len(samples))
    positions = np.empty((len(samples), 3))
    rotations = np.empty((len(samples), 4))
    frame0, sub0 = scene.frame_current, scene.frame_subframe
    try:
        for i, (frame, sub) in enumerate(samples):
            scene.frame_set(frame, subframe=sub)
            pos, rot = pose_from_matrix(obj.matrix_world, metres)
            times[i] = frame_time(frame + sub, audio_start_frame, fps)
            positions[i] = pos
            rotations[i] = rot
    finally:
        scene.frame_set(frame0, subframe=sub0)
    # Keep consecutive quaternions in one hemisphere (q and -q are the same
    # rotation); slerp takes the short arc anyway, this keeps the file tidy.
    for i in range(1, len(rotations)):
        if float(np.dot(rotations[i], rotations[i - 1])) < 0:
            rotations[i] = -rotations[i]
    return times, positions, rotations


def world_mesh(obj: bpy.types.Object, metres_per_unit: float,
               depsgraph: bpy.types.Depsgraph | None = None) -> ObjMesh:
    """A mesh object (modifiers applied when ``depsgraph`` is given) in world
    coordinates and metres, for ``audiogs_core.io.obj_mesh.write_obj``."""
    eval_obj = obj.evaluated_get(depsgraph) if depsgraph is not None else obj
    mesh = eval_obj.to_mesh()
    try:
        mw = obj.matrix_world
        vertices = np.array([(mw @ v.co).to_tuple() for v in mesh.vertices], dtype=np.float64).reshape(-1, 3)
        faces = [list(poly.vertices) for poly in mesh.polygons]
    finally:
        eval_obj.to_mesh_clear()
    return ObjMesh(obj.name, vertices * metres_per_unit, faces)
