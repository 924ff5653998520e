"""mypy over blender_addon/ with the fake-bpy-module-4-5 stubs (types only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_blender_addon():
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(Path(__file__).with_name("mypy.ini")),
         "blender_addon"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def test_no_api_removed_in_blender_5():
    """Blender 5.0 removed sequence_editor.sequences, Action.fcurves, bgl and dict
    access to registered properties; the add-on must use none of them."""
    import re

    banned = [r"\.sequences(_all)?\b", r"\baction\.fcurves\b", r"\bimport bgl\b", r"\bbgl\.",
              r"\.audiogs\[", r"\[\s*[\"']audiogs[\"']\s*\]"]
    for path in sorted((ROOT / "blender_addon").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in banned:
            assert not re.search(pattern, text), f"{path.name} uses {pattern}"
