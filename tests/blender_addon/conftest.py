"""Fixtures of the Blender add-on tests (helpers live in _bl_run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _bl_run import ROOT


@pytest.fixture(scope="session")
def extension_zip(tmp_path_factory) -> Path:
    """The extension built once per session by scripts/build_extension.py."""
    out_dir = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_extension.py"),
                           "--out-dir", str(out_dir), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Path(json.loads(proc.stdout.strip().splitlines()[-1])["zip"])
