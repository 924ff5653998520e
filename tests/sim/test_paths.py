"""Ground truth along listener paths: simulated in the capture's passes, crossfaded between knots."""

import json
import math

import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import ListenerPath, load_path
from audiogs_core.metrics.itd import gcc_phat_lag
from audiogs_core.sim import layouts, rooms, simulate

FS = 16000
SECONDS = 2.0


def _path(times, positions, yaws_deg):
    return ListenerPath(np.array(times, float), np.array(positions, float),
                        np.stack([yaw_to_quat(math.radians(y)) for y in yaws_deg]))


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    spec = rooms.shoebox()
    src = np.asarray(spec.source, float)
    z = spec.listener_z
    ring1 = layouts.ring_layout(spec, 0)[1]
    side = [src[0] - 1.2, src[1], z]  # the talker 1.2 m along +x: on the right of a head facing +y
    paths = {
        "still": ListenerPath(np.array([0.5]), ring1.position[None, :], np.array(ring1.rotation)[None, :]),
        # the same pose held over the whole recording: many knots at one place
        "still_long": ListenerPath(np.array([0.0, SECONDS]), np.stack([ring1.position] * 2),
                                   np.stack([np.array(ring1.rotation)] * 2)),
        # facing +y (talker on the right) for 0.5 s, a half turn, facing -y (talker on the left)
        "turn": _path([0.0, 0.5, 1.0, 1.5, 2.0], [side] * 5, [90, 90, 180, 270, 270]),
        # 2.4 m to 0.8 m from the talker, facing it
        "dolly": _path([0.0, 0.2, 1.8, 2.0], [[src[0] - 2.4, src[1], z], [src[0] - 2.4, src[1], z],
                                            [src[0] - 0.8, src[1], z], [src[0] - 0.8, src[1], z]], [0, 0, 0, 0]),
    }
    out = tmp_path_factory.mktemp("paths") / "cap"
    simulate.simulate_capture(out, room="shoebox", seconds=SECONDS, hrtf="sphere", seed=0, n_rays=500,
                              paths=paths)
    return out


def _itd_ms(x):
    return gcc_phat_lag(x[0], x[1], FS) * 1e3


def _level_db(x):
    return 10 * np.log10(np.mean(x ** 2))


def test_paths_are_written_beside_the_capture(capture):
    cap = load_capture(capture)
    assert [p.name for p in cap.paths] == ["still", "still_long", "turn", "dolly"]
    for p in cap.paths:
        assert p.path == capture / "paths" / f"{p.name}.json" and p.audio.is_file()
    turn = load_path(capture / "paths" / "turn.json")
    audio, sr = read_wav(capture / "paths" / "turn.wav")
    assert sr == FS and audio.shape == (2, int(round(turn.end * FS)))
    entry = json.loads((capture / "capture.json").read_text())["paths"][2]
    assert entry["knots"] > 36  # a half turn in 1 s at most 5 degrees per knot


@pytest.mark.parametrize("name", ["still", "still_long"])
def test_a_path_that_stands_still_reproduces_the_view(capture, name):
    still, _ = read_wav(capture / "paths" / f"{name}.wav")
    view, _ = read_wav(capture / "audio" / "ring1.wav")
    assert still.shape == view.shape
    assert np.max(np.abs(still - view)) < 1e-5 * np.max(np.abs(view))


def test_a_half_turn_in_place_flips_the_itd(capture):
    audio, _ = read_wav(capture / "paths" / "turn.wav")
    first, last = audio[:, : FS // 2], audio[:, -FS // 2:]
    assert _itd_ms(first) > 0.3  # the talker on the right: the right ear leads
    assert _itd_ms(last) < -0.3
    assert _level_db(first[1]) > _level_db(first[0]) and _level_db(last[0]) > _level_db(last[1])


def test_the_level_rises_along_a_dolly_towards_the_talker(capture):
    audio, _ = read_wav(capture / "paths" / "dolly.wav")
    rise = _level_db(audio[:, -FS // 4:]) - _level_db(audio[:, : FS // 4])
    assert rise > 3.0


def test_the_views_do_not_depend_on_the_paths(capture, tmp_path):
    # The same capture without paths: identical view recordings (each head's tail has its own seed).
    plain = tmp_path / "plain"
    simulate.simulate_capture(plain, room="shoebox", seconds=SECONDS, hrtf="sphere", seed=0, n_rays=500)
    a, _ = read_wav(plain / "audio" / "ring3.wav")
    b, _ = read_wav(capture / "audio" / "ring3.wav")
    assert np.array_equal(a, b)


def test_a_tilted_head_or_a_path_outside_the_recording_is_refused(tmp_path):
    tilted = ListenerPath(np.array([0.0]), np.array([[2.0, 2.0, 1.6]]), np.array([[1.0, 0.0, 0.0, 0.0]]))
    with pytest.raises(AudioGSError, match="tilted"):
        simulate.simulate_capture(tmp_path / "a", room="shoebox", seconds=1.0, paths={"tilted": tilted})
    late = _path([0.0, 5.0], [[2, 2, 1.6], [2.5, 2, 1.6]], [0, 0])
    with pytest.raises(AudioGSError, match="outside the recording"):
        simulate.simulate_capture(tmp_path / "b", room="shoebox", seconds=1.0, paths={"late": late})
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
