"""`audiogs train` and `audiogs render` as a user runs them."""

import json
import subprocess
import sys

import numpy as np
import pytest

from audiogs_core import __version__
from audiogs_core.cli import main
from audiogs_core.io.audio import read_wav
from audiogs_core.io.listener_path import ListenerPath, write_path


@pytest.fixture(scope="module")
def trained(freefield_capture, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "1", "--progress", "none",
                 "--device", "cpu"]) == 0
    return out


def test_train_jsonl_progress_and_refusal_to_overwrite(freefield_capture, trained, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "1", "--progress", "jsonl"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["event"] == "progress" and lines[0]["total"] == 1 and "loss" in lines[0]
    assert lines[-1]["event"] == "done"
    assert main(["train", str(freefield_capture), "--out", str(out), "--progress", "jsonl"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out.splitlines()[-1])["event"] == "error"
    assert "already exists" in captured.err and "Traceback" not in captured.err
    # --force replaces, --resume of a finished run keeps it
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "1", "--force",
                 "--progress", "none"]) == 0
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "1", "--resume",
                 "--progress", "none"]) == 0


def test_train_bad_capture_is_one_line(tmp_path, capsys):
    assert main(["train", str(tmp_path / "missing"), "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "capture not found" in err[0] and "missing" in err[0]


def test_render_view_pose_and_path(freefield_capture, trained, tmp_path):
    wav = tmp_path / "view.wav"
    assert main(["render", str(trained), "--capture", str(freefield_capture), "--view", "view5",
                 "--out", str(wav), "--progress", "none"]) == 0
    audio, sr = read_wav(wav)
    assert audio.shape == (2, 3 * 16000) and sr == 16000

    pose = tmp_path / "pose.wav"
    assert main(["render", str(trained), "--pose=1,2.5,1.6,0.7071,0.7071,0,0", "--start", "0.5",
                 "--duration", "1", "--sample-rate", "48000", "--out", str(pose), "--progress", "none"]) == 0
    audio, sr = read_wav(pose)
    assert sr == 48000 and audio.shape == (2, 48000)

    path_file = tmp_path / "path.json"
    write_path(path_file, ListenerPath(times=[0.5, 2.0], positions=[[1, 2.5, 1.6], [4, 2.5, 1.6]],
                                       rotations=[[1, 0, 0, 0], [0.7071068, 0.7071068, 0, 0]]))
    moving = tmp_path / "path.wav"
    assert main(["render", str(trained), "--path", str(path_file), "--out", str(moving), "--progress", "none"]) == 0
    audio, sr = read_wav(moving)
    assert audio.shape == (2, int(1.5 * 16000)) and np.all(np.isfinite(audio)) and np.abs(audio).max() > 0


@pytest.mark.parametrize("args,message", [
    (["--pose=1,2,3,1,0,0"], "7 finite numbers"),
    (["--pose=1,2,3,2,0,0,0"], "not unit length"),
    (["--pose=1,2,3,1,0,0,0", "--duration", "10"], "outside the recording"),
    (["--view", "view5"], "--view needs --capture"),
    ([], "exactly one of"),
])
def test_render_errors(trained, tmp_path, capsys, args, message):
    assert main(["render", str(trained), "--out", str(tmp_path / "x.wav"), "--progress", "none", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.wav").exists()


def test_render_path_outside_the_recording(trained, tmp_path, capsys):
    path_file = tmp_path / "path.json"
    write_path(path_file, ListenerPath(times=[1.0, 9.0], positions=[[1, 2, 1.6]] * 2, rotations=[[1, 0, 0, 0]] * 2))
    assert main(["render", str(trained), "--path", str(path_file), "--out", str(tmp_path / "x.wav")]) == 1
    assert "9" in capsys.readouterr().err


def test_version_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "audiogs_core", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == __version__


def test_train_uses_the_default_preset_unless_told_otherwise(freefield_capture, trained, tmp_path, capsys):
    from audiogs_core.train.presets import DEFAULT_PRESET, PRESETS

    meta = json.loads((trained / "model.json").read_text())
    assert DEFAULT_PRESET == "physical" and meta["flags"] == PRESETS["physical"].flags.to_dict()
    from audiogs_core.io.model_folder import MODEL_VERSION

    assert "direct" in meta and meta["version"] == MODEL_VERSION  # the split field's geometry
    assert meta["training"]["settings"]["init_centre"] == "auto"
    out = tmp_path / "published"
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "1", "--preset", "published",
                 "--progress", "none"]) == 0
    assert json.loads((out / "model.json").read_text())["flags"] == PRESETS["published"].flags.to_dict()
    assert main(["train", str(freefield_capture), "--out", str(tmp_path / "x"), "--preset", "best"]) == 1
    assert "unknown preset 'best'" in capsys.readouterr().err


def test_render_reports_progress_while_it_renders(freefield_capture, trained, tmp_path, capsys, monkeypatch):
    # What a bake's progress bar and time left are read from: a progress line per chunk of frames.
    from audiogs_core import renderer

    monkeypatch.setattr(renderer, "CHUNK_FRAMES", 64)  # 3 s = 301 frames: 5 chunks
    out = tmp_path / "v.wav"
    assert main(["render", str(trained), "--capture", str(freefield_capture), "--view", "view5",
                 "--out", str(out), "--progress", "jsonl", "--device", "cpu"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    steps = [(e["step"], e["total"]) for e in events if e["event"] == "progress"]
    fractions = [s / t for s, t in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    during = [(s, t) for s, t in steps if 0 < s < t]
    assert len(during) == 5 and [s for s, _ in during] == [64, 128, 192, 256, 301]
    assert events[-1]["event"] == "done" and out.is_file()


# --------------------------------------------------------------------------- --hrtf

@pytest.fixture(scope="module")
def physical(freefield_capture, tmp_path_factory):
    """A split-field model (--preset physical), trained briefly."""
    out = tmp_path_factory.mktemp("cli_physical") / "model"
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "2", "--preset", "physical",
                 "--progress", "none", "--device", "cpu"]) == 0
    return out


@pytest.fixture(scope="module")
def big_head_sofa(tmp_path_factory):
    """A SOFA file of a rigid sphere of radius 0.12 m (ITD ~1.05 ms at the side, the default's ~0.77)."""
    sofar = pytest.importorskip("sofar")
    from audiogs_core.sim.hrtf import sphere_bank

    bank = sphere_bank(48000, head_radius=0.12)
    sofa = sofar.Sofa("SimpleFreeFieldHRIR")
    sofa.Data_IR = np.stack([bank.left, bank.right], axis=1)  # [M, 2, N]
    sofa.Data_SamplingRate = 48000
    sofa.SourcePosition = np.column_stack([  # spherical: azimuth (ccw from the nose), elevation, distance
        np.degrees(np.arctan2(bank.directions[:, 1], bank.directions[:, 0])),
        np.degrees(np.arcsin(np.clip(bank.directions[:, 2], -1, 1))),
        np.ones(len(bank.directions)),
    ])
    path = tmp_path_factory.mktemp("sofa") / "big_head.sofa"
    sofar.write_sofa(str(path), sofa)
    return path


def _lag_ms(left, right, sr, max_ms=2.0):
    """How far (ms) the left channel lags the right one (positive: the right ear leads)."""
    n = 1 << int(np.ceil(np.log2(2 * len(left))))
    f = np.fft.rfftfreq(n * 8, 1 / sr)[: n // 2 + 1]
    lp = 1.0 / (1.0 + (f / 1500.0) ** 8)  # where the ITD is a delay
    c = np.fft.irfft(np.fft.rfft(left, n) * np.conj(np.fft.rfft(right, n)) * lp, n * 8)
    m = int(max_ms * 1e-3 * sr * 8)
    lags = np.arange(-m, m + 1)
    return lags[np.argmax(c[lags % (n * 8)])] / (sr * 8) * 1e3


def test_render_hrtf_sofa_changes_the_ears_of_a_physical_model(physical, big_head_sofa, tmp_path):
    from _freefield import SOURCE

    # the source 1.5 m to the listener's right (head +X = world +X, looking along +y)
    pose = "--pose=" + ",".join(f"{v:g}" for v in (*(SOURCE - [1.5, 0.0, 0.0]), 0.7071068, 0.7071068, 0, 0))
    wavs = {}
    for name, extra in (("default", []), ("sphere", ["--hrtf", "sphere"]), ("sofa", ["--hrtf", str(big_head_sofa)])):
        wavs[name] = tmp_path / f"{name}.wav"
        assert main(["render", str(physical), pose, "--duration", "1.5", "--out", str(wavs[name]),
                     "--progress", "none", "--device", "cpu", *extra]) == 0
    default, sr = read_wav(wavs["default"])
    assert np.array_equal(read_wav(wavs["sphere"])[0], default)  # the model's own choice is the sphere
    sofa = read_wav(wavs["sofa"])[0]
    assert np.all(np.isfinite(sofa)) and np.abs(sofa - default).max() > 0.05 * np.abs(default).max()
    # for the right reason: the bigger head's ears are further apart
    lag_default, lag_sofa = _lag_ms(default[0], default[1], sr), _lag_ms(sofa[0], sofa[1], sr)
    assert 0.5 < lag_default < 0.95, lag_default
    assert lag_sofa - lag_default > 0.15, (lag_default, lag_sofa)


@pytest.mark.parametrize("hrtf,message", [
    ("cardioid", "unknown hrtf 'cardioid': use sphere, kemar or a path to a .sofa file"),
    ("missing.sofa", "SOFA file not found"),
])
def test_render_hrtf_bad_value_is_one_error(physical, tmp_path, capsys, hrtf, message):
    out = tmp_path / "x.wav"
    assert main(["render", str(physical), "--pose=1,2.5,1.6,1,0,0,0", "--duration", "0.5", "--out", str(out),
                 "--hrtf", hrtf, "--progress", "none"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0], err
    assert not out.exists()


def test_render_hrtf_on_a_model_without_a_head_model_is_one_error(freefield_capture, big_head_sofa, tmp_path,
                                                                  capsys):
    tuned = tmp_path / "tuned"
    assert main(["train", str(freefield_capture), "--out", str(tuned), "--epochs", "1", "--preset", "tuned",
                 "--progress", "none"]) == 0
    out = tmp_path / "x.wav"
    args = ["render", str(tuned), "--pose=1,2.5,1.6,1,0,0,0", "--duration", "0.5", "--out", str(out),
            "--progress", "none"]
    assert main([*args, "--hrtf", str(big_head_sofa)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--preset physical" in err[0] and "Traceback" not in err[0], err
    assert not out.exists()
    assert main([*args, "--hrtf", "sphere"]) == 0  # what it renders with anyway


def test_a_capture_that_does_not_say_where_the_talker_is_trains_tuned_by_default(freefield_capture, tmp_path, capsys):
    import shutil

    capture = tmp_path / "nosource"
    shutil.copytree(freefield_capture, capture)
    doc = json.loads((capture / "capture.json").read_text())
    doc.pop("sources", None)
    doc["reference"].pop("pose", None)  # a close mic of unknown position
    (capture / "capture.json").write_text(json.dumps(doc))
    out = tmp_path / "m"
    assert main(["train", str(capture), "--out", str(out), "--epochs", "1"]) == 0
    assert "does not say where the talker is: training preset tuned" in capsys.readouterr().out
    assert json.loads((out / "model.json").read_text())["flags"]["split_field"] is False
    assert main(["train", str(capture), "--out", str(tmp_path / "p"), "--epochs", "1", "--preset", "physical"]) == 1
    err = capsys.readouterr().err
    assert "does not say" in err and "add a source to capture.json" in err and "--preset tuned" in err
