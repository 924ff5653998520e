"""Runs under the bpy wheel: open the demo's .blend and describe it as JSON.

    python _demo_blend_check.py DEMO.blend OUT.json

Registers the add-on from the source tree (so ``scene.audiogs`` reads back),
opens the file and writes what test_demo.py asserts on: the orbit camera's
pose at a few frames, the sound strips, the add-on's scene settings, the
Gaussians object.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def describe(blend: str) -> dict:
    import bpy

    sys.path.insert(0, str(ROOT))
    import blender_addon

    bpy.ops.wm.read_homefile(use_empty=True)
    blender_addon.register()
    bpy.ops.wm.open_mainfile(filepath=blend)
    scene = bpy.context.scene
    st = scene.audiogs
    cam = scene.camera
    poses = {}
    if cam is not None:
        for frame in sorted({scene.frame_start, (scene.frame_start + scene.frame_end) // 2,
                             scene.frame_end, scene.frame_end + 1}):
            scene.frame_set(frame)
            m = cam.matrix_world
            look = m.to_3x3() @ __import__("mathutils").Vector((0.0, 0.0, -1.0))
            poses[frame] = {"position": list(m.translation), "look": list(look)}
    se = scene.sequence_editor
    strips = []
    for s in (se.strips_all if se else []):
        sound = getattr(s, "sound", None)
        strips.append({
            "name": s.name, "type": s.type, "frame_start": s.frame_start,
            "duration": s.frame_final_duration,
            "file": bpy.path.abspath(sound.filepath) if sound is not None else None,
        })
    speakers = [o for o in scene.objects if o.get("audiogs_source") is not None]
    gauss = scene.objects.get("AudioGS Gaussians")
    out = {
        "camera": cam.name if cam is not None else None,
        "camera_type": cam.type if cam is not None else None,
        "animated": bool(cam is not None and cam.animation_data and cam.animation_data.action),
        "poses": poses,
        "source": list(speakers[0].matrix_world.translation) if speakers else None,
        "frame_start": scene.frame_start, "frame_end": scene.frame_end,
        "fps": scene.render.fps / scene.render.fps_base,
        "audio_rate": scene.render.ffmpeg.audio_mixrate,
        "strips": strips,
        "model_dir": bpy.path.abspath(st.model_dir), "capture_dir": bpy.path.abspath(st.capture_dir),
        "stored_paths": [st.model_dir, st.capture_dir, st.last_bake_path],
        "last_bake_path": bpy.path.abspath(st.last_bake_path),
        "gaussian_points": len(gauss.data.vertices) if gauss is not None else None,
        "objects": sorted(o.name for o in scene.objects),
    }
    blender_addon.unregister()
    return out


if __name__ == "__main__":
    result = describe(sys.argv[1])
    Path(sys.argv[2]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # the bpy wheel can hang at interpreter exit (DESIGN.md §9)
