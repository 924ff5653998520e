import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.io.obj_mesh import HEADER, ObjMesh, read_obj, write_obj

SQUARE = np.array([[0.0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]])


def test_round_trip_of_two_meshes(tmp_path):
    path = tmp_path / "room.obj"
    a = ObjMesh.from_polygons([SQUARE], "floor")
    b = ObjMesh("wall", np.array([[0.0, 0, 0], [0, 0, 3], [1, 0, 3]]), [[0, 1, 2]])
    write_obj(path, [a, b])
    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    assert "o floor" in lines and "o wall" in lines
    assert "v 1.000000 1.000000 0.000000" in lines  # world coordinates, Z up
    assert "f 5 6 7" in lines  # the second mesh's indices follow the first's vertices
    back = read_obj(path)
    assert back.name == "room"
    np.testing.assert_allclose(back.vertices, np.concatenate([a.vertices, b.vertices]))
    assert back.faces == [[0, 1, 2, 3], [4, 5, 6]]
    np.testing.assert_allclose(back.polygons()[0], SQUARE)


def test_relative_indices_and_texture_tokens(tmp_path):
    path = tmp_path / "blender.obj"
    path.write_text("# exported\nmtllib x.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\n"
                    "f 1/1/1 2/2/1 3/3/1\nf -3 -2 -1\n")
    mesh = read_obj(path)
    assert mesh.faces == [[0, 1, 2], [0, 1, 2]]


@pytest.mark.parametrize("text, match", [
    ("v 0 0 x\n", "cannot parse line 1"),
    ("v 0 0\n", "cannot parse line 1"),
    ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n", r"face \[1, 2, 9\] is invalid"),
])
def test_bad_obj_files_are_clear_errors(tmp_path, text, match):
    path = tmp_path / "bad.obj"
    path.write_text(text)
    with pytest.raises(AudioGSError, match=match):
        read_obj(path)
    with pytest.raises(AudioGSError, match="room mesh not found"):
        read_obj(tmp_path / "missing.obj")
