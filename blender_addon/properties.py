"""The add-on's data on each scene: ``scene.audiogs`` (saved in the .blend)."""

from __future__ import annotations

import bpy
from bpy.props import (BoolProperty, EnumProperty, FloatProperty, IntProperty,
                       PointerProperty, StringProperty)

DEVICE_OVERRIDE_ITEMS = [
    ("DEFAULT", "Preferences", "The device set in the add-on preferences"),
    ("auto", "Auto", "CUDA when available, otherwise the CPU"),
    ("cpu", "CPU", "The CPU"),
    ("cuda", "CUDA", "An NVIDIA GPU"),
]
# Output rates a bake accepts (Hz); 0 means the scene's audio rate.
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 192000
# The engine's built-in HRTFs (render --hrtf); any other Bake > HRTF value is a .sofa file.
HRTF_NAMES = ("sphere", "kemar")


def _core_presets() -> list[tuple[str, str, str]]:
    """"Default" (the core chooses, as ``audiogs train`` without --preset does), then the core's
    training presets, its default first."""
    from audiogs_core.train.presets import DEFAULT_PRESET, PRESETS, WITHOUT_SOURCE_PRESET

    names = [DEFAULT_PRESET] + [n for n in PRESETS if n != DEFAULT_PRESET]
    default = ("DEFAULT", "Default", f"{DEFAULT_PRESET.capitalize()}, or {WITHOUT_SOURCE_PRESET.capitalize()} "
               "where the scene has no speaker at the talker (the first needs its position)")
    return [default] + [(n, n.capitalize(), PRESETS[n].summary) for n in names]


# Enum items built by a callback must stay referenced (Blender keeps no copy);
# filled on first use, so the core is not imported while the add-on loads.
_PRESET_ITEMS: list[tuple[str, str, str]] = []


def preset_enum_items(self, context) -> list[tuple[str, str, str]]:
    if not _PRESET_ITEMS:
        _PRESET_ITEMS.extend(_core_presets())
    return _PRESET_ITEMS


def _display_changed(self: "AUDIOGS_SceneSettings", context: bpy.types.Context) -> None:
    scene = self.id_data
    if isinstance(scene, bpy.types.Scene):
        from . import ops_gaussians

        ops_gaussians.refresh_display(scene)


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
        name="Capture Sample Rate", default=0, min=0,
        description="Sample rate of the capture's recordings in Hz (set by the import)")
    capture_seconds: FloatProperty(  # type: ignore[valid-type]
        name="Recording Length", default=0.0, min=0.0, unit="TIME_ABSOLUTE",
        description="Length of the reference recording in seconds (set by the import)")

    # -- training
    model_dir: StringProperty(  # type: ignore[valid-type]
        name="Model", description=("Model folder: written by training, read by Load Gaussians and "
                                    "Bake (empty: <capture>_model)"),
        subtype="DIR_PATH")
    model_trained_at: StringProperty(  # type: ignore[valid-type]
        name="Trained At", description="When the model was last trained from this scene")
    train_epochs: IntProperty(  # type: ignore[valid-type]
        name="Epochs", default=61, min=1, soft_max=500,
        description="Passes over the train views (the preset's default is 61)")
    train_preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset", items=preset_enum_items,
        description="Training configuration: Default (Physical where the talker's position is known, "
                    "else Tuned), Physical (the talker posed by distance, head and room over a "
                    "decorrelated room), Tuned (the previous default) or Published (the paper's)")
    train_device: EnumProperty(  # type: ignore[valid-type]
        name="Device", items=DEVICE_OVERRIDE_ITEMS, default="DEFAULT",
        description="Where training runs (Preferences: the add-on preferences' device)")

    # -- Gaussians display
    max_points: IntProperty(  # type: ignore[valid-type]
        name="Max Points", description="Most Gaussians shown (the loudest are kept); 0: all",
        default=100000, min=0, update=_display_changed)
    show_spheres: BoolProperty(  # type: ignore[valid-type]
        name="Spheres", description="Show small spheres sized and coloured by energy",
        default=False, update=_display_changed)
    current_frame_only: BoolProperty(  # type: ignore[valid-type]
        name="Current Frame Only",
        description="Show only the Gaussians of the time cell at the current frame",
        default=False, update=_display_changed)

    # -- bake
    audio_start_frame: IntProperty(  # type: ignore[valid-type]
        name="Audio Start Frame",
        description="Frame where t = 0 of the capture's timeline sits (default: the scene's start)",
        get=_get_audio_start_frame, set=_set_audio_start_frame)
    audio_start_frame_value: IntProperty(  # type: ignore[valid-type]
        default=1, description="Audio Start Frame once set (internal)")
    audio_start_frame_set: BoolProperty(  # type: ignore[valid-type]
        default=False, description="Whether the Audio Start Frame was set (internal)")
    listener: PointerProperty(  # type: ignore[valid-type]
        name="Listener", type=bpy.types.Object,
        description="Object whose camera axes are the listener's head (empty: the scene camera)")
    bake_path: StringProperty(  # type: ignore[valid-type]
        name="Output", description="WAV to write (empty: next to the .blend)", subtype="FILE_PATH")
    bake_substeps: IntProperty(  # type: ignore[valid-type]
        name="Sub-frames", description="Listener samples per frame", default=1, min=1, max=16)
    bake_hrtf: StringProperty(  # type: ignore[valid-type]
        name="HRTF", subtype="FILE_PATH",
        description=("The listener's ears, for a model trained with the Physical preset: sphere, "
                     "kemar or a .sofa file (empty: the model's own)"))
    bake_sample_rate: IntProperty(  # type: ignore[valid-type]
        name="Sample Rate", default=0, min=0, soft_max=MAX_SAMPLE_RATE, subtype="NONE",
        description=(f"Output rate in Hz, {MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} "
                     "(0: the scene's audio rate, Output Properties > Audio)"))
    last_bake_path: StringProperty(  # type: ignore[valid-type]
        name="Last Bake", description="The WAV the last bake wrote", subtype="FILE_PATH")
    last_bake_info: StringProperty(  # type: ignore[valid-type]
        name="Last Bake Info", description="Listener, frames, length and rate of the last bake")


CLASSES = (AUDIOGS_SceneSettings,)


def register() -> None:
    bpy.types.Scene.audiogs = PointerProperty(type=AUDIOGS_SceneSettings)  # type: ignore[attr-defined, func-returns-value]


def unregister() -> None:
    del bpy.types.Scene.audiogs  # type: ignore[attr-defined]


def fill_unset(op: bpy.types.Operator, st: AUDIOGS_SceneSettings, names: tuple[str, ...],
               panel_names: dict[str, str] | None = None) -> None:
    """Give an operator's options the caller did not set the panel's values
    (Blender's convention: arguments from a script or the redo panel win)."""
    for name in names:
        if not op.properties.is_property_set(name):
            setattr(op, name, getattr(st, (panel_names or {}).get(name, name)))


def settings(scene: bpy.types.Scene) -> AUDIOGS_SceneSettings:
    return scene.audiogs  # type: ignore[attr-defined, no-any-return]
