"""``audiogs simulate``: one real run (1 s of audio) and the error paths."""

import json

import numpy as np

from audiogs_core.cli import main
from audiogs_core.io.audio import write_wav
from audiogs_core.io.capture import load_capture, load_capture_audio


def test_simulate_writes_a_capture_with_jsonl_progress(tmp_path, capsys):
    out = tmp_path / "cap"
    (out / "audio").mkdir(parents=True)
    write_wav(out / "audio" / "stale.wav", np.zeros(10), 16000)  # from an earlier run
    (out / "notes.txt").write_text("mine")
    dry = tmp_path / "dry.wav"
    t = np.arange(8000) / 8000
    write_wav(dry, np.sin(2 * np.pi * 220 * t) * np.hanning(8000), 8000)

    code = main(["simulate", str(out), "--room", "shoebox", "--seconds", "1", "--sample-rate", "8000",
                 "--source", str(dry), "--material", "curtains_fabric_folded", "--seed", "2",
                 "--force", "--progress", "jsonl"])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["event"] for e in lines][-1] == "done"
    steps = [e["step"] for e in lines if e["event"] == "progress"]
    assert steps == sorted(steps) and steps[-1] == lines[-2]["total"]

    cap = load_capture(out)
    audio = load_capture_audio(cap)
    assert cap.sample_rate == 8000 and audio.num_samples == 8000 and len(cap.views) == 10
    sim = cap.raw["simulation"]
    assert sim["dry_signal"] == str(dry) and sim["seed"] == 2
    assert set(sim["materials"]) == {"curtains_fabric_folded"}
    assert not (out / "audio" / "stale.wav").exists()
    assert (out / "notes.txt").read_text() == "mine"  # --force removes only what it writes


def test_simulate_refuses_a_non_empty_folder(tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "x.txt").write_text("x")
    assert main(["simulate", str(out), "--room", "shoebox"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not empty" in err[0] and "--force" in err[0]


def test_simulate_reports_bad_options_in_one_line(tmp_path, capsys):
    assert main(["simulate", str(tmp_path / "a"), "--room", "attic"]) == 1
    assert "unknown room 'attic'" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "b"), "--room", "lshape", "--material", "velvet",
                 "--progress", "jsonl"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip())["event"] == "error"
    assert "unknown material 'velvet'" in captured.err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
