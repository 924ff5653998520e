import json
import os

import numpy as np
import pytest

from audiogs_core.io.atomic import atomic_path, atomic_write_bytes, atomic_write_json, atomic_write_text


def test_writes_create_folders_and_replace(tmp_path):
    p = tmp_path / "a" / "b.bin"
    atomic_write_bytes(p, b"one")
    atomic_write_bytes(p, b"two")
    assert p.read_bytes() == b"two"
    atomic_write_text(tmp_path / "t.txt", "héllo")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "héllo"
    assert sorted(os.listdir(tmp_path / "a")) == ["b.bin"]  # no temporary left behind


def test_json_indent_and_nan_refused(tmp_path):
    p = tmp_path / "x.json"
    atomic_write_json(p, {"a": [1, 2]})
    assert p.read_text() == json.dumps({"a": [1, 2]}, indent=2) + "\n"
    with pytest.raises(ValueError):
        atomic_write_json(p, {"a": float("nan")})
    assert json.loads(p.read_text()) == {"a": [1, 2]}  # old content intact
    assert os.listdir(tmp_path) == ["x.json"]
    atomic_write_json(p, {"a": np.arange(2), "b": np.float32(0.5)})
    assert json.loads(p.read_text()) == {"a": [0, 1], "b": 0.5}


def test_atomic_path_success_and_failure(tmp_path):
    target = tmp_path / "out.wav"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.suffix == ".wav" and tmp != target
            tmp.write_bytes(b"half")
            raise RuntimeError("writer failed")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.wav"]
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["out.wav"]
    # Permissions follow the umask, not mkstemp's 0600.
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
