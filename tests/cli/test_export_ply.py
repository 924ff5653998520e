import numpy as np

from audiogs_core.cli import main
from audiogs_core.conventions import stft_settings
from audiogs_core.io.model_folder import TENSOR_SHAPES, shape_of, write_model_folder
from audiogs_core.io.ply import read_ply


def make_model(folder, K=3, sr=8000):  # noqa: N803
    stft = stft_settings(sr)
    meta = {"sample_rate": sr, "stft": stft.to_dict(), "K": K, "F": stft.n_freq,
            "duration": 0.5, "head_radius": 0.09, "speed_of_sound": 343.0,
            "reference_position": [0.0, 0.0, 1.6], "flags": {}, "core_version": "test"}
    rng = np.random.default_rng(0)
    tensors = {n: rng.standard_normal(shape_of(n, K, stft.n_freq)).astype(np.float32)
               for n in TENSOR_SHAPES}
    return write_model_folder(folder, meta, tensors, np.zeros((1, 400), np.float32), sr)


def test_export_ply(tmp_path, capsys):
    model = make_model(tmp_path / "model")
    out = tmp_path / "out" / "g.ply"
    assert main(["export-ply", str(tmp_path / "model"), str(out)]) == 0
    cols = read_ply(out)
    assert cols["x"].shape == (3 * model.F,)
    np.testing.assert_array_equal(cols["z"], model.tensors["mu"][..., 2].reshape(-1))
    assert "wrote 387 Gaussians" in capsys.readouterr().out


def test_export_ply_missing_model_is_one_line_error(tmp_path, capsys):
    assert main(["export-ply", str(tmp_path / "nope"), str(tmp_path / "g.ply")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("audiogs export-ply: error: model folder not found")
    assert err.count("\n") == 1
    assert not (tmp_path / "g.ply").exists()
