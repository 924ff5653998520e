"""End-to-end checks of the simulator (1 s of audio, few rays: a few seconds each)."""

import json

import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.sim import hrtf, layouts, rooms, simulate

FS = 16000


def _lag_ms(left, right, fs, max_ms=1.0, up=8):
    """How much ``left`` lags ``right`` (ms; positive: the right ear leads), by cross-correlation."""
    from scipy.signal import correlate, resample_poly

    lu, ru = resample_poly(left, up, 1), resample_poly(right, up, 1)
    c = correlate(lu, ru, mode="full")
    lags = np.arange(-len(ru) + 1, len(lu))
    keep = np.abs(lags) <= max_ms * 1e-3 * fs * up
    return lags[keep][np.argmax(c[keep])] / (fs * up) * 1e3


def _lowpass_lag_ms(left, right, fs):
    """Interaural lag below 1.2 kHz, where the ITD is robust to reverberation."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, 1200, "low", fs=fs, output="sos")
    return _lag_ms(sosfiltfilt(sos, left.astype(float)), sosfiltfilt(sos, right.astype(float)), fs)


@pytest.mark.parametrize("kind,yaw_deg", [("sphere", 0.0), ("sphere", 90.0), ("sphere", 200.0),
                                          ("kemar", 200.0)])
def test_itd_and_ild_for_a_source_on_the_right(kind, yaw_deg):
    # A heavily absorbing room, the head 1 m from the source, which is 90 deg to its right.
    spec = rooms.shoebox("curtains_fabric_folded")
    yaw = np.radians(yaw_deg)
    right_dir = np.array([np.sin(yaw), -np.cos(yaw), 0.0])  # R (1, 0, 0) for a level head
    head = layouts.ViewSpec("h", spec.source - 1.0 * right_dir, float(yaw))
    bank = hrtf.load_hrtf(kind, FS)
    _, left, right = simulate.ear_rirs(spec, [head], bank, FS, seed=0, rt_time=0.3, n_rays=500)
    direct = slice(0, 800)  # the first 50 ms: direct sound and early reflections
    l, r = left[0][direct], right[0][direct]
    itd = _lag_ms(l, r, FS)
    ild = 10 * np.log10(np.sum(r ** 2) / np.sum(l ** 2))
    assert 0.55 < itd < 0.8, itd  # Woodworth: a/c (pi/2 + 1) = 0.67 ms
    assert 5.0 < ild < 20.0, ild


@pytest.fixture(scope="module")
def capture_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "cap"
    simulate.simulate_capture(out, room="shoebox", seconds=1.0, layout="ring", seed=5, n_rays=1000)
    return out


def test_capture_loads_and_follows_the_format(capture_dir):
    cap = load_capture(capture_dir)
    audio = load_capture_audio(cap)
    assert cap.sample_rate == FS and audio.num_samples == FS
    assert audio.reference.shape == (1, FS)
    assert len(cap.views) == 10 and all(a.shape == (2, FS) for a in audio.views.values())
    assert [v.name for v in cap.test_views()] == ["ring0", "turned_left", "turned_right"]
    assert np.allclose(cap.reference.pose.position, [3.3, 2.5, 1.6])
    assert np.allclose(cap.sources[0].position, [3.0, 2.5, 1.6])
    raw = json.loads((capture_dir / "capture.json").read_text())
    sim = raw["simulation"]
    assert sim["room"] == "shoebox" and sim["layout"] == "ring" and sim["hrtf"] == "sphere"
    assert sim["seed"] == 5 and sim["seconds"] == 1.0
    assert sim["dry_signal"] in ("espeak-ng", "procedural")
    assert 0.3 < sim["rt60_estimate"] < 0.9
    assert sim["ray_tracing_time"] >= 1.5 * sim["rt60_estimate"]
    tags = {v["name"]: v["tags"] for v in raw["views"]}
    assert "turned" in tags["turned_left"] and "ring" in tags["ring3"]
    assert rooms.read_room_polygons(capture_dir / "room.obj")  # the mesh is there and readable
    for a in audio.views.values():
        assert np.all(np.isfinite(a)) and np.abs(a).max() > 1e-3
    # the reference is a close mic: much louder than any view 1.8 m away
    assert np.std(audio.reference) > 1.5 * max(np.std(a) for a in audio.views.values())


@pytest.fixture(scope="module")
def ring_rirs():
    spec = rooms.shoebox()
    views = layouts.ring_layout(spec, seed=5)
    _, left, right = simulate.ear_rirs(spec, views, hrtf.sphere_bank(FS), FS, seed=5,
                                       rt_time=0.5, n_rays=500)
    return views, left, right


def test_turned_heads_hear_the_source_on_the_side(ring_rirs):
    views, left, right = ring_rirs
    for v, l, r in zip(views, left, right):
        if "turned" not in v.tags:
            continue
        onset = int(np.argmax(np.abs(l) + np.abs(r) > 0.3 * max(np.abs(l).max(), np.abs(r).max())))
        early = slice(0, onset + 80)  # the direct sound (5 ms), before the first reflection
        lag = _lowpass_lag_ms(l[early], r[early], FS)
        # turned left of the source: the source is on the right, the right ear leads
        assert lag == pytest.approx(0.675 if v.name == "turned_left" else -0.675, abs=0.15), v.name


def test_both_ears_share_one_reverberant_tail(ring_rirs):
    # Same seed in both passes and both ears at one point: every head (not only the
    # first) gets one tail heard through two HRIRs, coherent at low frequencies.
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [100, 300], "bandpass", fs=FS, output="sos")
    views, left, right = ring_rirs
    for v, l, r in zip(views, left, right):
        n = min(len(l), len(r))
        tail_l, tail_r = sosfiltfilt(sos, l[2400:n]), sosfiltfilt(sos, r[2400:n])  # after 150 ms
        assert np.corrcoef(tail_l, tail_r)[0, 1] > 0.6, v.name


def test_same_seed_is_bit_identical(capture_dir, tmp_path):
    again = simulate.simulate_capture(tmp_path / "again", room="shoebox", seconds=1.0,
                                      layout="ring", seed=5, n_rays=1000)
    assert (again / "capture.json").read_bytes() == (capture_dir / "capture.json").read_bytes()
    assert (again / "room.obj").read_bytes() == (capture_dir / "room.obj").read_bytes()
    a = load_capture_audio(load_capture(again))
    b = load_capture_audio(load_capture(capture_dir))
    assert a.reference.tobytes() == b.reference.tobytes()
    for name in b.views:
        assert a.views[name].tobytes() == b.views[name].tobytes(), name


def test_output_folder_must_be_empty_unless_forced(capture_dir, tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(AudioGSError, match="not empty"):
        simulate.simulate_capture(out, seconds=1.0)
    with pytest.raises(AudioGSError, match="unknown room"):
        simulate.simulate_capture(tmp_path / "x", room="cube")
    assert not (tmp_path / "x").exists()  # nothing written for a bad room


def test_measure_rt60_of_an_exponential_decay():
    rng = np.random.default_rng(0)
    t = np.arange(FS) / FS
    rir = rng.standard_normal(FS) * 10 ** (-3 * t / 0.5)  # -60 dB at 0.5 s
    assert simulate.measure_rt60(rir, FS) == pytest.approx(0.5, rel=0.1)
