import json

import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.io.listener_path import ListenerPath, check_path_within, load_path, slerp, write_path

S = 2 ** -0.5


def write_json(tmp_path, frames, **extra):
    p = tmp_path / "path.json"
    p.write_text(json.dumps({"format": "audiogs.path", "version": 1, "frames": frames, **extra}))
    return p


def frame(t, pos=(0, 0, 1.6), rot=(S, S, 0, 0)):
    return {"time": t, "position": list(pos), "rotation": list(rot)}


def test_load_write_round_trip(tmp_path):
    p = write_json(tmp_path, [frame(0.0), frame(1.0, (1, 0, 1.6), (1, 0, 0, 0))])
    path = load_path(p)
    assert len(path) == 2 and path.start == 0.0 and path.end == 1.0
    np.testing.assert_allclose(path.rotations[0], [S, S, 0, 0])
    write_path(tmp_path / "out" / "p.json", path)
    again = load_path(tmp_path / "out" / "p.json")
    np.testing.assert_array_equal(again.times, path.times)
    np.testing.assert_array_equal(again.positions, path.positions)
    np.testing.assert_allclose(again.rotations, path.rotations)


@pytest.mark.parametrize("frames, message", [
    ([], "key 'frames' must hold at least one frame"),
    ([frame(0.0), frame(1.0), frame(1.0)],
     r"key 'frames\[2\].time' must be greater than frames\[1\].time .* strictly increasing"),
    ([frame(1.0), frame(0.5)], r"key 'frames\[1\].time' must be greater"),
    ([frame(float("nan"))], r"key 'frames\[0\].time' must be finite"),
    ([frame(0.0, rot=(1, 1, 0, 0))], r"key 'frames\[0\].rotation' must be a unit quaternion"),
    ([{"time": 0.0, "position": [0, 0, 0]}], r"missing required key 'frames\[0\].rotation'"),
    ([frame(0.0, pos=(0, 0))], r"key 'frames\[0\].position' must be a list of 3 numbers"),
])
def test_invalid_paths(tmp_path, frames, message):
    p = write_json(tmp_path, frames)
    with pytest.raises(AudioGSError, match=message) as info:
        load_path(p)
    assert str(p) in str(info.value)


def test_bad_header_and_missing_file(tmp_path):
    p = tmp_path / "path.json"
    p.write_text(json.dumps({"format": "audiogs.path", "version": 7, "frames": [frame(0)]}))
    with pytest.raises(AudioGSError, match="key 'version' is 7, newer than this audiogs supports"):
        load_path(p)
    p.write_text(json.dumps({"format": "audiogs.capture", "version": 1, "frames": [frame(0)]}))
    with pytest.raises(AudioGSError, match="key 'format' must be 'audiogs.path'"):
        load_path(p)
    with pytest.raises(AudioGSError, match="listener path not found"):
        load_path(tmp_path / "none.json")


def test_write_refuses_non_increasing(tmp_path):
    path = ListenerPath(times=[0.0, 0.0], positions=np.zeros((2, 3)),
                        rotations=np.tile([1.0, 0, 0, 0], (2, 1)))
    with pytest.raises(AudioGSError, match="strictly increasing"):
        write_path(tmp_path / "p.json", path)
    assert not (tmp_path / "p.json").exists()


def test_near_unit_quaternion_normalised(tmp_path):
    path = load_path(write_json(tmp_path, [frame(0.0, rot=(0.7071, 0.7071, 0, 0))]))
    assert abs(np.linalg.norm(path.rotations[0]) - 1) < 1e-12


def test_check_path_within(tmp_path):
    path = load_path(write_json(tmp_path, [frame(0.0), frame(2.0), frame(10.5)]))
    check_path_within(path, 10.5)
    check_path_within(path, 10.5 - 5e-5)  # within about a sample
    with pytest.raises(AudioGSError, match=r"frame 2 at time 10.5 s lies outside the recording, "
                                           r"which runs from 0 to 10.000 s"):
        check_path_within(path, 10.0)
    neg = ListenerPath(times=[-0.5, 1.0], positions=np.zeros((2, 3)),
                       rotations=np.tile([1.0, 0, 0, 0], (2, 1)))
    with pytest.raises(AudioGSError, match="frame 0 at time -0.5 s lies outside"):
        check_path_within(neg, 10.0)


def test_slerp_halfway_and_shortest_arc():
    q0 = np.array([1.0, 0, 0, 0])
    q90 = np.array([S, 0, 0, S])  # 90 deg about z
    half = slerp(q0, q90, 0.5)
    np.testing.assert_allclose(half, [np.cos(np.pi / 8), 0, 0, np.sin(np.pi / 8)], atol=1e-12)
    # -q90 is the same rotation: slerp must take the short way, not 270 deg.
    np.testing.assert_allclose(slerp(q0, -q90, 0.5), half, atol=1e-12)
    many = slerp(q0, q90, np.array([0.0, 1.0]))
    assert many.shape == (2, 4)
    np.testing.assert_allclose(many[0], q0)
    np.testing.assert_allclose(many[1], q90)
    # Nearly identical quaternions do not divide by zero.
    tiny = np.array([1.0, 1e-9, 0, 0]) / np.linalg.norm([1.0, 1e-9, 0, 0])
    assert np.all(np.isfinite(slerp(q0, tiny, 0.3)))


def test_sample_interpolates_and_clamps():
    path = ListenerPath(times=[1.0, 3.0], positions=[[0, 0, 0], [2, 4, 0]],
                        rotations=[[1.0, 0, 0, 0], [0, 0, 0, 1.0]])  # 180 deg about z
    pos, rot = path.sample(np.array([0.0, 1.0, 2.0, 3.0, 5.0]))
    np.testing.assert_allclose(pos, [[0, 0, 0], [0, 0, 0], [1, 2, 0], [2, 4, 0], [2, 4, 0]])
    np.testing.assert_allclose(rot[2], [S, 0, 0, S], atol=1e-12)
    np.testing.assert_allclose(rot[0], [1, 0, 0, 0])
    np.testing.assert_allclose(rot[4], [0, 0, 0, 1])
    static = ListenerPath(times=[0.5], positions=[[1, 2, 3]], rotations=[[1.0, 0, 0, 0]])
    pos, rot = static.sample(np.linspace(0, 9, 4))
    assert pos.shape == (4, 3) and rot.shape == (4, 4)
    np.testing.assert_array_equal(pos, np.tile([1, 2, 3], (4, 1)))
    with pytest.raises(AudioGSError, match="positions"):
        ListenerPath(times=[0.0, 1.0], positions=np.zeros((3, 3)), rotations=np.zeros((2, 4)))
