"""Show a trained model's Audio Gaussians as a point cloud (``audiogs.load_gaussians``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy
import numpy as np
from bpy.props import BoolProperty, IntProperty, StringProperty

from ._typing import OpResult
from . import gaussians_display, properties
from .scene_io import PROP_GAUSSIANS, AddonError, scale_length

OBJECT_NAME = "AudioGS Gaussians"
PROP_MAX_POINTS = "audiogs_max_points"  # on the Gaussians object: the cap it was built with
_building = False  # load_gaussians sets the panel's display options: no refresh then


def select_gaussians(energy: np.ndarray, max_points: int) -> np.ndarray:
    """Flat indices [N] of the Gaussians shown: all, or the ``max_points`` loudest
    (ties kept in grid order), returned in grid order."""
    n = energy.size
    if max_points <= 0 or n <= max_points:
        return np.arange(n)
    order = np.argsort(-energy.reshape(-1), kind="stable")[:max_points]
    return np.sort(order)


def gaussian_arrays(model, max_points: int) -> dict[str, np.ndarray]:
    """Per shown Gaussian: position [N, 3] (metres), energy, decay, time [N] float32 and
    frequency_bin [N] int32; ``energy_norm`` in [0, 1] for display."""
    K, F = model.K, model.F
    t = model.tensors
    idx = select_gaussians(t["energy"], max_points)
    k, f = np.divmod(idx, F)
    energy = t["energy"].reshape(-1)[idx].astype(np.float32)
    lo, hi = (float(energy.min()), float(energy.max())) if energy.size else (0.0, 1.0)
    norm = (energy - lo) / (hi - lo) if hi > lo else np.ones_like(energy)
    return {
        "position": t["mu"].reshape(-1, 3)[idx].astype(np.float64),
        "energy": energy,
        "decay": t["decay"].reshape(-1)[idx].astype(np.float32),
        "time": model.cell_times()[k].astype(np.float32),
        "frequency_bin": f.astype(np.int32),
        "energy_norm": norm.astype(np.float32),
    }


def _remove_old(scene: bpy.types.Scene) -> None:
    for obj in [o for o in bpy.data.objects if o.get(PROP_GAUSSIANS) is not None]:
        if scene.objects.get(obj.name) is None:
            continue
        mesh = obj.data
        bpy.data.objects.remove(obj, do_unlink=True)
        if isinstance(mesh, bpy.types.Mesh) and mesh.users == 0:
            bpy.data.meshes.remove(mesh)


def load_gaussians(context: bpy.types.Context, model_dir: str, max_points: int,
                   show_spheres: bool, current_frame_only: bool) -> bpy.types.Object:
    """Build (or rebuild) the Gaussians object of ``model_dir``; raises AddonError
    before changing the scene when the model cannot be read."""
    from audiogs_core.errors import AudioGSError
    from audiogs_core.io.model_folder import read_model_folder

    if not model_dir:
        raise AddonError("no model: train one or choose a model folder (AudioGS sidebar > Train > Model)")
    folder = Path(bpy.path.abspath(model_dir))
    try:
        model = read_model_folder(folder)
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc
    arrays = gaussian_arrays(model, max_points)
    scene = context.scene
    metres = scale_length(scene)
    n = arrays["energy"].size

    mesh = bpy.data.meshes.new(OBJECT_NAME)
    mesh.vertices.add(n)
    mesh.vertices.foreach_set("co", (arrays["position"] / metres).astype(np.float32).ravel())
    for name in ("energy", "decay", "time", "energy_norm"):
        attr: Any = mesh.attributes.new(name, "FLOAT", "POINT")
        attr.data.foreach_set("value", arrays[name])
    attr = mesh.attributes.new("frequency_bin", "INT", "POINT")
    attr.data.foreach_set("value", arrays["frequency_bin"])
    mesh.update()

    _remove_old(scene)
    obj = bpy.data.objects.new(OBJECT_NAME, mesh)
    obj[PROP_GAUSSIANS] = str(folder)
    obj[PROP_MAX_POINTS] = int(max_points)
    scene.collection.objects.link(obj)
    window = model.duration / (model.K - 1)
    gaussians_display.setup(obj, scene, window=window, show_spheres=show_spheres,
                            current_frame_only=current_frame_only,
                            point_radius=0.02 / metres, sphere_radius=0.06 / metres)
    global _building
    st = properties.settings(scene)
    _building = True
    try:
        if bpy.path.abspath(st.model_dir) != str(folder):
            st.model_dir = str(folder)
        st.max_points, st.show_spheres, st.current_frame_only = max_points, show_spheres, current_frame_only
    finally:
        _building = False
    return obj


def shown_gaussians(scene: bpy.types.Scene) -> bpy.types.Object | None:
    """The scene's Gaussians object, if any."""
    return next((o for o in scene.objects if o.get(PROP_GAUSSIANS) is not None), None)


def refresh_display(scene: bpy.types.Scene) -> None:
    """Apply the panel's display options to the shown Gaussians (live toggles):
    spheres and current-frame-only switch the display modifier, a new Max Points
    rebuilds the points from their model folder."""
    if _building:
        return
    obj = shown_gaussians(scene)
    if obj is None:
        return
    st = properties.settings(scene)
    if int(obj.get(PROP_MAX_POINTS, -1)) != st.max_points:
        try:
            load_gaussians(bpy.context, str(obj[PROP_GAUSSIANS]), st.max_points, st.show_spheres,
                           st.current_frame_only)
        except AddonError as exc:  # an update callback cannot report: say it on the console
            print(f"AudioGS: cannot rebuild the Gaussians: {exc}")
        return
    gaussians_display.set_toggles(obj, st.show_spheres, st.current_frame_only)


class AUDIOGS_OT_load_gaussians(bpy.types.Operator):
    """Show the model's Audio Gaussians as points (or spheres sized by energy)"""

    bl_idname = "audiogs.load_gaussians"
    bl_label = "Load Gaussians"
    bl_options = {"REGISTER", "UNDO"}

    model_dir: StringProperty(  # type: ignore[valid-type]
        name="Model", description="Model folder (empty: the scene's model)", subtype="DIR_PATH")
    max_points: IntProperty(  # type: ignore[valid-type]
        name="Max Points", description="Most Gaussians shown (the loudest are kept); 0: all "
        "(unset: the Gaussians panel's)", default=100000, min=0)
    show_spheres: BoolProperty(  # type: ignore[valid-type]
        name="Spheres", description="Show small spheres sized and coloured by energy "
        "(unset: the Gaussians panel's)", default=False)
    current_frame_only: BoolProperty(  # type: ignore[valid-type]
        name="Current Frame Only", description="Show only the Gaussians of the time cell at the "
        "current frame (unset: the Gaussians panel's)", default=False)

    def execute(self, context: bpy.types.Context) -> OpResult:
        # Options given by the caller win; the others come from the panel.
        properties.fill_unset(self, properties.settings(context.scene),
                              ("max_points", "show_spheres", "current_frame_only"))
        model_dir = self.model_dir or properties.settings(context.scene).model_dir
        try:
            obj = load_gaussians(context, model_dir, self.max_points, self.show_spheres,
                                 self.current_frame_only)
        except AddonError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        n = len(obj.data.vertices)  # type: ignore[union-attr]
        self.report({"INFO"}, f"Loaded {n} Gaussians from {model_dir}")
        return {"FINISHED"}


CLASSES = (AUDIOGS_OT_load_gaussians,)
