"""The extension as shipped: build the zip, check it, install it into a fresh
Blender user folder, enable and drive it (real bpy wheel)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from _bl_run import ROOT, assert_check, check_names, run_driver

pytestmark = pytest.mark.blender
DRIVER = "bl_extension.py"


def _blender_ext() -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_extension
    finally:
        sys.path.pop(0)
    return build_extension.find_blender_ext(None)


def test_root_manifest_follows_the_rules():
    m = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    import audiogs_core

    assert m["schema_version"] == "1.0.0" and m["id"] == "audiogs" and m["type"] == "add-on"
    assert m["version"] == audiogs_core.__version__
    assert m["blender_version_min"] == "4.5.0"
    assert len(m["tagline"]) <= 64 and m["tagline"][-1].isalnum()
    assert list(m["permissions"]) == ["files"] and not m["permissions"]["files"].endswith(".")
    assert all(lic.startswith("SPDX:") for lic in m["license"]) and m["maintainer"]
    tags_py = _blender_ext().parents[3] / "modules" / "_bpy_internal" / "extensions" / "tags.py"
    valid: dict = {}
    exec(tags_py.read_text(), valid)
    assert set(m["tags"]) <= valid["addons"]


def test_zip_contents(extension_zip):
    assert extension_zip.name == "audiogs-0.1.0.zip"
    with zipfile.ZipFile(extension_zip) as zf:
        names = zf.namelist()
        manifest = tomllib.loads(zf.read("blender_manifest.toml").decode())
    assert "__init__.py" in names and "engine.py" in names and "ops_bake.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    wheels = [n for n in names if n.startswith("wheels/")]
    assert any(Path(w).name.startswith("audiogs_core-0.1.0-") for w in wheels)
    assert any(Path(w).name.startswith("safetensors-") for w in wheels)
    assert not any(Path(w).name.split("-")[0].lower() in ("torch", "numpy") for w in wheels)
    assert sorted(manifest["wheels"]) == sorted("./" + w for w in wheels)
    assert manifest["platforms"] and "linux-x64" in manifest["platforms"]
    # one safetensors wheel per declared platform
    st = [w for w in wheels if Path(w).name.startswith("safetensors-")]
    assert len(st) == len(manifest["platforms"])


def test_blender_validator_accepts_the_zip(extension_zip):
    proc = subprocess.run([sys.executable, str(_blender_ext()), "validate", str(extension_zip)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def results(extension_zip, tmp_path_factory):
    # Without the repository on the path: the bundled core must be what is found.
    work = tmp_path_factory.mktemp("bl_extension")
    results = run_driver(DRIVER, work, str(extension_zip), with_root=False)
    results["__work__"] = str(work)  # its Blender user folder holds the installed extension
    return results


@pytest.mark.parametrize("check", check_names(DRIVER))
def test_installed_extension(results, check):
    assert_check(results, check)


def test_bake_script_uses_the_installed_extension(results, tmp_path_factory):
    """scripts/bake.py under the bpy wheel reads the user's preferences and enables
    the extension installed there, not this source tree."""
    import subprocess
    import sys

    from _bl_run import blender_env

    assert_check(results, "check_disable_and_enable")
    work = Path(results["__work__"])
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "bake.py"), "--blend",
                           str(work / "missing.blend"), "--model", str(work / "model"),
                           "--out", str(work / "o.wav")],
                          env=blender_env(work, with_root=False), capture_output=True, text=True,
                          timeout=180, cwd=str(work))
    assert "using the installed extension bl_ext.user_default.audiogs" in proc.stdout, \
        proc.stdout + proc.stderr
    assert proc.returncode == 1 and "cannot open" in proc.stderr, proc.stderr
