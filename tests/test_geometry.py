import numpy as np

from audiogs_core.geometry import look_at_quat, matrix_to_quat, quat_multiply, quat_to_matrix, yaw_to_quat


def test_identity_looks_down_with_right_ear_on_x():
    r = quat_to_matrix(np.array([1.0, 0, 0, 0]))
    assert np.allclose(r @ [0, 0, -1], [0, 0, -1])
    assert np.allclose(r @ [1, 0, 0], [1, 0, 0])


def test_yaw_map_of_the_design_page():
    q = yaw_to_quat(np.pi / 2)
    assert np.allclose(q, [0.70710678, 0.70710678, 0, 0], atol=1e-6)
    for psi in np.linspace(-np.pi, np.pi, 9):
        r = quat_to_matrix(yaw_to_quat(psi))
        assert np.allclose(r @ [0, 0, -1], [np.cos(psi), np.sin(psi), 0], atol=1e-9)  # nose
        assert np.allclose(r @ [0, 1, 0], [0, 0, 1], atol=1e-9)  # up stays up
        assert np.allclose(r @ [1, 0, 0], [np.sin(psi), -np.cos(psi), 0], atol=1e-9)  # right ear


def test_design_example_camera_faces_minus_x():
    q = np.array([0.5, 0.5, 0.5, 0.5])
    assert np.allclose(quat_to_matrix(q) @ [0, 0, -1], [-1, 0, 0])
    assert np.allclose(look_at_quat([3.1, 2.4, 1.6], [1.5, 2.4, 1.6]), q)


def test_matrix_round_trip_and_product():
    rng = np.random.default_rng(0)
    for _ in range(20):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        q = q if q[0] >= 0 else -q
        assert np.allclose(matrix_to_quat(quat_to_matrix(q)), q, atol=1e-9)
    a, b = rng.normal(size=4), rng.normal(size=4)
    assert np.allclose(quat_to_matrix(quat_multiply(a, b)), quat_to_matrix(a) @ quat_to_matrix(b))


def test_quat_to_matrix_camera_convention_and_batches():
    # Moved from the dsp baseline's tests when its own copy of quat_to_matrix went.
    facing_y = [0.7071068, 0.7071068, 0.0, 0.0]  # level head facing world +Y
    assert np.allclose(quat_to_matrix([1, 0, 0, 0]) @ [0, 0, -1], [0, 0, -1])  # looks down
    r = quat_to_matrix(facing_y)
    assert np.allclose(r @ [0, 0, -1], [0, 1, 0], atol=1e-6)  # nose along +Y
    assert np.allclose(r @ [1, 0, 0], [1, 0, 0], atol=1e-6)  # right ear along +X
    assert np.allclose(r @ [0, 1, 0], [0, 0, 1], atol=1e-6)  # up is +Z
    batch = quat_to_matrix(np.stack([facing_y, [1, 0, 0, 0]]))
    assert batch.shape == (2, 3, 3)
