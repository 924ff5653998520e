import json

import numpy as np
import pytest
from _io_helpers import SR, model_meta, random_tensors
from safetensors.numpy import save_file

from audiogs_core.errors import AudioGSError
from audiogs_core.io.model_folder import (MODEL_FORMAT, MODEL_VERSION, TENSOR_SHAPES,
                                          read_model_folder, write_model_folder)


def write_random(folder, K=3, seed=0, room_polygons=None):  # noqa: N803
    meta = model_meta(K)
    ref = (0.1 * np.random.default_rng(seed).standard_normal((1, SR // 2))).astype(np.float32)
    return write_model_folder(folder, meta, random_tensors(meta, seed), ref, SR, room_polygons), meta, ref


def test_round_trip(tmp_path):
    folder = tmp_path / "model"
    written, meta, ref = write_random(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["gaussians.safetensors", "model.json",
                                                        "reference.wav"]
    m = read_model_folder(folder)
    assert m.K == 3 and m.F == 129 and m.sample_rate == SR and m.duration == 0.5
    assert m.meta["format"] == MODEL_FORMAT and m.meta["version"] == MODEL_VERSION
    assert m.meta["training"] == {"epochs": 1}  # extra keys kept
    for name in TENSOR_SHAPES:
        assert m.tensors[name].dtype == np.float32
        np.testing.assert_array_equal(m.tensors[name], written.tensors[name])
    audio, sr = m.read_reference()
    assert sr == SR
    np.testing.assert_array_equal(audio, ref)
    np.testing.assert_allclose(m.cell_times(), [0.0, 0.25, 0.5])
    # Overwriting an existing folder works (a retrained model).
    write_random(folder, K=4, seed=1)
    assert read_model_folder(folder).K == 4


def test_newer_version_refused(tmp_path):
    folder = tmp_path / "model"
    write_random(folder)
    meta = json.loads((folder / "model.json").read_text())
    meta["version"] = MODEL_VERSION + 1
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(AudioGSError, match=rf"model.json: key 'version' is {MODEL_VERSION + 1}, newer than this "
                                           rf"audiogs supports \({MODEL_VERSION}\); update audiogs"):
        read_model_folder(folder)


def test_a_version_1_folder_still_loads_and_renders(tmp_path):
    # Folders written before the split field (version 1) have neither ``direct`` nor room.obj.
    folder = tmp_path / "model"
    write_random(folder)
    meta = json.loads((folder / "model.json").read_text())
    meta["version"] = 1
    (folder / "model.json").write_text(json.dumps(meta))
    m = read_model_folder(folder)
    assert m.meta["version"] == 1 and m.room_polygons() is None
    from audiogs_core.renderer import load_model, render_static

    out = render_static(load_model(folder), [1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], duration_s=0.2)
    assert out.shape == (2, int(0.2 * SR)) and np.isfinite(out).all()


def test_room_mesh_is_written_read_and_kept_inside_the_folder(tmp_path):
    folder = tmp_path / "model"
    square = [np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)]
    write_random(folder, room_polygons=square)
    m = read_model_folder(folder)
    assert m.meta["room_mesh"] == "room.obj"
    np.testing.assert_allclose(m.room_polygons()[0], square[0])
    m.meta["room_mesh"] = "../elsewhere.obj"
    with pytest.raises(AudioGSError, match="must name a file in the folder"):
        m.room_polygons()


def test_missing_meta_key_refused(tmp_path):
    folder = tmp_path / "model"
    write_random(folder)
    meta = json.loads((folder / "model.json").read_text())
    del meta["reference_position"]
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(AudioGSError, match="model.json: missing required key 'reference_position'"):
        read_model_folder(folder)


def test_missing_tensor_refused(tmp_path):
    folder = tmp_path / "model"
    written, _, _ = write_random(folder)
    tensors = dict(written.tensors)
    del tensors["gain_db"]
    save_file(tensors, str(folder / "gaussians.safetensors"))
    with pytest.raises(AudioGSError, match="gaussians.safetensors: missing tensor 'gain_db'"):
        read_model_folder(folder)


def test_wrong_shape_dtype_and_nan_refused(tmp_path):
    folder = tmp_path / "model"
    written, _, _ = write_random(folder)
    bad = dict(written.tensors, mu=np.zeros((3, 129, 2), dtype=np.float32))
    save_file(bad, str(folder / "gaussians.safetensors"))
    with pytest.raises(AudioGSError, match=r"tensor 'mu' has shape \[3, 129, 2\], "
                                           r"expected \[3, 129, 3\] \(K=3, F=129"):
        read_model_folder(folder)
    bad = dict(written.tensors, decay=written.tensors["decay"].astype(np.float64))
    save_file(bad, str(folder / "gaussians.safetensors"))
    with pytest.raises(AudioGSError, match="tensor 'decay' must be float32, got float64"):
        read_model_folder(folder)
    nan = written.tensors["energy"].copy()
    nan[0, 0] = np.nan
    save_file(dict(written.tensors, energy=nan), str(folder / "gaussians.safetensors"))
    with pytest.raises(AudioGSError, match="tensor 'energy' contains non-finite values"):
        read_model_folder(folder)


def test_corrupt_or_missing_files(tmp_path):
    with pytest.raises(AudioGSError, match="model folder not found"):
        read_model_folder(tmp_path / "nope")
    folder = tmp_path / "model"
    write_random(folder)
    (folder / "gaussians.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(AudioGSError, match="cannot read .*gaussians.safetensors"):
        read_model_folder(folder)
    (folder / "model.json").write_text("{not json")
    with pytest.raises(AudioGSError, match="model.json: invalid JSON"):
        read_model_folder(folder)
    (folder / "model.json").unlink()
    with pytest.raises(AudioGSError, match="no model.json in model folder"):
        read_model_folder(folder)


def test_write_refuses_bad_input_before_writing(tmp_path):
    meta = model_meta()
    tensors = random_tensors(meta)
    ref = np.zeros((1, 100), dtype=np.float32)
    with pytest.raises(AudioGSError, match="missing tensor 'q'"):
        write_model_folder(tmp_path / "a", meta, {k: v for k, v in tensors.items() if k != "q"},
                           ref, SR)
    with pytest.raises(AudioGSError, match="key 'F' must be stft.n_fft // 2 \\+ 1 = 129, got 10"):
        write_model_folder(tmp_path / "a", dict(meta, F=10), tensors, ref, SR)
    with pytest.raises(AudioGSError, match="reference audio .* is at 16000 Hz but model.json's "
                                           "sample_rate is 8000 Hz"):
        write_model_folder(tmp_path / "a", meta, tensors, ref, 16000)
    assert not (tmp_path / "a").exists()


def test_model_json_is_what_readers_check(tmp_path):
    from audiogs_core.conventions import stft_settings
    from audiogs_core.io.model_folder import REQUIRED_META_KEYS, check_meta, model_json, read_model_json

    stft = stft_settings(SR)
    meta = model_json(sample_rate=SR, stft=stft.to_dict(), n_cells=3, n_freq=stft.n_freq, duration=0.5,
                      head_radius=0.09, speed_of_sound=343.0, reference_position=np.array([1.8, 2.5, 1.6]),
                      reference_position_known=True, reference_rotation=None, reference_channels=1,
                      flags={"sh_degree": 0}, training={"views": ["cam1"]})
    assert check_meta(meta, "model.json") is meta
    assert set(REQUIRED_META_KEYS) <= set(meta)
    assert meta["reference_position"] == [1.8, 2.5, 1.6] and meta["reference_rotation"] is None
    ref = np.zeros((1, SR // 2), dtype=np.float32)
    write_model_folder(tmp_path / "m", meta, random_tensors(meta), ref, SR)
    assert read_model_json(tmp_path / "m") == json.loads((tmp_path / "m" / "model.json").read_text())
    with pytest.raises(AudioGSError, match="no model.json"):
        read_model_json(tmp_path)


def test_tail_tensors_are_checked_when_present(tmp_path):
    meta = model_meta()
    tensors = random_tensors(meta)
    ref = np.zeros((1, SR // 2), dtype=np.float32)
    tensors["tail_db"] = np.zeros(meta["F"], dtype=np.float32)
    tensors["tail_log_tau"] = np.zeros(meta["F"] + 1, dtype=np.float32)
    with pytest.raises(AudioGSError, match="tensor 'tail_log_tau' has shape"):
        write_model_folder(tmp_path / "m", meta, tensors, ref, SR)
    tensors["tail_log_tau"] = np.zeros(meta["F"], dtype=np.float32)
    assert "tail_db" in read_model_folder(write_model_folder(tmp_path / "m", meta, tensors, ref, SR).folder).tensors


def test_a_recorded_room_is_written_named_and_checked_against_the_reference(tmp_path):
    from audiogs_core.io.audio import write_wav

    folder = tmp_path / "model"
    meta = model_meta(3)
    ref = (0.1 * np.random.default_rng(0).standard_normal((1, SR // 2))).astype(np.float32)
    room = (0.01 * np.random.default_rng(1).standard_normal((2, SR // 2))).astype(np.float32)
    write_model_folder(folder, meta, random_tensors(meta, 0), ref, SR, room_audio=room)
    m = read_model_folder(folder)
    assert m.meta["room_audio"] == "room.wav"
    np.testing.assert_array_equal(m.read_room_audio(), room)
    assert write_random(tmp_path / "plain")[0].read_room_audio() is None
    write_wav(folder / "room.wav", room[:, :100], SR)  # not the reference's length
    with pytest.raises(AudioGSError, match=r"room.wav: expected 2 channels of 4000 samples at 8000 Hz.*retrain"):
        m.read_room_audio()
    meta_json = json.loads((folder / "model.json").read_text())
    meta_json["room_audio"] = "../elsewhere.wav"
    (folder / "model.json").write_text(json.dumps(meta_json))
    with pytest.raises(AudioGSError, match="room_audio '../elsewhere.wav' must name a file in the folder"):
        read_model_folder(folder).read_room_audio()
