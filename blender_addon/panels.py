"""3D View sidebar tab "AudioGS": Capture, Train, Gaussians, Bake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from . import look, properties
from .modal_job import ACTIVE_JOBS
from .ops_train import has_marked_views
from .scene_io import PROP_AUDIO, PROP_SPLIT, PROP_VIEW, scene_fps

def _object_icon(obj: bpy.types.Object) -> Any:
    if obj.type == "CAMERA":
        return "OUTLINER_OB_CAMERA"
    if obj.type == "SPEAKER":
        return "OUTLINER_OB_SPEAKER"
    return "OUTLINER_OB_EMPTY" if obj.type == "EMPTY" else "OBJECT_DATA"


def _legend(layout: bpy.types.UILayout) -> None:
    col = layout.column(align=True)
    for _kind, text in look.LEGEND:
        col.label(text=text, icon="DOT")


class _AudioGSPanel(bpy.types.Panel):
    """Base of the sidebar panels (not registered itself)."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "AudioGS"


def _job_progress(layout: bpy.types.UILayout, kind: str) -> bool:
    job = ACTIVE_JOBS.get(kind)
    if job is None:
        return False
    text = f"{job.status_text()} (Esc to cancel)"
    if hasattr(layout, "progress"):
        layout.progress(factor=job.fraction, type="BAR", text=text)
    else:
        layout.label(text=text, icon="TIME")
    return True


class AUDIOGS_PT_capture(_AudioGSPanel):
    bl_label = "Capture"
    bl_idname = "AUDIOGS_PT_capture"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        st = properties.settings(context.scene)
        if st.capture_dir:
            layout.label(text=f"Capture: {Path(st.capture_dir).name}", icon="CHECKMARK")
            views = [o for o in context.scene.objects if o.get(PROP_VIEW) is not None]
            n_test = sum(1 for o in views if o.get(PROP_SPLIT) == "test")
            layout.label(text=f"{len(views) - n_test} train, {n_test} test views, "
                              f"{st.capture_seconds:.2f} s at {st.capture_sample_rate} Hz")
        else:
            layout.label(text="No capture loaded", icon="INFO")
        row = layout.row(align=True)
        row.operator("audiogs.import_capture", text="Import", icon="IMPORT")
        row.operator("audiogs.export_capture", text="Export", icon="EXPORT")
        layout.operator("audiogs.add_overview", icon="VIEW_CAMERA")
        obj = context.active_object
        box = layout.box()
        if obj is not None and obj.get(PROP_AUDIO) is not None:
            box.label(text=f"{obj.name}:", icon=_object_icon(obj))
            box.prop(obj, f'["{PROP_AUDIO}"]', text="Audio")
            box.prop(obj, f'["{PROP_SPLIT}"]', text="Split")
            if obj.get(PROP_VIEW) is not None:
                box.prop(obj, f'["{PROP_VIEW}"]', text="View Name")
        else:
            box.label(text="Active object carries no audio")
        box.operator("audiogs.mark_view", icon="OUTLINER_OB_CAMERA")
        _legend(layout)


class AUDIOGS_PT_train(_AudioGSPanel):
    bl_label = "Train"
    bl_idname = "AUDIOGS_PT_train"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        st = properties.settings(context.scene)
        if _job_progress(layout, "train"):
            return
        if st.model_dir:
            when = st.model_trained_at or "earlier"
            layout.label(text=f"Model: {Path(st.model_dir).name} (trained {when})", icon="CHECKMARK")
        else:
            layout.label(text="No model yet", icon="INFO")
        layout.prop(st, "model_dir")
        layout.prop(st, "train_preset")
        layout.prop(st, "train_epochs")
        layout.prop(st, "train_device")
        col = layout.column()
        col.enabled = bool(st.capture_dir) or has_marked_views(context.scene)
        if st.model_dir and (Path(bpy.path.abspath(st.model_dir)) / "model.json").is_file():
            row = col.row(align=True)
            op = row.operator("audiogs.train", text="Resume", icon="PLAY")
            op.resume = True
            op = row.operator("audiogs.train", text="Retrain", icon="FILE_REFRESH")
            op.overwrite = True
        else:
            col.operator("audiogs.train", icon="PLAY")
        if not col.enabled:
            layout.label(text="Import a capture or mark cameras as views to train", icon="ERROR")


class AUDIOGS_PT_gaussians(_AudioGSPanel):
    bl_label = "Gaussians"
    bl_idname = "AUDIOGS_PT_gaussians"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        st = properties.settings(context.scene)
        shown: bpy.types.Object | None = context.scene.objects.get("AudioGS Gaussians")
        if shown is not None and shown.type == "MESH":
            layout.label(text=f"{len(shown.data.vertices)} Gaussians shown",  # type: ignore[union-attr]
                         icon="CHECKMARK")
        layout.prop(st, "max_points")
        row = layout.row(align=True)
        row.prop(st, "show_spheres", toggle=True)
        row.prop(st, "current_frame_only", toggle=True)
        col = layout.column()
        col.enabled = bool(st.model_dir)
        col.operator("audiogs.load_gaussians", icon="POINTCLOUD_DATA")
        layout.label(text=look.ENERGY_LEGEND, icon="COLOR")
        if not st.model_dir:
            layout.label(text="Train, or choose a model in Train > Model", icon="ERROR")


class AUDIOGS_PT_bake(_AudioGSPanel):
    bl_label = "Bake"
    bl_idname = "AUDIOGS_PT_bake"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        scene = context.scene
        st = properties.settings(scene)
        if _job_progress(layout, "bake"):
            return
        if st.capture_seconds > 0:
            layout.label(text=f"Recording: {st.capture_seconds:.2f} s at {st.capture_sample_rate} Hz",
                         icon="FILE_SOUND")
        row = layout.row()
        row.prop(st, "listener")
        row.operator("audiogs.add_orbit", text="", icon="CON_FOLLOWPATH")
        layout.prop(st, "audio_start_frame")
        fps = scene_fps(scene)
        layout.label(text=f"Frames {scene.frame_start}-{scene.frame_end}: "
                          f"{(scene.frame_end - scene.frame_start + 1) / fps:.2f} s at {fps:g} fps")
        layout.prop(st, "bake_path")
        layout.prop(st, "bake_sample_rate")
        if not st.bake_sample_rate:
            layout.label(text=f"Output at the scene's {scene.render.ffmpeg.audio_mixrate} Hz")
        layout.prop(st, "bake_substeps")
        layout.prop(st, "bake_hrtf")
        col = layout.column()
        col.enabled = bool(st.model_dir)
        col.operator("audiogs.bake", icon="SOUND")
        if not st.model_dir:
            layout.label(text="Train, or choose a model in Train > Model", icon="ERROR")
        if st.last_bake_path:
            layout.label(text=f"Last: {Path(st.last_bake_path).name}", icon="FILE_SOUND")
            layout.label(text=st.last_bake_info)


CLASSES = (AUDIOGS_PT_capture, AUDIOGS_PT_train, AUDIOGS_PT_gaussians, AUDIOGS_PT_bake)
