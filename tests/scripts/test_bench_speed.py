"""The speed tools run end to end on a short recording (their timings are not checked: noisy)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bench_speed_reports_every_goal(tmp_path):
    out = tmp_path / "speed.json"
    text = _run("scripts/bench_speed.py", "--seconds", "7", "--views", "2", "--skip-sim", "--json", str(out))
    report = json.loads(out.read_text())
    res = report["results"]["tuned/cpu"]
    assert [r["sample_rate"] for r in res["render"]] == [16000, 48000]
    for r in res["render"]:
        for key in ("moving_cold_rtf", "moving_warm_rtf", "static_cold_rtf", "static_warm_rtf"):
            assert r[key] > 0
    train = res["train"]
    assert train["schedule_steps"] == 61 * 3 and train["steps"] == 2 * 3  # 3 windows of 3 s, 2 epochs run
    assert 0 < train["peak_rss_gb"] < 24 and train["loss_finite"]
    assert train["default_schedule_s"] > train["setup_s"] + train["schedule_steps"] * train["s_per_step"] - 1e-9
    assert "moving path" in text and "goal >= 500" in text and "default schedule" in text


def test_profile_speed_writes_the_top_operators(tmp_path):
    _run("scripts/profile_speed.py", "--device", "cpu", "--seconds", "9", "--views", "2", "--steps", "1",
         "--rows", "8", "--out", str(tmp_path))
    for name in ("render_cpu.txt", "train_cpu.txt"):
        text = (tmp_path / name).read_text()
        assert "Self CPU" in text and "aten::" in text
    assert "ms per step" in (tmp_path / "train_cpu.txt").read_text().splitlines()[0]
