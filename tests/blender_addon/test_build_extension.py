"""scripts/build_extension.py pieces that the full build test does not reach:
the offline fallback and the staged manifest."""

from __future__ import annotations

import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_extension as be  # noqa: E402

sys.path.pop(0)


def test_staged_manifest_adds_wheels_and_platforms_as_top_level_keys():
    text = (ROOT / "blender_manifest.toml").read_text()
    staged = tomllib.loads(be.staged_manifest(text, ["./wheels/a-1-py3-none-any.whl"], ["linux-x64"]))
    assert staged["wheels"] == ["./wheels/a-1-py3-none-any.whl"]
    assert staged["platforms"] == ["linux-x64"]
    assert staged["permissions"] == tomllib.loads(text)["permissions"]


def test_offline_build_falls_back_to_the_current_platform(tmp_path, monkeypatch, capsys):
    pytest.importorskip("safetensors")
    # no index and no find-links: every download fails, as offline
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    dest = tmp_path / "wheels"
    dest.mkdir()
    covered = be.gather_safetensors(list(be.PLATFORM_TAGS), dest, tmp_path / "cache")
    assert covered == [be.current_platform()]
    assert "falling back to the current platform only" in capsys.readouterr().out
    (wheel,) = dest.glob("safetensors-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "safetensors/__init__.py" in names
    assert any(n.endswith(".dist-info/WHEEL") for n in names)


def test_platform_names():
    assert be.parse_platforms("current") == [be.current_platform()]
    assert be.parse_platforms("linux-x64,windows-x64") == ["linux-x64", "windows-x64"]
    with pytest.raises(be.BuildError, match="unknown platform"):
        be.parse_platforms("amiga-68k")
