import json
import os

import numpy as np
import pytest
from _io_helpers import SR, capture_dict, noise

from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import write_wav
from audiogs_core.io.capture import capture_to_dict, load_capture, load_capture_audio, write_capture


def test_load_valid_capture(make_capture):
    folder = make_capture(edit=lambda d: d.update(extra={"kept": True}))
    cap = load_capture(folder)
    assert cap.sample_rate == SR and cap.head_radius == 0.09
    assert cap.room_mesh == folder.absolute() / "room.obj"
    assert cap.sources[0].name == "talker"
    np.testing.assert_array_equal(cap.sources[0].position, [1.5, 2.5, 1.6])
    assert cap.reference.audio == folder.absolute() / "audio/reference.wav"
    assert cap.reference.pose.rotation is None
    assert [v.name for v in cap.train_views()] == ["cam1"]
    assert [v.name for v in cap.test_views()] == ["cam2"]
    assert cap.view("cam2").pose.rotation.dtype == np.float64
    assert cap.raw["extra"] == {"kept": True}
    with pytest.raises(AudioGSError, match="no view named 'cam9'"):
        cap.view("cam9")
    # Also accepted: the JSON file itself.
    assert load_capture(folder / "capture.json").views[0].name == "cam1"


def test_defaults(make_capture):
    def edit(d):
        del d["head_radius"], d["room"], d["sources"], d["reference"]["pose"]
        del d["views"][0]["offset"], d["views"][0]["split"]
    cap = load_capture(make_capture(edit=edit))
    assert cap.room_mesh is None and cap.sources == [] and cap.reference.pose is None
    assert cap.views[0].offset == 0.0 and cap.views[0].split == "train"
    assert cap.head_radius == 0.09


def test_missing_capture_json(tmp_path):
    with pytest.raises(AudioGSError, match=r"no capture.json in capture folder .*empty"):
        (tmp_path / "empty").mkdir()
        load_capture(tmp_path / "empty")
    with pytest.raises(AudioGSError, match="capture not found"):
        load_capture(tmp_path / "nothing")


def test_bad_json(tmp_path):
    (tmp_path / "capture.json").write_text('{"format": "audiogs.capture",')
    with pytest.raises(AudioGSError, match=r"capture.json: invalid JSON: .*line 1"):
        load_capture(tmp_path)
    (tmp_path / "capture.json").write_text("[1, 2]")
    with pytest.raises(AudioGSError, match="capture.json: must hold a JSON object, got a list"):
        load_capture(tmp_path)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("reference"), "missing required key 'reference'"),
    (lambda d: d.pop("sample_rate"), "missing required key 'sample_rate'"),
    (lambda d: d["views"][1].pop("pose"), r"missing required key 'views\[1\].pose'"),
    (lambda d: d["views"][0]["pose"].pop("rotation"),
     r"missing required key 'views\[0\].pose.rotation'"),
    (lambda d: d["reference"].pop("audio"), "missing required key 'reference.audio'"),
    (lambda d: d.update(format="audiogs.model"), "key 'format' must be 'audiogs.capture'"),
    (lambda d: d.update(version=2), "key 'version' is 2, newer than this audiogs supports"),
    (lambda d: d.update(sample_rate="16k"), "key 'sample_rate' must be an integer, got \"16k\""),
    (lambda d: d.update(sample_rate=0), "key 'sample_rate' must be positive"),
    (lambda d: d.update(views={}), "key 'views' must be a list, got an object"),
    (lambda d: d.update(views=[]), "key 'views' must hold at least one view"),
    (lambda d: d["views"][0].update(offset="0"), r"key 'views\[0\].offset' must be a number"),
    (lambda d: d["views"][0]["pose"].update(position=[1, 2]),
     r"key 'views\[0\].pose.position' must be a list of 3 numbers"),
    (lambda d: d["views"][0]["pose"].update(position=[1, True, 2]),
     r"key 'views\[0\].pose.position\[1\]' must be a number"),
    (lambda d: d["sources"][0].update(position=[1, 2, float("nan")]),
     r"key 'sources\[0\].position\[2\]' must be finite, got nan"),
    (lambda d: d.update(head_radius=float("inf")), "key 'head_radius' must be finite"),
    (lambda d: d.update(head_radius=-0.1), "key 'head_radius' must be positive"),
    (lambda d: d["views"][1]["pose"].update(rotation=[1, 0, 0, 0.1]),
     r"key 'views\[1\].pose.rotation' must be a unit quaternion .* length 1.00499"),
    (lambda d: d["views"][1]["pose"].update(rotation=[0, 0, 0, 0]),
     r"key 'views\[1\].pose.rotation' must be a unit quaternion"),
    (lambda d: d["views"][1].update(audio="../x.wav"),
     r"key 'views\[1\].audio' path '../x.wav' escapes the capture folder"),
    (lambda d: d["reference"].update(audio="/tmp/ref.wav"),
     "key 'reference.audio' must be a path relative to the capture folder, got absolute"),
    (lambda d: d["room"].update(mesh="a/../../room.obj"), "key 'room.mesh' path .* escapes"),
    (lambda d: d["views"][1].update(name="cam1"),
     r"key 'views\[1\].name' duplicates the name 'cam1' of views\[0\]"),
    (lambda d: d["views"][0].update(split="val"),
     r"key 'views\[0\].split' must be 'train' or 'test', got \"val\""),
])
def test_invalid_capture(make_capture, edit, message):
    folder = make_capture(edit=edit)
    with pytest.raises(AudioGSError, match=message) as info:
        load_capture(folder)
    assert str(folder / "capture.json") in str(info.value)  # names the file


def test_near_unit_quaternion_is_normalised(make_capture):
    folder = make_capture(edit=lambda d: d["views"][0]["pose"].update(rotation=[0.7071, 0.7071, 0, 0]))
    q = load_capture(folder).views[0].pose.rotation
    assert abs(np.linalg.norm(q) - 1.0) < 1e-12
    np.testing.assert_allclose(q, [2 ** -0.5, 2 ** -0.5, 0, 0])


def test_symlink_escaping_folder_is_refused(make_capture, tmp_path):
    outside = tmp_path / "outside.wav"
    write_wav(outside, noise(2, 1.0), SR)
    folder = make_capture(edit=lambda d: d["views"][0].update(audio="link.wav"))
    os.symlink(outside, folder / "link.wav")
    with pytest.raises(AudioGSError, match=r"key 'views\[0\].audio' path 'link.wav' escapes"):
        load_capture(folder)


def test_write_capture_validates_before_writing(tmp_path):
    d = capture_dict()
    d["views"][0]["split"] = "bogus"
    with pytest.raises(AudioGSError, match="must be 'train' or 'test'"):
        write_capture(tmp_path / "c", d)
    assert not (tmp_path / "c" / "capture.json").exists()
    with pytest.raises(AudioGSError, match="not JSON-serialisable"):
        write_capture(tmp_path / "c", dict(capture_dict(), extra=object()))
    # numpy values (as a simulator produces them) are written as plain JSON.
    d = capture_dict()
    d["views"][0]["pose"]["position"] = np.array([3.1, 2.4, 1.6], dtype=np.float32)
    d["sample_rate"] = np.int64(SR)
    write_capture(tmp_path / "c", d)
    written = json.loads((tmp_path / "c" / "capture.json").read_text())
    assert written["sample_rate"] == SR and len(written["views"][0]["pose"]["position"]) == 3
    cap = write_capture(tmp_path / "c", capture_dict())
    assert json.loads((tmp_path / "c" / "capture.json").read_text()) == capture_dict()
    assert load_capture(tmp_path / "c").views[1].name == cap.views[1].name == "cam2"


def test_capture_to_dict_round_trip(make_capture, tmp_path):
    cap = load_capture(make_capture(edit=lambda d: d["views"][0].update(note="kept")))
    cap.views[1].split = "train"
    d = capture_to_dict(cap)
    assert d["views"][0]["note"] == "kept"
    assert d["views"][0]["audio"] == "audio/cam1.wav" and d["reference"]["audio"] == "audio/reference.wav"
    assert d["room"] == {"mesh": "room.obj"}
    cap2 = write_capture(tmp_path / "copy", d)
    assert [v.split for v in cap2.views] == ["train", "train"]
    np.testing.assert_array_equal(cap2.views[0].pose.rotation, cap.views[0].pose.rotation)


# ---------------------------------------------------------------- audio


def test_load_capture_audio_shapes(make_capture):
    audio = load_capture_audio(load_capture(make_capture()))
    assert audio.sample_rate == SR and audio.reference.shape == (1, SR)
    assert set(audio.views) == {"cam1", "cam2"}
    assert all(a.shape == (2, SR) and a.dtype == np.float32 for a in audio.views.values())
    assert audio.duration == 1.0


def test_sample_rate_mismatch_and_resample(make_capture):
    folder = make_capture()
    write_wav(folder / "audio/cam2.wav", noise(2, 1.0, sr=16000), 16000)
    cap = load_capture(folder)
    with pytest.raises(AudioGSError, match=r"cam2.wav has sample rate 16000 Hz but the capture's "
                                           r"sample_rate is 8000 Hz"):
        load_capture_audio(cap)
    audio = load_capture_audio(cap, resample=True)
    assert audio.views["cam2"].shape == (2, SR)


def test_mono_view_refused(make_capture):
    folder = make_capture()
    write_wav(folder / "audio/cam1.wav", noise(1, 1.0), SR)
    with pytest.raises(AudioGSError, match=r"view 'cam1': .*cam1.wav has 1 channel\(s\); binaural required"):
        load_capture_audio(load_capture(folder))


def test_reference_with_three_channels_refused(make_capture):
    folder = make_capture()
    write_wav(folder / "audio/reference.wav", noise(3, 1.0), SR)
    with pytest.raises(AudioGSError, match="reference .*reference.wav has 3 channels"):
        load_capture_audio(load_capture(folder))


def test_empty_and_corrupt_view(make_capture):
    import soundfile as sf

    folder = make_capture()
    sf.write(str(folder / "audio/cam1.wav"), np.zeros((0, 2), dtype=np.float32), SR)
    with pytest.raises(AudioGSError, match=r"cam1.wav is empty \(0 samples\)"):
        load_capture_audio(load_capture(folder))
    (folder / "audio/cam1.wav").write_bytes(b"not audio at all")
    with pytest.raises(AudioGSError, match="cannot read audio file .*cam1.wav"):
        load_capture_audio(load_capture(folder))
    (folder / "audio/cam1.wav").unlink()
    with pytest.raises(AudioGSError, match="audio file not found: .*cam1.wav"):
        load_capture_audio(load_capture(folder))


def test_length_mismatch_beyond_tolerance(make_capture):
    folder = make_capture()
    write_wav(folder / "audio/cam2.wav", noise(2, 1.2), SR)
    with pytest.raises(AudioGSError, match=r"differ in length by 0.200 s .*shortest .*reference.wav "
                                           r"ends at 1.000 s, longest .*cam2.wav ends at 1.200 s"):
        load_capture_audio(load_capture(folder))


def test_small_length_mismatch_is_cut(make_capture):
    folder = make_capture()
    write_wav(folder / "audio/cam2.wav", noise(2, 0.95), SR)
    audio = load_capture_audio(load_capture(folder))
    assert audio.reference.shape == (1, int(0.95 * SR))
    assert audio.views["cam1"].shape == (2, int(0.95 * SR))


def test_offsets_align_on_the_reference_timeline(make_capture):
    # One click at t = 0.5 s on the shared timeline, seen by files starting at
    # different times: after alignment the click must sit at the same sample.
    def click_at(seconds_into_file, total, channels):
        a = np.zeros((channels, int(round(total * SR))), dtype=np.float32)
        a[:, int(round(seconds_into_file * SR))] = 1.0
        return a

    def edit(d):
        d["views"][0]["offset"] = -0.25  # file started 0.25 s before the reference
        d["views"][1]["offset"] = 0.125  # file started 0.125 s after it

    folder = make_capture(edit=edit)
    write_wav(folder / "audio/reference.wav", click_at(0.5, 1.0, 1), SR)
    write_wav(folder / "audio/cam1.wav", click_at(0.75, 1.25, 2), SR)
    write_wav(folder / "audio/cam2.wav", click_at(0.375, 0.875, 2), SR)
    audio = load_capture_audio(load_capture(folder))
    assert audio.reference.shape == (1, SR)
    for name in ("cam1", "cam2"):
        assert audio.views[name].shape == (2, SR)
        assert list(np.flatnonzero(audio.views[name][0])) == [SR // 2]
    # The later-starting file is padded with zeros in front.
    assert not np.any(audio.views["cam2"][:, : SR // 8])


def test_capture_dict_builds_what_load_capture_reads(make_capture):
    from audiogs_core.io.capture import SPLITS, capture_dict, view_dict

    folder = make_capture()
    views = [view_dict(f"cam{i + 1}", f"audio/cam{i + 1}.wav", [3.1, 2.4 + i, 1.6], [0.5, 0.5, 0.5, 0.5],
                       split=SPLITS[min(i, 1)]) for i in range(2)]
    built = capture_dict(SR, "audio/reference.wav", views, reference_position=np.array([1.8, 2.5, 1.6]),
                         sources=[("talker", (1.5, 2.5, 1.6))], room_mesh="room.obj", head_radius=0.09)
    assert built == capture_dict_on_disk(folder)
    cap = write_capture(folder, built)
    assert [v.split for v in cap.views] == ["train", "test"]
    assert cap.reference.pose.rotation is None
    # A reference rotation is kept only with a position; no room, no head radius: keys absent.
    bare = capture_dict(SR, "audio/reference.wav", views[:1], reference_rotation=[1, 0, 0, 0])
    assert "pose" not in bare["reference"] and "room" not in bare and "head_radius" not in bare
    assert bare["sources"] == []


def capture_dict_on_disk(folder):
    return json.loads((folder / "capture.json").read_text())
