"""Driver: install the built extension zip into a fresh BLENDER_USER_RESOURCES,
enable it and drive it (run by test_extension.py; see _bl_harness)."""

from __future__ import annotations

import importlib
import os
import stat
import sys
from pathlib import Path

import _bl_harness as H
import bpy
from _bl_common import expect_error
from _capture import make_capture, make_model

WORK = Path(H.args()[0]).parent
ZIP = H.args()[1]
NAME = "bl_ext.user_default.audiogs"
USER = Path(os.environ["BLENDER_USER_RESOURCES"])


def _fake_python(mode: str, version: str = "0.1.0") -> str:
    p = WORK / f"fake-python-{mode}-{version}"
    p.write_text(f"""#!{sys.executable}
import sys
if sys.argv[1:] == ["-m", "audiogs_core", "--version"]:
    if "{mode}" == "notorch":
        sys.stderr.write("ModuleNotFoundError: No module named 'torch'\\n")
        sys.exit(1)
    print("{version}")
    sys.exit(0)
sys.exit(5)
""")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return str(p)


def check_install_and_enable(state):
    assert H.install_zip(ZIP) == NAME
    ext = USER / "extensions" / "user_default" / "audiogs"
    assert (ext / "__init__.py").is_file() and (ext / "blender_manifest.toml").is_file()
    site = USER / "extensions" / ".local" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    assert (site / "audiogs_core" / "io" / "model_folder.py").is_file(), "bundled core wheel installed"
    assert (site / "safetensors").is_dir(), "bundled safetensors wheel installed"
    assert not (site / "torch").exists() and not (site / "numpy").exists()
    mod = sys.modules[NAME]
    state["mod"] = mod
    engine = importlib.import_module(NAME + ".engine")
    assert engine.core_path() == site, engine.core_path()
    import audiogs_core

    assert Path(audiogs_core.__file__).parent == site / "audiogs_core", audiogs_core.__file__
    assert engine.addon_version() == "0.1.0"


def check_preferences(state):
    prefs = bpy.context.preferences.addons[NAME].preferences
    assert type(prefs).bl_idname == NAME
    assert prefs.python_path == "" and prefs.device == "auto"
    prefs_mod = importlib.import_module(NAME + ".preferences")
    assert prefs_mod.engine_settings() == ("", "auto")


def check_operators_and_panels(state):
    for op in ("import_capture", "export_capture", "train", "load_gaussians", "bake"):
        assert getattr(bpy.ops.audiogs, op).idname() == f"AUDIOGS_OT_{op}"
    for name in ("capture", "train", "gaussians", "bake"):
        assert getattr(bpy.types, f"AUDIOGS_PT_{name}").bl_category == "AudioGS"


def check_drive_capture_and_gaussians(state):
    H.reset_scene()
    assert NAME in bpy.context.preferences.addons, "read_homefile keeps the add-on"
    cap = make_capture(WORK / "cap")
    state["cap"] = cap
    assert bpy.ops.audiogs.import_capture(filepath=str(cap)) == {"FINISHED"}
    assert len([o for o in bpy.context.scene.objects if o.type == "CAMERA"]) == 4
    model = make_model(WORK / "model", spread=0.5)
    state["model"] = model
    assert bpy.ops.audiogs.load_gaussians(model_dir=str(model), max_points=2000) == {"FINISHED"}
    assert len(bpy.context.scene.objects["AudioGS Gaussians"].data.vertices) == 2000
    assert bpy.ops.audiogs.export_capture(filepath=str(WORK / "exported")) == {"FINISHED"}
    assert (WORK / "exported" / "capture.json").is_file()


def check_bad_interpreter(state):
    prefs = bpy.context.preferences.addons[NAME].preferences
    prefs.python_path = str(WORK / "no-such-python")
    bpy.context.scene.camera = bpy.context.scene.objects["cam1"]
    bpy.context.scene.frame_end = 24
    expect_error(bpy, bpy.ops.audiogs.train, "not an executable file", model_dir=str(WORK / "m1"))
    expect_error(bpy, bpy.ops.audiogs.bake, "not an executable file", filepath=str(WORK / "o.wav"))
    assert not (WORK / "m1").exists() and not (WORK / "o.wav").exists()


def check_version_mismatch(state):
    prefs = bpy.context.preferences.addons[NAME].preferences
    prefs.python_path = _fake_python("ok", "9.9.9")
    expect_error(bpy, bpy.ops.audiogs.train, "engine core version 9.9.9 differs from the add-on's 0.1.0",
                 model_dir=str(WORK / "m1"))
    expect_error(bpy, bpy.ops.audiogs.bake, "differs", filepath=str(WORK / "o.wav"))


def check_torch_missing(state):
    prefs = bpy.context.preferences.addons[NAME].preferences
    prefs.python_path = _fake_python("notorch")
    expect_error(bpy, bpy.ops.audiogs.train, "torch is missing", model_dir=str(WORK / "m1"))
    prefs.python_path = ""


def check_cli_command_handler(state):
    cli = importlib.import_module(NAME + ".cli_command")
    assert cli._handle is not None, "registered with bpy.utils.register_cli_command"
    assert cli.cli_handler(["--help"]) == 0
    assert cli.cli_handler(["nonsense"]) == 2
    assert cli.cli_handler(["bake", "--model", str(WORK / "none"), "--out", str(WORK / "o.wav")]) == 1
    assert not (WORK / "o.wav").exists()


def check_disable_and_enable(state):
    import addon_utils

    addon_utils.disable(NAME, default_set=True)
    assert not hasattr(bpy.types, "AUDIOGS_PT_capture")
    assert not hasattr(bpy.types.Scene, "audiogs")
    addon_utils.enable(NAME, default_set=True)
    assert hasattr(bpy.types, "AUDIOGS_PT_capture") and hasattr(bpy.ops.audiogs, "bake")


H.run_checks(globals())
