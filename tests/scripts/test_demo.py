"""scripts/demo.py, the main job, run end to end in a reduced mode (3 s, 2 epochs).

The demo runs once per module in a subprocess (it imports the bpy wheel);
each test checks one of its outputs. The .blend is read back by a second bpy
process (_demo_blend_check.py).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.blender, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEMO = ROOT / "scripts" / "demo.py"
SECONDS, EPOCHS = 3, 2
METHODS = ("audiogs", "input", "nearest_view", "idw_mix", "mean_view", "dsp")
OUTPUTS = ("capture", "model", "demo.blend", "orbit.wav", "demo.png", "report.md", "report.json",
           "listen.html")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    return env


def run_demo(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEMO), *args], capture_output=True, text=True,
                          timeout=timeout, env=_env())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(completed process, output folder) of one reduced demo run."""
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = run_demo("--out", str(out), "--seconds", str(SECONDS), "--epochs", str(EPOCHS),
                    "--device", "cpu")
    assert proc.returncode == 0, proc.stdout[-3000:] + "\n--- stderr ---\n" + proc.stderr[-3000:]
    return proc, out


@pytest.fixture(scope="module")
def blend(demo, tmp_path_factory) -> dict:
    """The saved .blend as described by a fresh bpy process."""
    _, out = demo
    info = tmp_path_factory.mktemp("blend") / "blend.json"
    proc = subprocess.run([sys.executable, str(HERE / "_demo_blend_check.py"),
                           str(out / "demo.blend"), str(info)],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert info.is_file(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(info.read_text())


def test_every_output_exists_and_is_printed(demo):
    proc, out = demo
    for name in OUTPUTS:
        path = out / name
        assert path.exists(), name
        assert str(path.resolve()) in proc.stdout, f"{name} not printed"
    assert (out / "capture" / "capture.json").is_file()
    assert (out / "model" / "model.json").is_file()
    assert not (out / ".demo.render.png").exists()


def test_blend_reloads_with_orbiting_listener(blend):
    assert blend["camera"] == "Orbit" and blend["camera_type"] == "CAMERA" and blend["animated"]
    source = np.array(blend["source"])
    positions = []
    for frame, pose in blend["poses"].items():
        pos, look = np.array(pose["position"]), np.array(pose["look"])
        to_source = source - pos
        # on the orbit (1.5 m around the source, at ear height 1.6 m) ...
        assert abs(np.linalg.norm(to_source[:2]) - 1.5) < 0.01, (frame, pos)
        assert abs(pos[2] - 1.6) < 1e-4, (frame, pos)
        # ... looking at the source along the camera's -Z (the head frame's nose)
        cos = float(np.dot(look, to_source) / np.linalg.norm(to_source))
        assert cos > 0.999, (frame, cos)
        positions.append(pos)
    a, b = blend["frame_start"], blend["frame_end"]
    first, mid, last_end = (np.array(blend["poses"][str(f)]["position"])
                            for f in (a, (a + b) // 2, b + 1))
    # one full circle over the recording: halfway is opposite, B + 1 is back at the start
    assert np.linalg.norm(first - mid) > 2.9
    assert np.linalg.norm(first - last_end) < 1e-3


def test_blend_frame_range_and_strip(blend, demo):
    _, out = demo
    a, b, fps = blend["frame_start"], blend["frame_end"], blend["fps"]
    assert a == 1 and abs((b - a + 1) / fps - SECONDS) <= 1 / fps
    sounds = [s for s in blend["strips"] if s["type"] == "SOUND"]
    assert len(sounds) == 1, blend["strips"]
    strip = sounds[0]
    assert strip["frame_start"] == a and abs(strip["duration"] - (b - a + 1)) <= 1
    assert Path(strip["file"]).resolve() == (out / "orbit.wav").resolve()
    assert Path(blend["model_dir"]).resolve() == (out / "model").resolve()
    assert Path(blend["capture_dir"]).resolve() == (out / "capture").resolve()
    # stored relative to the .blend (Blender's //), so the folder can move whole
    assert all(p.startswith("//") for p in blend["stored_paths"]), blend["stored_paths"]
    assert blend["gaussian_points"] > 0
    assert {"shoebox", "talker", "ring0", "Overview", "AudioGS Gaussians"} <= set(blend["objects"])


def test_orbit_wav_matches_the_frame_range(demo, blend):
    from audiogs_core.io.audio import read_wav

    _, out = demo
    audio, rate = read_wav(out / "orbit.wav")
    assert audio.shape[0] == 2 and rate == blend["audio_rate"]
    frames = blend["frame_end"] - blend["frame_start"] + 1
    assert abs(audio.shape[1] / rate - frames / blend["fps"]) <= 1 / blend["fps"]
    assert np.all(np.isfinite(audio)) and np.sqrt(np.mean(audio ** 2)) > 1e-4
    # the orbit turns the head: the ears differ
    assert np.sqrt(np.mean((audio[0] - audio[1]) ** 2)) > 1e-5


def test_png_shows_room_gaussians_and_orbit(demo):
    import matplotlib.image as mpimg

    _, out = demo
    img = mpimg.imread(out / "demo.png")
    assert img.shape[:2] == (480, 640), img.shape
    rgb = img[..., :3].astype(np.float64)
    assert rgb.std() > 0.02, "blank image"
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    assert np.sum((r - b > 0.3) & (r > 0.4) & (g > 0.2)) > 300, "no (orange) Gaussians"
    assert np.sum(b - r > 0.3) > 50, "no (blue) orbit ring"
    assert np.sum(rgb.max(axis=-1) < 0.3) > 100, "no (dark) room wireframe"


def test_png_shows_listeners_in_the_one_colour_code(demo):
    import matplotlib.image as mpimg

    _, out = demo
    rgb = mpimg.imread(out / "demo.png")[..., :3].astype(np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    assert np.sum((g - r > 0.2) & (g - b > 0.1)) > 20, "no (green) train-view markers"
    # red, not the orange Gaussians: green and blue alike and well below red
    assert np.sum((r - g > 0.2) & (np.abs(g - b) < 0.08) & (r > 0.3)) > 30, "no (red) test-view markers"


def test_listen_page_has_every_method_of_every_test_view(demo):
    from html.parser import HTMLParser

    _, out = demo
    srcs: list[str] = []

    class Sources(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("audio", "img"):
                srcs.append(dict(attrs)["src"])

    Sources().feed((out / "listen.html").read_text(encoding="utf-8"))
    report = json.loads((out / "report.json").read_text())
    for view in report["views"]:
        wavs = [s for s in srcs if f"_{view}/" in s and s.endswith(".wav")]
        assert sorted(w.rsplit("/", 1)[1][:-4] for w in wavs) == sorted(("target",) + METHODS), view
    assert all((out / s).is_file() for s in srcs)
    assert sum(s.endswith(".png") for s in srcs) == sum(s.endswith(".wav") for s in srcs)


def _table_rows(md: str, heading: str) -> dict[str, list[str]]:
    """Rows of the Markdown table under ``heading``: {method: cells}."""
    section = md.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 1 and cells[0] in METHODS:
            rows[cells[0]] = cells[1:]
    return rows


def test_report_scores_every_method_on_the_held_out_view(demo):
    _, out = demo
    md = (out / "report.md").read_text()
    rows = _table_rows(md, "## Held-out view ring0")
    assert set(rows) == set(METHODS), rows
    for method, cells in rows.items():
        assert len(cells) == 5
        for c in cells:
            value = float(c.strip("*"))
            assert math.isfinite(value) and value >= 0, (method, c)
    report = json.loads((out / "report.json").read_text())
    ring0 = report["views"]["ring0"]
    assert set(ring0) == set(METHODS)
    for method, scores in ring0.items():
        assert set(scores) == {"MAG", "ENV", "LRE", "ITDE", "RTE"}, (method, scores)
        assert all(math.isfinite(v) for v in scores.values())
    assert report["training"]["epochs"] == EPOCHS
    assert report["timings_s"]["train_s"] > 0
    assert abs(report["orbit"]["seconds"] - report["orbit"]["expected_seconds"]) < 1 / report["orbit"]["fps"]
    assert re.search(r"frames 1-\d+ at \d+ fps", md)
    for name in OUTPUTS:
        assert str((out / name).resolve()) in md


# -- arguments and the output folder (no simulation: these stop early)


def test_non_empty_out_is_an_error_without_force(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    proc = run_demo("--out", str(tmp_path), timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not empty" in lines[0] and "--force" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("arg, value", [("--epochs", "0"), ("--seconds", "2")])
def test_bad_arguments_exit_2(tmp_path, arg, value):
    proc = run_demo("--out", str(tmp_path / "o"), arg, value, timeout=120)
    assert proc.returncode == 2 and arg in proc.stderr.splitlines()[-1]
    assert not (tmp_path / "o").exists()


def _demo_module():
    spec = importlib.util.spec_from_file_location("audiogs_demo_script", DEMO)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_force_replaces_only_the_demos_files(tmp_path):
    demo = _demo_module()
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.json").write_text("{}")
    (tmp_path / "orbit.wav").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("mine")
    demo.prepare_out(tmp_path, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with pytest.raises(demo.DemoError, match="not a folder"):
        demo.prepare_out(tmp_path / "notes.txt", force=True)
