import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.sim import geometry, rooms


def test_builtin_rooms_match_the_design():
    box = rooms.shoebox()
    lo, hi = box.bounds()
    assert lo.tolist() == [0, 0, 0] and hi.tolist() == [6, 5, 3]
    assert box.source.tolist() == [3.0, 2.5, 1.6] and box.ring_radius == 1.8
    lsh = rooms.lshape()
    assert abs(geometry.mesh_volume(lsh.polygons) - 108.0) < 1e-9
    assert lsh.source.tolist() == [6.5, 1.5, 1.6] and lsh.ring_radius == 1.0
    # RT60 about 0.55 s by design; Sabine over 250 Hz..4 kHz is a rough upper bound
    assert 0.4 < rooms.sabine_rt60(box) < 0.9


def test_materials_are_resampled_to_one_bank():
    six = rooms.material_absorption("carpet_thin")  # a 6-band entry in the database
    seven = rooms.material_absorption("brickwork")
    assert len(six) == len(seven) == len(rooms.BANK_CENTERS)
    assert six[-1] == six[-2]  # flat beyond the last measured band
    with pytest.raises(AudioGSError, match="unknown material 'carpet'.*carpet_"):
        rooms.material_absorption("carpet")


def test_pra_room_accepts_mixed_band_materials():
    spec = rooms.shoebox()
    spec.materials[0] = "carpet_thin"  # 6 bands next to 7-band materials
    room = rooms.build_pra_room(spec, 16000, time_thres=0.3, n_rays=100)
    assert abs(room.get_volume() - 90.0) < 1e-3
    assert len({len(w.absorption) for w in room.walls}) == 1


def test_obj_round_trip_and_orientation(tmp_path):
    spec = rooms.lshape()
    path = tmp_path / "room.obj"
    rooms.write_room_obj(path, spec.polygons)
    text = path.read_text()
    assert "v 8.000000 0.000000 3.000000" in text  # Z up, world coordinates
    back = rooms.read_room_polygons(path)
    assert len(back) == len(spec.polygons)
    assert abs(geometry.mesh_volume(back) - 108.0) < 1e-6
    # faces written inside-out are turned back
    rooms.write_room_obj(path, [p[::-1] for p in spec.polygons])
    assert abs(geometry.mesh_volume(rooms.read_room_polygons(path)) - 108.0) < 1e-6


def test_obj_room_places_source_away_from_walls(tmp_path):
    path = tmp_path / "hall.obj"
    rooms.write_room_obj(path, rooms.shoebox().polygons)
    spec = rooms.load_room(str(path))
    assert spec.name == "hall"
    walls = spec.polygons[:4]  # the vertical ones: floor and ceiling do not limit the ring
    assert geometry.distance_to_walls(spec.source, walls) == pytest.approx(2.5)
    assert np.allclose(spec.source, [3.0, 2.5, 1.6])  # ties go to the centre
    assert spec.materials[-2] == "carpet_cotton"  # the downward face is the floor
    assert spec.ring_radius == pytest.approx(1.8)


def test_bad_rooms_are_clear_errors(tmp_path):
    with pytest.raises(AudioGSError, match="unknown room 'cube'"):
        rooms.load_room("cube")
    with pytest.raises(AudioGSError, match="room mesh not found"):
        rooms.load_room(str(tmp_path / "missing.obj"))
    bad = tmp_path / "bad.obj"
    bad.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    with pytest.raises(AudioGSError, match="encloses no volume"):
        rooms.load_room(str(bad))
