"""Runs inside a Blender (bpy wheel) subprocess: enable the add-on, run checks.

A driver script defines ``check_*`` functions (run in file order, sharing a
``state`` dict) and ends with ``run_checks(globals())``; the outcome of each
check ("ok" or its traceback) goes to the JSON file named by the first
argument after the script. The pytest side (conftest.run_driver) turns each
into one test.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def args() -> list[str]:
    return sys.argv[1:]


def install_zip(zip_path: str) -> str:
    """Install and enable the built extension; return its module name."""
    import bpy

    result = bpy.ops.extensions.package_install_files(
        filepath=zip_path, repo="user_default", enable_on_install=True)
    assert result == {"FINISHED"}, result
    name = "bl_ext.user_default.audiogs"
    assert name in bpy.context.preferences.addons, list(bpy.context.preferences.addons.keys())
    return name


def register_source() -> str:
    """Register the add-on straight from the source tree (no preferences entry)."""
    sys.path.insert(0, str(ROOT))
    import blender_addon

    blender_addon.register()
    return "blender_addon"


def reset_scene() -> None:
    """An empty scene; unlike read_factory_settings this keeps add-ons enabled."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)


def run_checks(namespace: dict) -> None:
    out = Path(args()[0])
    results: dict[str, str] = {}
    state: dict = {}
    for name, fn in list(namespace.items()):
        if not (name.startswith("check_") and callable(fn)):
            continue
        try:
            fn(state)
            results[name] = "ok"
        except BaseException:  # noqa: BLE001 - every failure is reported, the rest go on
            results[name] = traceback.format_exc()
        out.write_text(json.dumps(results, indent=1))
    _shutdown()


def _shutdown() -> None:
    """Leave without interpreter finalisation: bpy 4.5.15 can hang at exit (for
    example while a bpy.app.timers timer is registered), and the results are
    already written."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
