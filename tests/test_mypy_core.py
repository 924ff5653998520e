"""mypy over audiogs_core (the add-on is checked by tests/blender_addon/test_mypy.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_audiogs_core():
    pytest.importorskip("mypy")
    # A cache outside the repository: a warm run takes seconds instead of minutes.
    cache = Path(tempfile.gettempdir()) / "audiogs_mypy_core_cache"
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "tests" / "mypy_core.ini"),
         "--cache-dir", str(cache), "audiogs_core"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout
