"""Scene building users get with one click (and scripts through bpy.ops.audiogs.*):
a listener orbiting a source over the scene's frames, and an overview camera
with a render set-up that shows the room, the listeners and the Gaussians."""

from __future__ import annotations

import math

import bpy
from bpy.props import BoolProperty, FloatProperty, StringProperty
from mathutils import Vector

from ._typing import OpResult
from . import look
from .scene_io import PROP_ROOM, PROP_SOURCE, AddonError, scale_length

COLLECTION_NAME = "AudioGS Scene"  # what these operators add for show (ring, markers, overview)
ORBIT_NAME = "Orbit"
OVERVIEW_NAME = "Overview"
RING_POINTS = 96
RING_BEVEL_M = 0.015


def scene_collection(scene: bpy.types.Scene) -> bpy.types.Collection:
    coll: bpy.types.Collection | None = bpy.data.collections.get(COLLECTION_NAME)
    if coll is None:
        coll = bpy.data.collections.new(COLLECTION_NAME)
    if scene.collection.children.get(coll.name) is None:
        scene.collection.children.link(coll)
    return coll


def source_object(scene: bpy.types.Scene, name: str = "") -> bpy.types.Object:
    """The named object, else the capture's first known source (its speaker)."""
    if name:
        obj: bpy.types.Object | None = scene.objects.get(name)
        if obj is None:
            raise AddonError(f"no object named {name!r} to orbit")
        return obj
    sources = sorted((o for o in scene.objects if o.get(PROP_SOURCE) is not None), key=lambda o: o.name)
    if not sources:
        raise AddonError("no source to orbit: import a capture that names its sources, "
                         "or give the object to orbit")
    return sources[0]


def add_orbit(scene: bpy.types.Scene, centre: Vector, radius_m: float, height_m: float,
              frame_start: int, frame_end: int, name: str = ORBIT_NAME) -> bpy.types.Object:
    """A camera circling ``centre`` once over frames A..B+1 (a bake samples up to the
    start of B + 1) at ``height_m``, always facing it; keyed every frame, linear, so
    the path is the circle. Drawn as a ring with a marker on the camera; it becomes
    the scene camera (the default listener)."""
    if radius_m <= 0:
        raise AddonError(f"orbit radius must be positive, got {radius_m:g} m")
    if frame_end < frame_start:
        raise AddonError(f"frame range {frame_start}..{frame_end} is empty")
    metres = scale_length(scene)
    r, h = radius_m / metres, height_m / metres
    data = bpy.data.cameras.new(name)
    data.display_size = 0.3 / metres
    cam = bpy.data.objects.new(name, data)
    scene.collection.objects.link(cam)
    cam.rotation_mode = "XYZ"
    prefs = bpy.context.preferences.edit
    old = prefs.keyframe_new_interpolation_type
    prefs.keyframe_new_interpolation_type = "LINEAR"
    try:
        n = frame_end + 1 - frame_start
        for i in range(n + 1):
            yaw = 2.0 * math.pi * i / n  # where the camera stands, seen from the centre
            cam.location = Vector((centre.x + r * math.cos(yaw), centre.y + r * math.sin(yaw), h))
            # Nose (camera -Z) at azimuth yaw + pi, towards the centre: Rz(psi - 90 deg)
            # Rx(90 deg), design section 2; unwrapped, so keys interpolate the short way.
            cam.rotation_euler = (math.pi / 2, 0.0, yaw + math.pi / 2)
            cam.keyframe_insert("location", frame=frame_start + i)
            cam.keyframe_insert("rotation_euler", frame=frame_start + i)
    finally:
        prefs.keyframe_new_interpolation_type = old
    coll = scene_collection(scene)
    _orbit_ring(coll, centre, r, h, metres, name)
    look.add_marker(cam, "orbit", coll, metres)
    scene.camera = cam
    return cam


def _orbit_ring(coll: bpy.types.Collection, centre: Vector, r: float, h: float, metres: float,
                name: str) -> bpy.types.Object:
    curve = bpy.data.curves.new(f"{name} Path", "CURVE")
    curve.dimensions = "3D"
    curve.bevel_depth = RING_BEVEL_M / metres
    spline = curve.splines.new("POLY")
    spline.points.add(RING_POINTS - 1)
    for i, pt in enumerate(spline.points):
        a = 2.0 * math.pi * i / RING_POINTS
        pt.co = (centre.x + r * math.cos(a), centre.y + r * math.sin(a), h, 1.0)
    spline.use_cyclic_u = True
    obj = bpy.data.objects.new(f"{name} Path", curve)
    curve.materials.append(look.split_material("orbit"))
    obj.hide_select = True
    coll.objects.link(obj)
    return obj


def add_overview(scene: bpy.types.Scene, width: int = 640, height: int = 480,
                 name: str = OVERVIEW_NAME) -> bpy.types.Object:
    """A camera above the room, looking down from the -Y side at 55 degrees and
    framing its bounding box (the room mesh, else every mesh), and the render
    set to show it: that resolution, a light grey world, material colours."""
    objs = [o for o in scene.objects if o.get(PROP_ROOM) is not None and o.type == "MESH"] or \
        [o for o in scene.objects if o.type == "MESH"]
    if not objs:
        raise AddonError("nothing to frame: import a capture with a room first")
    corners = [o.matrix_world @ Vector(c) for o in objs for c in o.bound_box]
    lo = Vector([min(c[i] for c in corners) for i in range(3)])
    hi = Vector([max(c[i] for c in corners) for i in range(3)])
    target = (lo + hi) / 2
    target.z = lo.z + 0.3 * (hi.z - lo.z)
    data = bpy.data.cameras.new(name)
    data.lens = 28
    cam = bpy.data.objects.new(name, data)
    scene_collection(scene).objects.link(cam)
    elevation = math.radians(55)
    direction = Vector((0.0, -math.cos(elevation), math.sin(elevation)))
    # Far enough that the box fits the narrower (vertical) field of view.
    half_v = math.atan(math.tan(data.angle / 2) * height / width)
    cam.location = target + direction * ((hi - lo).length / 2 * 0.9 / math.sin(half_v))
    cam.rotation_euler = (target - cam.location).to_track_quat("-Z", "Y").to_euler()
    _render_setup(scene, width, height)
    return cam


def _render_setup(scene: bpy.types.Scene, width: int, height: int) -> None:
    if scene.world is None:
        world = bpy.data.worlds.new("AudioGS")
        world.color = (0.92, 0.92, 0.94)
        scene.world = world
    r = scene.render
    r.resolution_x, r.resolution_y, r.resolution_percentage = width, height, 100
    r.film_transparent = False
    r.image_settings.file_format = "PNG"
    r.image_settings.color_mode = "RGB"
    scene.display.shading.light = "STUDIO"
    scene.display.shading.color_type = "MATERIAL"


class AUDIOGS_OT_add_orbit(bpy.types.Operator):
    """Add a camera circling a source once over the scene's frames, always facing it
    (a listener to bake), drawn with its path"""

    bl_idname = "audiogs.add_orbit"
    bl_label = "Add Orbit Listener"
    bl_options = {"REGISTER", "UNDO"}

    target: StringProperty(  # type: ignore[valid-type]
        name="Around", description="Object to circle (empty: the capture's first source)")
    radius: FloatProperty(  # type: ignore[valid-type]
        name="Radius", description="Distance from the source in metres", default=1.5, min=0.05)
    height: FloatProperty(  # type: ignore[valid-type]
        name="Height", description="Ear height above the floor (z = 0) in metres", default=1.6)
    camera_name: StringProperty(  # type: ignore[valid-type]
        name="Name", description="Name of the new camera", default=ORBIT_NAME)

    def execute(self, context: bpy.types.Context) -> OpResult:
        scene = context.scene
        try:
            centre = source_object(scene, self.target).matrix_world.translation.copy()
            cam = add_orbit(scene, centre, self.radius, self.height, scene.frame_start,
                            scene.frame_end, self.camera_name or ORBIT_NAME)
        except AddonError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Added {cam.name}, circling once over frames "
                              f"{scene.frame_start}-{scene.frame_end}")
        return {"FINISHED"}


class AUDIOGS_OT_add_overview(bpy.types.Operator):
    """Add a camera that frames the room from above and set the render up to show
    the room, the listeners and the Gaussians (F12)"""

    bl_idname = "audiogs.add_overview"
    bl_label = "Add Overview Camera"
    bl_options = {"REGISTER", "UNDO"}

    make_active: BoolProperty(  # type: ignore[valid-type]
        name="Make Active", description="Make it the scene camera (F12 renders through it; "
        "the bake's default listener is the scene camera too)", default=False)

    def execute(self, context: bpy.types.Context) -> OpResult:
        scene = context.scene
        try:
            cam = add_overview(scene, scene.render.resolution_x, scene.render.resolution_y)
        except AddonError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if self.make_active:
            scene.camera = cam
        self.report({"INFO"}, f"Added {cam.name}")
        return {"FINISHED"}


CLASSES = (AUDIOGS_OT_add_orbit, AUDIOGS_OT_add_overview)
