"""Training through the engine (``audiogs.train``)."""

from __future__ import annotations

import datetime
from pathlib import Path

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

from audiogs_core.io.wav_header import wav_info

from ._typing import OpResult
from . import engine, preferences, properties
from .engine import EngineError, EngineJob
from .modal_job import EngineJobOperator
from .ops_capture import export_capture
from .scene_io import PROP_AUDIO, PROP_SPLIT, AddonError


def default_model_dir(capture_dir: str) -> str:
    """``<capture>_model`` next to the capture folder."""
    p = Path(bpy.path.abspath(capture_dir))
    return str(p.parent / f"{p.name}_model")


def train_args(capture_dir: str, model_dir: str, epochs: int, device: str, resume: bool,
               overwrite: bool, preset: str = "") -> list[str]:
    args = ["train", capture_dir, "--out", model_dir, "--device", device, "--epochs", str(epochs)]
    if preset and preset != "DEFAULT":  # "DEFAULT": the core chooses (audiogs train without --preset)
        args += ["--preset", preset]
    if resume:
        args.append("--resume")
    elif overwrite:
        args.append("--force")
    return args


def has_marked_views(scene: bpy.types.Scene) -> bool:
    return any(o.get(PROP_AUDIO) is not None and o.get(PROP_SPLIT) in ("train", "test")
               for o in scene.objects)


def default_capture_dir() -> str:
    """``<blend>_capture`` next to the saved .blend (where the scene's capture is written)."""
    if not bpy.data.filepath:
        raise AddonError("save the .blend first: the capture of the marked cameras is written "
                         "next to it (or import a capture)")
    blend = Path(bpy.data.filepath)
    return str(blend.parent / f"{blend.stem}_capture")


def trains_on_marked_cameras(scene: bpy.types.Scene) -> bool:
    """Whether training writes the capture from the scene's cameras: no capture was
    imported (or the one there is the one written from the scene before)."""
    st = properties.settings(scene)
    if not st.capture_dir:
        return True
    return bool(bpy.data.filepath) and \
        bpy.path.abspath(st.capture_dir).rstrip("/\\") == default_capture_dir()


def capture_for_training(context: bpy.types.Context) -> str:
    """The folder to train on: an imported capture as it is; otherwise the scene's
    marked cameras written (again, so that it follows the scene) as ``<blend>_capture``,
    which the scene then refers to."""
    from audiogs_core.io.capture import load_capture

    scene = context.scene
    st = properties.settings(scene)
    if not trains_on_marked_cameras(scene):
        return check_capture(st.capture_dir)
    if not has_marked_views(scene):
        raise AddonError("no capture: import one (File > Import > AudioGS Capture) or mark "
                         "cameras with their recordings (AudioGS sidebar > Capture > Mark as View)")
    try:
        folder = export_capture(context, default_capture_dir())
    except OSError as exc:
        raise AddonError(f"cannot write the scene's capture: {exc}") from exc
    checked = check_capture(str(folder))
    st.capture_dir = str(folder)
    info = wav_info(load_capture(folder).reference.audio)
    st.capture_sample_rate, st.capture_seconds = info.sample_rate, info.seconds
    return checked


def check_capture(capture_dir: str) -> str:
    """The capture folder, validated (so the engine is not started for nothing)."""
    from audiogs_core.errors import AudioGSError
    from audiogs_core.io.capture import load_capture

    if not capture_dir:
        raise AddonError("no capture: import one first (File > Import > AudioGS Capture)")
    folder = bpy.path.abspath(capture_dir)
    try:
        load_capture(folder)
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc
    return folder


class AUDIOGS_OT_train(EngineJobOperator):
    """Train an AudioGS model on the scene's capture in a separate engine process"""

    bl_idname = "audiogs.train"
    bl_label = "Train"
    bl_options = {"REGISTER"}

    model_dir: StringProperty(  # type: ignore[valid-type]
        name="Model", description="Model folder to write (empty: the scene's, else <capture>_model)",
        subtype="DIR_PATH")
    epochs: IntProperty(  # type: ignore[valid-type]
        name="Epochs", description="Passes over the train views (unset: the Train panel's)",
        default=61, min=1)
    device: EnumProperty(  # type: ignore[valid-type]
        name="Device", items=properties.DEVICE_OVERRIDE_ITEMS, default="DEFAULT",
        description="Where training runs (unset: the Train panel's)")
    preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset", items=properties.preset_enum_items,
        description="Training configuration (unset: the Train panel's)")
    resume: BoolProperty(  # type: ignore[valid-type]
        name="Resume", description="Continue an interrupted training from its last checkpoint")
    overwrite: BoolProperty(  # type: ignore[valid-type]
        name="Overwrite", description="Replace an existing model folder")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        scene = context.scene
        if scene is None or not (properties.settings(scene).capture_dir or has_marked_views(scene)):
            cls.poll_message_set("Import a capture first (File > Import > AudioGS Capture) "
                                 "or mark cameras as views")
            return False
        return True

    def _prepare(self, context: bpy.types.Context) -> tuple[EngineJob, str] | None:
        scene = context.scene
        st = properties.settings(scene)
        # Options given by the caller win; the others come from the Train panel.
        properties.fill_unset(self, st, ("epochs", "device", "preset"),
                              {"epochs": "train_epochs", "device": "train_device",
                               "preset": "train_preset"})
        try:
            python, pref_device = preferences.engine_settings(context)
            device = pref_device if self.device == "DEFAULT" else self.device
            if trains_on_marked_cameras(scene):
                # Write the scene's capture only once the engine is known to run.
                config = engine.prepare(python, device)
                capture = capture_for_training(context)
            else:  # the cheap check first
                capture = capture_for_training(context)
                config = engine.prepare(python, device)
            model_dir = bpy.path.abspath(self.model_dir or st.model_dir
                                         or default_model_dir(st.capture_dir))
        except (AddonError, EngineError) as exc:
            self.report({"ERROR"}, str(exc))
            return None
        args = train_args(capture, model_dir, self.epochs, device, self.resume, self.overwrite,
                          self.preset)
        return EngineJob(config, args, label="train", unit="epoch", units=self.epochs), model_dir

    def _finisher(self, scene: bpy.types.Scene, model_dir: str):
        def finish(done: dict) -> str:
            st = properties.settings(scene)
            st.model_dir = model_dir
            st.model_trained_at = datetime.datetime.now().isoformat(timespec="seconds")
            return f"Trained model written to {model_dir}"
        return finish

    def execute(self, context: bpy.types.Context) -> OpResult:
        prepared = self._prepare(context)
        if prepared is None:
            return {"CANCELLED"}
        job, model_dir = prepared
        return self.run_blocking(job, self._finisher(context.scene, model_dir))

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OpResult:
        if bpy.app.background or context.window is None:
            return self.execute(context)
        prepared = self._prepare(context)
        if prepared is None:
            return {"CANCELLED"}
        job, model_dir = prepared
        return self.run_modal(context, "train", job, self._finisher(context.scene, model_dir))


CLASSES = (AUDIOGS_OT_train,)
