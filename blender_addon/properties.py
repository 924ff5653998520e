"""The add-on's data on each scene: ``scene.audiogs`` (saved in the .blend)."""

from __future__ import annotations

import bpy
from bpy.props import (BoolProperty, EnumProperty, IntProperty, PointerProperty,
                       StringProperty)

DEVICE_OVERRIDE_ITEMS = [
    ("DEFAULT", "Preferences", "The device set in the add-on preferences"),
    ("auto", "Auto", "CUDA when available, otherwise the CPU"),
    ("cpu", "CPU", "The CPU"),
    ("cuda", "CUDA", "An NVIDIA GPU"),
]


def _get_audio_start_frame(self: "AUDIOGS_SceneSettings") -> int:
    # Until set, t = 0 of the capture's timeline sits at the scene's first frame.
    if self.audio_start_frame_set:
        return int(self.audio_start_frame_value)
    scene = self.id_data
    return int(scene.frame_start) if isinstance(scene, bpy.types.Scene) else 1


def _set_audio_start_frame(self: "AUDIOGS_SceneSettings", value: int) -> None:
    self.audio_start_frame_value = int(value)
    self.audio_start_frame_set = True
    scene = self.id_data
    if isinstance(scene, bpy.types.Scene):
        from . import gaussians_display

        gaussians_display.refresh_time_inputs(scene)


class AUDIOGS_SceneSettings(bpy.types.PropertyGroup):
    # -- capture
    capture_dir: StringProperty(  # type: ignore[valid-type]
        name="Capture", description="Capture folder (holds capture.json)", subtype="DIR_PATH")
    reference_audio: StringProperty(  # type: ignore[valid-type]
        name="Reference Audio", description="The capture's reference recording",
        subtype="FILE_PATH")
    capture_sample_rate: IntProperty(  # type: ignore[valid-type]
        name="Capture Sample Rate", default=0, min=0)

    # -- training
    model_dir: StringProperty(  # type: ignore[valid-type]
        name="Model", description="Model folder (written by training, read by display and bake)",
        subtype="DIR_PATH")
    model_trained_at: StringProperty(  # type: ignore[valid-type]
        name="Trained At", description="When the model was last trained from this scene")
    train_epochs: IntProperty(  # type: ignore[valid-type]
        name="Epochs", default=61, min=1, soft_max=500)
    train_device: EnumProperty(  # type: ignore[valid-type]
        name="Device", items=DEVICE_OVERRIDE_ITEMS, default="DEFAULT")

    # -- Gaussians display
    max_points: IntProperty(  # type: ignore[valid-type]
        name="Max Points", description="Most Gaussians shown (the loudest are kept); 0: all",
        default=100000, min=0)
    show_spheres: BoolProperty(  # type: ignore[valid-type]
        name="Spheres", description="Show small spheres sized and coloured by energy",
        default=False)
    current_frame_only: BoolProperty(  # type: ignore[valid-type]
        name="Current Frame Only",
        description="Show only the Gaussians of the time cell at the current frame",
        default=False)

    # -- bake
    audio_start_frame: IntProperty(  # type: ignore[valid-type]
        name="Audio Start Frame",
        description="Frame where t = 0 of the capture's timeline sits (default: the scene's start)",
        get=_get_audio_start_frame, set=_set_audio_start_frame)
    audio_start_frame_value: IntProperty(default=1)  # type: ignore[valid-type]
    audio_start_frame_set: BoolProperty(default=False)  # type: ignore[valid-type]
    listener: PointerProperty(  # type: ignore[valid-type]
        name="Listener", type=bpy.types.Object,
        description="Object whose camera axes are the listener's head (empty: the scene camera)")
    bake_path: StringProperty(  # type: ignore[valid-type]
        name="Output", description="WAV to write (empty: next to the .blend)", subtype="FILE_PATH")
    bake_substeps: IntProperty(  # type: ignore[valid-type]
        name="Sub-frames", description="Listener samples per frame", default=1, min=1, max=16)
    last_bake_path: StringProperty(name="Last Bake")  # type: ignore[valid-type]
    last_bake_info: StringProperty(name="Last Bake Info")  # type: ignore[valid-type]


CLASSES = (AUDIOGS_SceneSettings,)


def register() -> None:
    bpy.types.Scene.audiogs = PointerProperty(type=AUDIOGS_SceneSettings)  # type: ignore[attr-defined, func-returns-value]


def unregister() -> None:
    del bpy.types.Scene.audiogs  # type: ignore[attr-defined]


def settings(scene: bpy.types.Scene) -> AUDIOGS_SceneSettings:
    return scene.audiogs  # type: ignore[attr-defined, no-any-return]
