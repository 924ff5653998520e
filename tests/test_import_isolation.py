"""The core never needs Blender; its model-folder reader never needs torch."""

import pkgutil
import subprocess
import sys

import audiogs_core

BLOCK = "import sys\nfor name in {names!r}:\n    sys.modules[name] = None\n"


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_every_core_module_imports_with_blender_modules_blocked():
    modules = [m.name for m in pkgutil.walk_packages(audiogs_core.__path__, "audiogs_core.")
               if not m.name.endswith("__main__")]  # __main__ runs the command line
    assert "audiogs_core.renderer" in modules and "audiogs_core.train.trainer" in modules
    code = BLOCK.format(names=["bpy", "mathutils", "bmesh", "aud"])
    code += "import importlib\nfor m in {!r}:\n    importlib.import_module(m)\n".format(modules)
    out = _run(code)
    assert out.returncode == 0, out.stderr


def test_model_folder_reader_and_ply_import_without_torch_or_scipy():
    code = BLOCK.format(names=["torch", "scipy", "bpy"])
    code += "import audiogs_core.io.model_folder, audiogs_core.io.ply, audiogs_core.io.capture\n"
    out = _run(code)
    assert out.returncode == 0, out.stderr
