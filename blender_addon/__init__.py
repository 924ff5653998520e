"""AudioGS for Blender: import or author a capture, train, see the Audio
Gaussians, bake binaural audio along a camera (design section 9).

Loads as ``bl_ext.<repo>.audiogs`` (an extension) or as ``blender_addon``
from the source tree; every import inside is relative.
"""

from __future__ import annotations

import bpy

from . import (cli_command, modal_job, ops_bake, ops_capture, ops_gaussians, ops_scene, ops_train,
               panels, preferences, properties, relative_paths)

_MODULES_WITH_HOOKS = (properties, ops_capture, cli_command, relative_paths)
_CLASSES = (
    preferences.CLASSES + properties.CLASSES + ops_capture.CLASSES + ops_train.CLASSES
    + ops_gaussians.CLASSES + ops_bake.CLASSES + ops_scene.CLASSES + panels.CLASSES
)


def register() -> None:
    for cls in _CLASSES:
        bpy.utils.register_class(cls)
    for mod in _MODULES_WITH_HOOKS:
        mod.register()


def unregister() -> None:
    modal_job.cancel_all()
    for mod in reversed(_MODULES_WITH_HOOKS):
        mod.unregister()
    for cls in reversed(_CLASSES):
        bpy.utils.unregister_class(cls)
