"""The renderer's bookkeeping (chunks, the kept reference span) changes no sample."""

import numpy as np
import torch

from audiogs_core.conventions import stft_settings, time_cells
from audiogs_core.dsp.stft import history_spec, stft
from audiogs_core.geometry import look_at_quat, quat_to_matrix
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.model.gaussians import TAIL_FRAMES, AudioGaussians, GridSpec
from audiogs_core.model.render import render_moving_spec, render_static_spec
from audiogs_core import renderer
from audiogs_core.renderer import LoadedModel, render_path, render_static
from audiogs_core.train.presets import get_preset

SR = 16000
SECONDS = 7.0  # more than one chunk of frames


def _model(seed: int = 0) -> LoadedModel:
    gen = torch.Generator().manual_seed(seed)
    grid = GridSpec(stft=stft_settings(SR), n_cells=time_cells(SECONDS), duration=SECONDS)
    model = AudioGaussians(grid, get_preset("tuned").flags, reference_position=np.array([3.0, 2.5, 1.6]))
    model.initialize(np.array([3.0, 2.5, 1.6]), np.zeros(grid.n_freq), gen, spread=0.5)
    with torch.no_grad():  # masks and side terms that differ per cell
        model.sh_mono_dc.copy_(torch.randn(model.sh_mono_dc.shape, generator=gen))
        model.sh_diff_dc.copy_(0.3 * torch.randn(model.sh_diff_dc.shape, generator=gen))
    reference = (0.1 * torch.randn(1, int(SECONDS * SR), generator=gen)).numpy()
    return LoadedModel(model=model.eval(), reference=reference, meta={})


def _direct(loaded: LoadedModel, s0: int, n: int, positions: np.ndarray, quats: np.ndarray, static: bool):
    """The render computed plainly: the whole span at once, torch.istft, nothing kept."""
    model, s = loaded.model, loaded.model.grid.stft
    spec = stft(torch.from_numpy(loaded.reference[:, s0:s0 + n]), s)
    history = history_spec(loaded.reference, s0, TAIL_FRAMES, s)
    times = (s0 + torch.arange(spec.shape[-1], dtype=torch.float64) * s.hop) / SR
    pos = torch.as_tensor(positions, dtype=torch.float32)
    rot = torch.as_tensor(quat_to_matrix(quats), dtype=torch.float32)
    with torch.no_grad():
        mag, weight = model.reference_terms(spec, history)
        if static:
            out = render_static_spec(model, spec, times, pos[:1], rot[:1], mag, weight)
        else:
            out = render_moving_spec(model, spec, times, pos[None], rot[None], mag, weight)
    window = torch.hamming_window(s.win, periodic=True)
    return torch.istft(out[0].contiguous(), s.n_fft, s.hop, s.win, window, center=True, length=n).numpy()


def _path() -> ListenerPath:
    times = np.linspace(0.0, SECONDS, 15)
    pos = np.stack([3.0 + 1.5 * np.cos(times), 2.5 + 1.5 * np.sin(times), 1.6 + 0 * times], 1)
    quats = np.stack([look_at_quat(p, np.array([3.5, 2.5, 1.6])) for p in pos])
    return ListenerPath(times=times, positions=pos, rotations=quats)


def test_a_moving_render_is_the_plain_computation():
    loaded, path = _model(), _path()
    out = render_path(loaded, path)
    s = loaded.model.grid.stft
    frame_times = np.arange(out.shape[-1] // s.hop + 1) * s.hop / SR
    pos, quats = path.sample(frame_times)
    expected = _direct(loaded, 0, out.shape[-1], pos, quats, static=False)
    assert renderer.CHUNK_FRAMES < len(frame_times)  # the chunks are exercised
    assert np.max(np.abs(out - expected)) < 1e-4 * np.max(np.abs(expected))


def test_static_renders_of_two_spans_and_two_poses_share_nothing_they_should_not():
    loaded = _model()
    a = np.array([[4.0, 2.0, 1.6]]), np.array([look_at_quat(np.array([4.0, 2.0, 1.6]), np.array([3.0, 2.5, 1.6]))])
    b = np.array([[2.0, 3.0, 1.6]]), np.array([[1.0, 0.0, 0.0, 0.0]])
    first = render_static(loaded, a[0][0], a[1][0], start_s=1.0, duration_s=5.0)
    other_pose = render_static(loaded, b[0][0], b[1][0], start_s=1.0, duration_s=5.0)  # the kept span
    other_span = render_static(loaded, a[0][0], a[1][0], start_s=0.5, duration_s=4.0)
    for out, (pos, quat), s0 in ((first, a, SR), (other_pose, b, SR), (other_span, a, SR // 2)):
        expected = _direct(loaded, s0, out.shape[-1], pos, quat, static=True)
        assert np.max(np.abs(out - expected)) < 1e-4 * np.max(np.abs(expected))
    assert np.array_equal(first, render_static(loaded, a[0][0], a[1][0], start_s=1.0, duration_s=5.0))


def test_a_changed_model_renders_anew_after_forget_span():
    loaded = _model()
    pos, quat = np.array([4.0, 2.0, 1.6]), np.array([1.0, 0.0, 0.0, 0.0])
    before = render_static(loaded, pos, quat)
    with torch.no_grad():
        loaded.model.tail_db.add_(10.0)  # the tail is part of the kept span's magnitude
    loaded.forget_span()
    after = render_static(loaded, pos, quat)
    expected = _direct(loaded, 0, after.shape[-1], pos[None], quat[None], static=True)
    assert np.max(np.abs(after - expected)) < 1e-4 * np.max(np.abs(expected))
    assert np.max(np.abs(after - before)) > 0.1 * np.max(np.abs(before))
