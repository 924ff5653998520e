"""Training through the engine (``audiogs.train``)."""

from __future__ import annotations

import datetime
from pathlib import Path

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

from ._typing import OpResult
from . import engine, preferences, properties
from .engine import EngineError, EngineJob
from .modal_job import EngineJobOperator
from .scene_io import AddonError


def default_model_dir(capture_dir: str) -> str:
    """``<capture>_model`` next to the capture folder."""
    p = Path(bpy.path.abspath(capture_dir))
    return str(p.parent / f"{p.name}_model")


def train_args(capture_dir: str, model_dir: str, epochs: int, device: str, resume: bool,
               overwrite: bool) -> list[str]:
    args = ["train", capture_dir, "--out", model_dir, "--device", device, "--epochs", str(epochs)]
    if resume:
        args.append("--resume")
    elif overwrite:
        args.append("--force")
    return args


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
    epochs: IntProperty(name="Epochs", default=61, min=1)  # type: ignore[valid-type]
    device: EnumProperty(  # type: ignore[valid-type]
        name="Device", items=properties.DEVICE_OVERRIDE_ITEMS, default="DEFAULT")
    resume: BoolProperty(  # type: ignore[valid-type]
        name="Resume", description="Continue an interrupted training from its last checkpoint")
    overwrite: BoolProperty(  # type: ignore[valid-type]
        name="Overwrite", description="Replace an existing model folder")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.scene is None or not properties.settings(context.scene).capture_dir:
            cls.poll_message_set("Import a capture first (File > Import > AudioGS Capture)")
            return False
        return True

    def _prepare(self, context: bpy.types.Context) -> tuple[EngineJob, str] | None:
        scene = context.scene
        st = properties.settings(scene)
        try:
            capture = check_capture(st.capture_dir)
            model_dir = bpy.path.abspath(self.model_dir or st.model_dir
                                         or default_model_dir(st.capture_dir))
            python, pref_device = preferences.engine_settings(context)
            device = pref_device if self.device == "DEFAULT" else self.device
            config = engine.prepare(python, device)
        except (AddonError, EngineError) as exc:
            self.report({"ERROR"}, str(exc))
            return None
        args = train_args(capture, model_dir, self.epochs, device, self.resume, self.overwrite)
        return EngineJob(config, args, label="train"), model_dir

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
        if not self.properties.is_property_set("epochs"):
            self.epochs = properties.settings(context.scene).train_epochs
        if not self.properties.is_property_set("device"):
            self.device = properties.settings(context.scene).train_device
        if bpy.app.background or context.window is None:
            return self.execute(context)
        prepared = self._prepare(context)
        if prepared is None:
            return {"CANCELLED"}
        job, model_dir = prepared
        return self.run_modal(context, "train", job, self._finisher(context.scene, model_dir))


CLASSES = (AUDIOGS_OT_train,)
