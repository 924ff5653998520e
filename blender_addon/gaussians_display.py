"""Geometry Nodes display of the Audio Gaussians mesh.

The Gaussians are a vertex-only mesh (Blender 4.5 cannot fill PointCloud
datablocks from Python) and loose vertices are invisible in object mode, so a
node group turns them into points by default, or into small spheres sized by
energy (coloured by a material reading ``energy_norm``), and can keep only the
time cell at the current frame: t = (frame - Start Frame) / FPS, kept when
|time - t| <= Window / 2.
"""

from __future__ import annotations

from typing import Any

import bpy

from .scene_io import PROP_GAUSSIANS, scene_fps

GROUP_NAME = "AudioGS Gaussians"
MATERIAL_NAME = "AudioGS Energy"
MODIFIER_NAME = "AudioGS Display"
GROUP_VERSION = 1  # bump when the node layout changes: old groups are rebuilt

INPUTS = [  # (name, socket type, default)
    ("Show Spheres", "NodeSocketBool", False),
    ("Current Frame Only", "NodeSocketBool", False),
    ("Start Frame", "NodeSocketFloat", 1.0),
    ("FPS", "NodeSocketFloat", 24.0),
    ("Window", "NodeSocketFloat", 0.02),
    ("Point Radius", "NodeSocketFloat", 0.02),
    ("Sphere Radius", "NodeSocketFloat", 0.05),
    ("Material", "NodeSocketMaterial", None),
]


def _new(nodes: Any, kind: str) -> Any:
    """A node of ``kind``; typed Any because the stubs type every node as the base Node."""
    return nodes.new(kind)


def _math(nodes: Any, op: str, a=None, b=None, c=None) -> Any:
    n = _new(nodes, "ShaderNodeMath")
    n.operation = op
    for i, v in enumerate((a, b, c)):
        if isinstance(v, (int, float)):
            n.inputs[i].default_value = float(v)
    return n


def energy_material() -> bpy.types.Material:
    """A material colouring by ``energy_norm`` (instancer's for spheres, own for points)."""
    mat: bpy.types.Material | None = bpy.data.materials.get(MATERIAL_NAME)
    if mat is not None:
        return mat
    mat = bpy.data.materials.new(MATERIAL_NAME)
    mat.use_nodes = True
    nt: Any = mat.node_tree
    bsdf = next(n for n in nt.nodes if n.type == "BSDF_PRINCIPLED")
    a_inst = _new(nt.nodes, "ShaderNodeAttribute")
    a_inst.attribute_type = "INSTANCER"
    a_inst.attribute_name = "energy_norm"
    a_geo = _new(nt.nodes, "ShaderNodeAttribute")
    a_geo.attribute_type = "GEOMETRY"
    a_geo.attribute_name = "energy_norm"
    mx = _new(nt.nodes, "ShaderNodeMath")
    mx.operation = "MAXIMUM"
    ramp = _new(nt.nodes, "ShaderNodeValToRGB")
    ramp.color_ramp.elements[0].color = (0.05, 0.1, 0.6, 1.0)
    ramp.color_ramp.elements[1].color = (1.0, 0.85, 0.1, 1.0)
    nt.links.new(a_inst.outputs["Fac"], mx.inputs[0])
    nt.links.new(a_geo.outputs["Fac"], mx.inputs[1])
    nt.links.new(mx.outputs[0], ramp.inputs["Fac"])
    nt.links.new(ramp.outputs["Color"], bsdf.inputs["Base Color"])
    nt.links.new(ramp.outputs["Color"], bsdf.inputs["Emission Color"])
    bsdf.inputs["Emission Strength"].default_value = 0.5
    mat.diffuse_color = (1.0, 0.6, 0.1, 1.0)
    return mat


def node_group() -> bpy.types.NodeTree:
    """The display node group (built once per file, rebuilt when outdated)."""
    ng: Any = bpy.data.node_groups.get(GROUP_NAME)
    if ng is not None and ng.get("audiogs_version") == GROUP_VERSION:
        return ng
    if ng is None:
        ng = bpy.data.node_groups.new(GROUP_NAME, "GeometryNodeTree")
    ng.nodes.clear()
    ng.interface.clear()
    ng["audiogs_version"] = GROUP_VERSION
    ng.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    for name, kind, default in INPUTS:
        sock = ng.interface.new_socket(name, in_out="INPUT", socket_type=kind)
        if default is not None:
            sock.default_value = default  # type: ignore[attr-defined]
    ng.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")

    nodes, links = ng.nodes, ng.links
    gin = _new(nodes, "NodeGroupInput")
    gout = _new(nodes, "NodeGroupOutput")

    # t of the current frame and the cells outside its window
    stime = _new(nodes, "GeometryNodeInputSceneTime")
    rel = _math(nodes, "SUBTRACT")
    links.new(stime.outputs["Frame"], rel.inputs[0])
    links.new(gin.outputs["Start Frame"], rel.inputs[1])
    t_now = _math(nodes, "DIVIDE")
    links.new(rel.outputs[0], t_now.inputs[0])
    links.new(gin.outputs["FPS"], t_now.inputs[1])
    t_attr = _new(nodes, "GeometryNodeInputNamedAttribute")
    t_attr.data_type = "FLOAT"
    t_attr.inputs["Name"].default_value = "time"
    diff = _math(nodes, "SUBTRACT")
    links.new(t_attr.outputs["Attribute"], diff.inputs[0])
    links.new(t_now.outputs[0], diff.inputs[1])
    adiff = _math(nodes, "ABSOLUTE")
    links.new(diff.outputs[0], adiff.inputs[0])
    half = _math(nodes, "MULTIPLY", None, 0.5)
    links.new(gin.outputs["Window"], half.inputs[0])
    outside = _math(nodes, "GREATER_THAN")
    links.new(adiff.outputs[0], outside.inputs[0])
    links.new(half.outputs[0], outside.inputs[1])
    both = _new(nodes, "FunctionNodeBooleanMath")
    both.operation = "AND"
    links.new(gin.outputs["Current Frame Only"], both.inputs[0])
    links.new(outside.outputs[0], both.inputs[1])
    delete = _new(nodes, "GeometryNodeDeleteGeometry")
    delete.domain = "POINT"
    links.new(gin.outputs["Geometry"], delete.inputs["Geometry"])
    links.new(both.outputs[0], delete.inputs["Selection"])

    # points (default display)
    to_points = _new(nodes, "GeometryNodeMeshToPoints")
    to_points.mode = "VERTICES"
    links.new(delete.outputs["Geometry"], to_points.inputs["Mesh"])
    links.new(gin.outputs["Point Radius"], to_points.inputs["Radius"])

    # spheres sized by energy: radius * (0.3 + 0.7 * energy_norm)
    e_attr = _new(nodes, "GeometryNodeInputNamedAttribute")
    e_attr.data_type = "FLOAT"
    e_attr.inputs["Name"].default_value = "energy_norm"
    size = _math(nodes, "MULTIPLY_ADD", None, 0.7, 0.3)
    links.new(e_attr.outputs["Attribute"], size.inputs[0])
    scale = _math(nodes, "MULTIPLY")
    links.new(size.outputs[0], scale.inputs[0])
    links.new(gin.outputs["Sphere Radius"], scale.inputs[1])
    ico = _new(nodes, "GeometryNodeMeshIcoSphere")
    ico.inputs["Radius"].default_value = 1.0
    ico.inputs["Subdivisions"].default_value = 1
    inst = _new(nodes, "GeometryNodeInstanceOnPoints")
    links.new(to_points.outputs["Points"], inst.inputs["Points"])
    links.new(ico.outputs["Mesh"], inst.inputs["Instance"])
    links.new(scale.outputs[0], inst.inputs["Scale"])

    switch = _new(nodes, "GeometryNodeSwitch")
    switch.input_type = "GEOMETRY"
    links.new(gin.outputs["Show Spheres"], switch.inputs["Switch"])
    links.new(to_points.outputs["Points"], switch.inputs["False"])
    links.new(inst.outputs["Instances"], switch.inputs["True"])
    set_mat = _new(nodes, "GeometryNodeSetMaterial")
    links.new(switch.outputs["Output"], set_mat.inputs["Geometry"])
    links.new(gin.outputs["Material"], set_mat.inputs["Material"])
    links.new(set_mat.outputs["Geometry"], gout.inputs["Geometry"])
    for i, n in enumerate(nodes):
        n.location = (200 * (i % 8), -200 * (i // 8))
    return ng


def _identifier(ng: bpy.types.NodeTree, name: str) -> str:
    for item in ng.interface.items_tree:
        if getattr(item, "in_out", "") == "INPUT" and getattr(item, "name", "") == name:
            return str(item.identifier)  # type: ignore[attr-defined]
    raise KeyError(name)


def set_input(mod: bpy.types.NodesModifier, name: str, value) -> None:
    """Set a node-group input on the modifier (stored as the modifier's ID property)."""
    mod[_identifier(mod.node_group, name)] = value


def get_input(mod: bpy.types.NodesModifier, name: str):
    return mod[_identifier(mod.node_group, name)]


def setup(obj: bpy.types.Object, scene: bpy.types.Scene, window: float, show_spheres: bool,
          current_frame_only: bool, point_radius: float, sphere_radius: float) -> None:
    """Give ``obj`` the display modifier with the scene's time mapping."""
    mod: Any = obj.modifiers.get(MODIFIER_NAME)
    if mod is None:
        mod = obj.modifiers.new(MODIFIER_NAME, "NODES")
    assert isinstance(mod, bpy.types.NodesModifier)
    mod.node_group = node_group()
    set_input(mod, "Show Spheres", bool(show_spheres))
    set_input(mod, "Current Frame Only", bool(current_frame_only))
    set_input(mod, "Window", float(window))
    set_input(mod, "Point Radius", float(point_radius))
    set_input(mod, "Sphere Radius", float(sphere_radius))
    set_input(mod, "Material", energy_material())
    _set_time(mod, scene)
    obj.update_tag()


def set_toggles(obj: bpy.types.Object, show_spheres: bool, current_frame_only: bool) -> None:
    """Switch spheres / current frame only on a shown Gaussians object (no rebuild)."""
    mod: Any = obj.modifiers.get(MODIFIER_NAME)
    if isinstance(mod, bpy.types.NodesModifier) and mod.node_group is not None:
        set_input(mod, "Show Spheres", bool(show_spheres))
        set_input(mod, "Current Frame Only", bool(current_frame_only))
        obj.update_tag()


def _set_time(mod: bpy.types.NodesModifier, scene: bpy.types.Scene) -> None:
    # scene.audiogs (properties.py), read without importing it: properties calls in here
    set_input(mod, "Start Frame", float(scene.audiogs.audio_start_frame))  # type: ignore[attr-defined]
    set_input(mod, "FPS", scene_fps(scene))
    _drive_fps(mod, scene)


def _drive_fps(mod: bpy.types.NodesModifier, scene: bpy.types.Scene) -> None:
    """Let the FPS input follow the scene's frame rate live: a driver reading
    render.fps / render.fps_base (a simple expression: no Python auto-run needed)."""
    obj = mod.id_data
    path = f'modifiers["{MODIFIER_NAME}"]["{_identifier(mod.node_group, "FPS")}"]'
    assert isinstance(obj, bpy.types.Object)
    obj.driver_remove(path)
    fcurve: Any = obj.driver_add(path)
    driver: Any = fcurve.driver
    driver.type = "SCRIPTED"
    driver.expression = "fps / fps_base"
    for name, data_path in (("fps", "render.fps"), ("fps_base", "render.fps_base")):
        var = driver.variables.new()
        var.name = name
        var.type = "SINGLE_PROP"
        var.targets[0].id_type = "SCENE"
        var.targets[0].id = scene
        var.targets[0].data_path = data_path


def refresh_time_inputs(scene: bpy.types.Scene) -> None:
    """Follow a changed audio start frame or frame rate."""
    for obj in scene.objects:
        if obj.get(PROP_GAUSSIANS) is None:
            continue
        mod: Any = obj.modifiers.get(MODIFIER_NAME)
        if isinstance(mod, bpy.types.NodesModifier) and mod.node_group is not None:
            _set_time(mod, scene)
            obj.update_tag()
