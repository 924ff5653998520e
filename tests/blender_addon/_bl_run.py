"""Running Blender drivers from pytest: each driver runs in its own bpy process."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def check_names(driver: str) -> list[str]:
    """The ``check_*`` functions of a driver, in file order (read, not imported:
    drivers import bpy)."""
    tree = ast.parse((HERE / driver).read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("check_")]


def blender_env(tmp: Path, with_root: bool = True, **extra: str) -> dict[str, str]:
    """Environment of a Blender subprocess: its own user folder, one thread, the
    test helpers (and the repository, unless the installed extension's bundled
    core must be the one found) on the path."""
    env = dict(os.environ)
    env["BLENDER_USER_RESOURCES"] = str(tmp / "blender_user")
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(HERE)] + ([str(ROOT)] if with_root else []))
    env.update(extra)
    return env


def run_driver(driver: str, tmp: Path, *args: str, timeout: float = 180, with_root: bool = True,
               **env: str) -> dict:
    """Run a driver under the bpy wheel; return {check name: "ok" or traceback}."""
    tmp.mkdir(parents=True, exist_ok=True)
    out = tmp / f"{Path(driver).stem}_results.json"
    proc = subprocess.run([sys.executable, str(HERE / driver), str(out), *args],
                          env=blender_env(tmp, with_root, **env), capture_output=True, text=True,
                          timeout=timeout, cwd=str(tmp))
    results = json.loads(out.read_text()) if out.is_file() else {}
    results["__log__"] = (proc.stdout[-4000:] + "\n--- stderr ---\n" + proc.stderr[-6000:])
    return results


def assert_check(results: dict, name: str) -> None:
    if name not in results:
        pytest.fail(f"{name} did not run; driver output:\n{results.get('__log__', '')}")
    if results[name] != "ok":
        pytest.fail(f"{name} failed inside Blender:\n{results[name]}")
