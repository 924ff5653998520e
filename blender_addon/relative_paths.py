"""Paths that move with the .blend: on every save the add-on's paths (model
folder, capture, output, last bake, a .sofa HRTF) and the baked strips' sounds are stored
with Blender's relative ``//`` convention, relative to the file being written.

Blender remaps its own relative paths on "Save As" but leaves absolute ones
and add-on strings alone; this handler covers both, for saves from the UI,
from scripts and from ``scripts/bake.py --save``. It follows the user's
preference (Preferences > File Paths > Default Relative Paths).
"""

from __future__ import annotations

import os

import bpy
from bpy.app.handlers import persistent

from . import properties

# The scene settings that hold file or folder paths.
PATH_SETTINGS = ("capture_dir", "reference_audio", "model_dir", "bake_path", "last_bake_path",
                 "bake_hrtf")


def relative_to(path: str, old_blend: str, new_blend: str) -> str:
    """``path`` (absolute, or ``//`` relative to ``old_blend``) as ``//...`` relative
    to ``new_blend``'s folder; unchanged when empty or on another drive."""
    if not path or not new_blend:
        return path
    absolute = bpy.path.abspath(path, start=os.path.dirname(old_blend) if old_blend else None)
    if absolute.startswith("//"):  # relative to an unsaved file: nothing to anchor it to
        return path
    trailing = os.sep if path.endswith(("/", "\\")) else ""
    try:
        rel = bpy.path.relpath(os.path.normpath(absolute), start=os.path.dirname(new_blend))
    except ValueError:  # another drive (Windows)
        return path
    return rel + trailing


@persistent
def make_paths_relative(*args: object) -> None:
    """save_pre handler: Blender passes the path being written (``bpy.data.filepath``
    still names the old file)."""
    new = next((a for a in args if isinstance(a, str)), "") or bpy.data.filepath
    if not new or not bpy.context.preferences.filepaths.use_relative_paths:
        return
    old = bpy.data.filepath
    for scene in bpy.data.scenes:
        st = properties.settings(scene)
        for name in PATH_SETTINGS:
            value = getattr(st, name)
            if name == "bake_hrtf" and value.strip() in properties.HRTF_NAMES:  # a name, not a file
                continue
            rel = relative_to(value, old, new)
            if rel != value:
                setattr(st, name, rel)
        se = scene.sequence_editor
        for strip in (se.strips_all if se is not None else []):
            sound = getattr(strip, "sound", None)
            if sound is not None and sound.filepath and not sound.packed_file:
                # Relative to the file as it is now: Blender's own remap on Save As
                # then moves datablock paths to the new file's folder.
                rel = relative_to(sound.filepath, old, old or new)
                if rel != sound.filepath:
                    sound.filepath = rel


def register() -> None:
    if make_paths_relative not in bpy.app.handlers.save_pre:
        bpy.app.handlers.save_pre.append(make_paths_relative)


def unregister() -> None:
    if make_paths_relative in bpy.app.handlers.save_pre:
        bpy.app.handlers.save_pre.remove(make_paths_relative)
