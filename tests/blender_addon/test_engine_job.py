"""The add-on's engine runner (blender_addon/engine.py, no bpy) against fake and
real engine interpreters."""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_engine():
    # engine.py imports no bpy, but the package's __init__ does: load the file alone.
    spec = importlib.util.spec_from_file_location("audiogs_addon_engine", ROOT / "blender_addon" / "engine.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


engine = _load_engine()

FAKE = '''#!{python}
"""A stand-in interpreter: called as  python -m audiogs_core ARGS."""
import json, os, sys, time
args = sys.argv[1:]
assert args[:2] == ["-m", "audiogs_core"], args
mode = os.environ.get("FAKE_MODE", "ok")
if args[2:] == ["--version"]:
    if mode == "notorch":
        sys.stderr.write("Traceback (most recent call last):\\n  ...\\nModuleNotFoundError: No module named 'torch'\\n")
        sys.exit(1)
    print(os.environ.get("FAKE_VERSION", "0.1.0"))
    sys.exit(0)
assert args[-2:] == ["--progress", "jsonl"], args
out = lambda obj: print(json.dumps(obj), flush=True)
if mode == "ok":
    print("a stray line from a library", flush=True)
    for i in range(1, 4):
        out({{"event": "progress", "step": i, "total": 3, "loss": 0.5 / i}})
    out({{"event": "done", "model": "m", "argv": args[2:]}})
elif mode == "error":
    out({{"event": "progress", "step": 1, "total": 3}})
    out({{"event": "error", "message": "model folder m already exists (use --resume or --force)"}})
    sys.stderr.write("audiogs train: error: model folder m already exists\\n")
    sys.exit(1)
elif mode == "crash":
    sys.stderr.write("Traceback (most recent call last):\\nValueError: boom\\n")
    sys.exit(3)
elif mode == "notorch":
    sys.stderr.write("ModuleNotFoundError: No module named 'torch'\\n")
    sys.exit(1)
elif mode == "nodone":
    out({{"event": "progress", "step": 1, "total": 3}})
elif mode == "slow":
    out({{"event": "progress", "step": 0, "total": 100}})
    time.sleep(60)
'''


@pytest.fixture()
def fake_python(tmp_path) -> str:
    p = tmp_path / "fake-python"
    p.write_text(FAKE.format(python=sys.executable))
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return str(p)


def _config(python: str, **env: str):
    cfg = engine.EngineConfig(python, ROOT, "cpu")
    cfg.env.update(env)
    return cfg


def test_job_follows_progress_and_returns_done(fake_python):
    seen = []
    job = engine.EngineJob(_config(fake_python, FAKE_MODE="ok"), ["train", "cap", "--out", "m"])
    done = job.wait(lambda ev: seen.append((ev["event"], ev.get("step"))))
    assert done["model"] == "m"
    assert done["argv"] == ["train", "cap", "--out", "m", "--progress", "jsonl"]
    assert seen == [("progress", 1), ("progress", 2), ("progress", 3), ("done", None)]
    assert job.fraction == 1.0 and abs(job.fields["loss"] - 0.5 / 3) < 1e-12
    assert "3/3" in job.status_text() and not job.running


def test_job_error_event_becomes_the_message(fake_python):
    job = engine.EngineJob(_config(fake_python, FAKE_MODE="error"), ["train"])
    with pytest.raises(engine.EngineError, match="already exists"):
        job.wait()


def test_job_crash_reports_last_stderr_line_and_status(fake_python):
    job = engine.EngineJob(_config(fake_python, FAKE_MODE="crash"), ["render"])
    with pytest.raises(engine.EngineError, match=r"ValueError: boom \(exit status 3\)"):
        job.wait()


def test_job_without_done_is_an_error(fake_python):
    with pytest.raises(engine.EngineError, match="without reporting 'done'"):
        engine.EngineJob(_config(fake_python, FAKE_MODE="nodone"), ["render"]).wait()


def test_missing_torch_says_what_to_do(fake_python):
    job = engine.EngineJob(_config(fake_python, FAKE_MODE="notorch"), ["train"])
    with pytest.raises(engine.EngineError, match="torch is missing.*Engine Python"):
        job.wait()
    with pytest.raises(engine.EngineError, match="torch is missing"):
        engine.check_version(_config(fake_python, FAKE_MODE="notorch"), "0.1.0")


def test_poll_never_blocks_and_cancel_stops_the_process(fake_python):
    job = engine.EngineJob(_config(fake_python, FAKE_MODE="slow"), ["train"])
    job.start()
    t0 = time.monotonic()
    while job.total == 0 and time.monotonic() - t0 < 20:
        job.poll()
        time.sleep(0.02)
    assert job.total == 100 and job.running
    t1 = time.monotonic()
    job.poll()
    assert time.monotonic() - t1 < 0.5
    job.cancel()
    assert job._proc.poll() is not None
    with pytest.raises(engine.EngineError, match="cancelled"):
        job.result()


def test_version_mismatch_is_reported(fake_python):
    engine.check_version(_config(fake_python, FAKE_VERSION="0.1.0"), "0.1.0")
    with pytest.raises(engine.EngineError, match="engine core version 9.9.9 differs from the add-on's 0.1.0"):
        engine.check_version(_config(fake_python, FAKE_VERSION="9.9.9"), "0.1.0")


def test_interpreter_choice(tmp_path, fake_python):
    with pytest.raises(engine.EngineError, match="not an executable file"):
        engine.resolve_python(str(tmp_path / "no-python"))
    plain = tmp_path / "plain.txt"
    plain.write_text("")
    with pytest.raises(engine.EngineError, match="not an executable file"):
        engine.resolve_python(str(plain))
    assert engine.resolve_python(fake_python) == fake_python  # the preference wins
    # empty preference: Blender's own Python (here the test interpreter, which has torch)
    assert engine.blender_python_has_torch()
    assert engine.resolve_python("") == sys.executable


def test_core_path_and_version_from_the_source_tree():
    assert engine.core_path() == ROOT
    import audiogs_core

    assert engine.addon_version() == audiogs_core.__version__
    env = engine.engine_env(ROOT)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)


def test_real_core_version_check():
    cfg = engine.prepare("", "cpu", check=False)
    assert cfg.python == sys.executable and cfg.core == ROOT
    import audiogs_core

    assert engine.check_version(cfg, audiogs_core.__version__) == audiogs_core.__version__


def _job_after(events: list[dict], unit: str = "", units: int = 0, elapsed: float = 0.0):
    """A job that has read ``events`` (as the engine prints them), ``elapsed`` s after its start."""
    import json

    job = engine.EngineJob(_config(sys.executable), ["train"], label="train", unit=unit, units=units)
    job.started_at = time.monotonic() - elapsed
    for ev in events:
        job._handle("out", json.dumps(ev))
    return job


def test_training_progress_reads_in_epochs_with_time_left():
    # 61 epochs of 10 steps: the trainer reports its 1-based epoch with each step
    job = _job_after([{"event": "progress", "step": 150, "total": 610, "epoch": 16, "loss": 0.25}],
                     unit="epoch", units=61, elapsed=30.0)
    text = job.status_text()
    assert text.startswith("train epoch 16/61, loss 0.25, "), text
    # 30 s for 150 of 610 steps: 92 s left
    assert text.endswith("1:32 left"), text


def test_bake_progress_reads_in_frames():
    job = _job_after([{"event": "progress", "step": 1, "total": 2}], unit="frame", units=144,
                     elapsed=5.0)
    job.label = "bake"
    assert job.status_text() == "bake frame 72/144, 0:05 left"
    assert _job_after([], unit="frame", units=144).status_text() == "train starting"


def test_durations_read_as_clock_time():
    assert engine.format_duration(75.2) == "1:15"
    assert engine.format_duration(3725) == "1:02:05"
    assert engine.format_duration(0) == "0:00"


PARENT = '''
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("engine", {engine!r})
engine = importlib.util.module_from_spec(spec); spec.loader.exec_module(engine)
config = engine.EngineConfig(sys.executable, engine.Path({root!r}), "cpu")
job = engine.EngineJob(config, ["train", {capture!r}, "--out", {model!r}, "--epochs", "500",
                                "--device", "cpu"], label="train", unit="epoch", units=500)
job.start()
while job.step < 3:
    job.poll()
print(job._proc.pid, flush=True)
os._exit(0)  # Blender ending without any clean-up (a crash, a kill)
'''


def test_the_engine_never_outlives_blender(tmp_path):
    """A training whose parent dies stops by itself, leaving a checkpoint it resumes from."""
    import json
    import subprocess

    sys.path.insert(0, str(Path(__file__).parent))
    from _capture import make_capture

    capture = make_capture(tmp_path / "cap", seconds=2.0, room=False)
    model = tmp_path / "model"
    script = PARENT.format(engine=str(ROOT / "blender_addon" / "engine.py"), root=str(ROOT),
                           capture=str(capture), model=str(model))
    parent = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert parent.returncode == 0, parent.stderr
    child = int(parent.stdout.split()[-1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(child, 9)
        pytest.fail("the engine kept training after its parent ended")
    state = json.loads((model / "checkpoint.json").read_text()) if (
        model / "checkpoint.json").is_file() else None
    assert state is not None, sorted(p.name for p in model.iterdir())
    epochs = int(state["epoch"]) + 1
    resumed = subprocess.run([sys.executable, "-m", "audiogs_core", "train", str(capture), "--out",
                              str(model), "--resume", "--epochs", str(epochs), "--device", "cpu",
                              "--progress", "none"], capture_output=True, text=True, timeout=300,
                             cwd=str(ROOT), env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert resumed.returncode == 0, resumed.stderr
    assert (model / "model.json").is_file()
