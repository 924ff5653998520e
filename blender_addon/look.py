"""How the add-on draws what it adds: one colour code, the room, listener markers.

Everything here renders (F12, Workbench and EEVEE) as it shows in the
viewport: Workbench draws a mesh solid whatever its viewport display type,
so the room gets a Wireframe modifier (real geometry) instead of the Wire
display type, and listeners get small spheres whose colour says what they are.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import bpy

# One colour code for listeners, used by the importer, the markers, the orbit
# and the panels' legend (RGBA, linear).
COLOURS = {
    "train": (0.15, 0.6, 0.3, 1.0),    # green: heard by training
    "test": (0.85, 0.15, 0.15, 1.0),   # red: held out for evaluation
    "orbit": (0.1, 0.35, 0.9, 1.0),    # blue: a listener the user animates
    "room": (0.25, 0.25, 0.28, 1.0),   # dark grey wireframe
}
LEGEND = (("train", "green: train view"), ("test", "red: test view"),
          ("orbit", "blue: orbit / baked listener"))
# The Gaussians' colour ramp, quiet to loud (gaussians_display's material).
ENERGY_LOW = (0.05, 0.1, 0.6, 1.0)
ENERGY_HIGH = (1.0, 0.85, 0.1, 1.0)
ENERGY_LEGEND = "Gaussians: dark blue quiet -> yellow loud (energy)"

ROOM_MODIFIER = "AudioGS Wire"
ROOM_WIRE_M = 0.03  # wire thickness in metres
MARKER_RADIUS_M = 0.08  # inside a camera's 0.1 m clip start: its own marker never hides its view
MARKER_MESH = "AudioGS Listener Marker"
MARKER_PREFIX = "Marker "


def flat_material(name: str, colour: tuple[float, float, float, float]) -> bpy.types.Material:
    """A material of one colour in Workbench (diffuse colour) and EEVEE (Base Color)."""
    mat: bpy.types.Material | None = bpy.data.materials.get(name)
    if mat is None:
        mat = bpy.data.materials.new(name)
    mat.diffuse_color = colour
    mat.use_nodes = True
    bsdf = next((n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
    if bsdf is not None:
        bsdf.inputs["Base Color"].default_value = colour  # type: ignore[attr-defined]
    return mat


def split_material(kind: str) -> bpy.types.Material:
    return flat_material(f"AudioGS {kind}", COLOURS[kind])


def style_room(obj: bpy.types.Object, metres_per_unit: float) -> None:
    """Draw a room mesh as a thin dark wireframe in the viewport and in renders."""
    if obj.type != "MESH":
        return
    mod: Any = obj.modifiers.get(ROOM_MODIFIER)
    if mod is None:
        mod = obj.modifiers.new(ROOM_MODIFIER, "WIREFRAME")
    mod.thickness = ROOM_WIRE_M / metres_per_unit  # type: ignore[attr-defined]
    mod.use_replace = True  # type: ignore[attr-defined]
    obj.display_type = "TEXTURED"
    mesh = obj.data
    assert isinstance(mesh, bpy.types.Mesh)
    mesh.materials.clear()
    mesh.materials.append(flat_material("AudioGS Room", COLOURS["room"]))


@contextmanager
def room_as_modelled(objects: Sequence[bpy.types.Object],
                     context: bpy.types.Context) -> Iterator[None]:
    """The room meshes without their display wireframe while inside (the export
    writes the surfaces, not the wire drawn around their edges)."""
    switched = [m for o in objects for m in o.modifiers
                if m.name == ROOM_MODIFIER and m.show_viewport]
    for m in switched:
        m.show_viewport = False
    context.view_layer.update()
    try:
        yield
    finally:
        for m in switched:
            m.show_viewport = True
        context.view_layer.update()


def _marker_mesh(metres_per_unit: float) -> bpy.types.Mesh:
    import bmesh

    mesh: bpy.types.Mesh | None = bpy.data.meshes.get(MARKER_MESH)
    if mesh is not None:
        return mesh
    mesh = bpy.data.meshes.new(MARKER_MESH)
    bm = bmesh.new()
    bmesh.ops.create_icosphere(bm, subdivisions=2, radius=MARKER_RADIUS_M / metres_per_unit)
    bm.to_mesh(mesh)
    bm.free()
    mesh.materials.append(None)  # one slot, filled per object (link OBJECT)
    return mesh


def add_marker(listener: bpy.types.Object, kind: str, into: bpy.types.Collection,
               metres_per_unit: float = 1.0) -> bpy.types.Object:
    """A small sphere of ``kind``'s colour on ``listener``, parented so it follows.

    The listener's colour in the viewport (object colour) is set too."""
    marker = bpy.data.objects.new(MARKER_PREFIX + listener.name, _marker_mesh(metres_per_unit))
    into.objects.link(marker)
    marker.parent = listener  # at the listener's origin: its parent inverse is the identity
    marker.hide_select = True
    marker.material_slots[0].link = "OBJECT"
    marker.material_slots[0].material = split_material(kind)
    marker.color = COLOURS[kind]
    listener.color = COLOURS[kind]
    return marker
