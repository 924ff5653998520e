"""Add-on preferences: which Python runs the engine, and on which device."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, StringProperty

from . import engine

DEVICE_ITEMS = [
    ("auto", "Auto", "CUDA when the engine Python sees a GPU, otherwise the CPU"),
    ("cpu", "CPU", "Always the CPU"),
    ("cuda", "CUDA", "An NVIDIA GPU (fails when none is available)"),
]


class AUDIOGS_AddonPreferences(bpy.types.AddonPreferences):
    # The add-on loads as bl_ext.<repo>.audiogs; __package__ is that name here.
    bl_idname = __package__

    python_path: StringProperty(  # type: ignore[valid-type]
        name="Engine Python",
        description=("Python interpreter with torch that runs training and rendering; "
                     "empty: Blender's own Python when it can import torch"),
        subtype="FILE_PATH",
        default="",
    )
    device: EnumProperty(  # type: ignore[valid-type]
        name="Device", description="Where the engine trains and renders",
        items=DEVICE_ITEMS, default="auto",
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.prop(self, "python_path")
        layout.prop(self, "device")
        if not self.python_path.strip():
            if engine.blender_python_has_torch():
                layout.label(text="Using Blender's own Python (torch found)", icon="CHECKMARK")
            else:
                layout.label(text="Blender's Python has no torch: set an Engine Python",
                             icon="ERROR")
        layout.label(text=f"Add-on core version {engine.addon_version()}")


def get_preferences(context: bpy.types.Context | None = None) -> AUDIOGS_AddonPreferences | None:
    """This add-on's preferences, or None when it runs unregistered as an add-on
    (for example registered by hand from the source tree)."""
    ctx = context or bpy.context
    addon: bpy.types.Addon | None = ctx.preferences.addons.get(__package__ or "")
    return addon.preferences if addon is not None else None  # type: ignore[return-value]


def engine_settings(context: bpy.types.Context | None = None) -> tuple[str, str]:
    """(preferred engine Python, device) from the preferences, defaults without them."""
    prefs = get_preferences(context)
    if prefs is None:
        return "", "auto"
    return prefs.python_path, prefs.device


CLASSES = (AUDIOGS_AddonPreferences,)
