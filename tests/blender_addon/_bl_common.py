"""Checks shared by the Blender drivers (imported inside the bpy process)."""

from __future__ import annotations

import numpy as np


def snapshot(bpy) -> dict:
    """What an operator that failed must leave as it was."""
    scene = bpy.context.scene
    st = scene.audiogs
    se = scene.sequence_editor
    return {
        "objects": sorted((o.name, o.type, tuple(round(c, 6) for c in o.matrix_world.col[3]))
                          for o in bpy.data.objects),
        "collections": sorted(c.name for c in bpy.data.collections),
        "meshes": sorted(m.name for m in bpy.data.meshes),
        "settings": {p.identifier: repr(getattr(st, p.identifier))
                     for p in st.bl_rna.properties if p.identifier != "rna_type"},
        "strips": sorted((s.name, s.frame_final_start, s.channel) for s in se.strips_all) if se else None,
        "frame": (scene.frame_current, scene.frame_subframe),
    }


def expect_error(bpy, op, match: str, **kwargs) -> str:
    """Call an operator that must fail with one error report containing ``match``
    (bpy.ops turns an ERROR report into RuntimeError) and change nothing."""
    before = snapshot(bpy)
    try:
        op(**kwargs)
    except RuntimeError as exc:
        message = str(exc)
    else:
        raise AssertionError(f"{op} with {kwargs} did not fail")
    assert match.lower() in message.lower(), message
    assert "Traceback" not in message, message
    after = snapshot(bpy)
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    return message


def same_rotation(q1, q2, tol: float = 1e-5) -> bool:
    """Unit quaternions equal up to sign."""
    return abs(abs(float(np.dot(np.asarray(q1), np.asarray(q2)))) - 1.0) < tol
