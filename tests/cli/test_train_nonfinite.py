"""`audiogs train` on a recording with NaN or infinite samples: one error naming
the file before training starts, and no model folder left behind."""

import shutil

import numpy as np
import pytest
import soundfile as sf

from audiogs_core.cli import main


@pytest.mark.parametrize("file, bad", [("audio/view2.wav", np.nan), ("audio/reference.wav", np.inf)])
def test_non_finite_samples_stop_training_before_it_starts(freefield_capture, tmp_path, capsys,
                                                           file, bad):
    cap = tmp_path / "capture"
    shutil.copytree(freefield_capture, cap)
    data, rate = sf.read(str(cap / file), dtype="float32", always_2d=True)
    data[len(data) // 2, 0] = bad
    sf.write(str(cap / file), data, rate, subtype="FLOAT")
    out = tmp_path / "model"
    assert main(["train", str(cap), "--out", str(out), "--epochs", "1", "--progress", "none",
                 "--device", "cpu"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(cap / file) in err[0] and "non-finite" in err[0], err
    assert not out.exists()
