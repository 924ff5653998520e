"""End to end in real Blender with the real engine: train, bake, spatial truth,
the command-line bake (``blender -c audiogs bake`` handler, scripts/bake.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from _bl_run import ROOT, assert_check, blender_env, check_names, run_driver

pytestmark = pytest.mark.blender
DRIVER = "bl_engine.py"


@pytest.fixture(scope="module")
def engine_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("bl_engine")
    return run_driver(DRIVER, work, timeout=300), work


@pytest.mark.parametrize("check", check_names(DRIVER))
def test_with_engine(engine_run, check):
    assert_check(engine_run[0], check)


def _bake_script(work, *args):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "bake.py"), *args],
                          env=blender_env(work), capture_output=True, text=True, timeout=180,
                          cwd=str(work))


def test_bake_script_under_plain_python(engine_run):
    results, work = engine_run
    assert_check(results, "check_spatial_truth")  # wrote turn.blend and side_model
    out = work / "script.wav"
    proc = _bake_script(work, "--blend", str(work / "turn.blend"), "--model", str(work / "side_model"),
                        "--camera", "Turn", "--out", str(out), "--frames", "1:12")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from audiogs_core.io.audio import read_wav

    audio, sr = read_wav(out)
    assert audio.shape[0] == 2 and abs(audio.shape[1] / sr - 0.5) <= 1 / 24
    assert f"wrote {out}" in proc.stdout


def test_bake_script_failure_is_one_line(engine_run):
    results, work = engine_run
    assert_check(results, "check_spatial_truth")
    proc = _bake_script(work, "--blend", str(work / "turn.blend"), "--model", str(work / "side_model"),
                        "--camera", "Nobody", "--out", str(work / "nobody.wav"))
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines == ["audiogs bake: error: no object named 'Nobody' in scene 'Scene' to use as listener"], proc.stderr
    assert not (work / "nobody.wav").exists()
    proc = _bake_script(work, "--model", "m", "--out", "o.wav")
    assert proc.returncode == 2 and "--blend is required" in proc.stderr
