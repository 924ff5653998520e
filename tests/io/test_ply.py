import numpy as np
import pytest
from _io_helpers import SR, model_meta, random_tensors

from audiogs_core.errors import AudioGSError
from audiogs_core.io.model_folder import write_model_folder
from audiogs_core.io.ply import PLY_PROPERTIES, read_ply, write_ply


def test_ply_round_trip(tmp_path):
    meta = model_meta(K=4, duration=0.75)
    model = write_model_folder(tmp_path / "m", meta, random_tensors(meta),
                               np.zeros((2, 100), np.float32), SR)
    write_ply(tmp_path / "g.ply", model)
    data = (tmp_path / "g.ply").read_bytes()
    assert data.startswith(b"ply\nformat binary_little_endian 1.0\n")
    cols = read_ply(tmp_path / "g.ply")
    assert tuple(cols) == PLY_PROPERTIES
    n = 4 * model.F
    assert all(c.shape == (n,) and c.dtype == np.float32 for c in cols.values())
    mu = model.tensors["mu"]
    # Vertex k * F + f is Gaussian (k, f).
    k, f = 2, 17
    i = k * model.F + f
    np.testing.assert_array_equal([cols["x"][i], cols["y"][i], cols["z"][i]], mu[k, f])
    assert cols["energy"][i] == model.tensors["energy"][k, f]
    assert cols["decay"][i] == model.tensors["decay"][k, f]
    assert cols["time"][i] == pytest.approx(k * 0.75 / 3)
    assert cols["frequency"][i] == f
    np.testing.assert_allclose(np.unique(cols["time"]), [0.0, 0.25, 0.5, 0.75], atol=1e-7)


def test_read_ply_refuses_other_files(tmp_path):
    p = tmp_path / "x.ply"
    p.write_bytes(b"not a ply")
    with pytest.raises(AudioGSError, match="is not a PLY file"):
        read_ply(p)
    p.write_bytes(b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1.0\n")
    with pytest.raises(AudioGSError, match="only binary_little_endian"):
        read_ply(p)
    p.write_bytes(b"ply\nformat binary_little_endian 1.0\nelement vertex 5\n"
                  b"property float x\nend_header\n\x00\x00")
    with pytest.raises(AudioGSError, match=r"truncated \(5 vertices"):
        read_ply(p)
