"""What the sweep 15 scripts share: a dev dolly's knots simulated as one tail group, and how two
knots' responses compare once their direct sounds are lined up."""
import numpy as np
from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
from audiogs_core.sim import hrtf, paths, rooms, simulate
from audiogs_core.sim.path_layouts import benchmark_paths

FS = 16000


def ear_rirs(spec, heads, groups):
    """Left and right responses of ``heads`` (tail ``groups``), KEMAR, seed 103, 10000 rays."""
    bank = hrtf.load_hrtf("kemar", FS, HEAD_RADIUS)
    rt = max(1.5 * rooms.sabine_rt60(spec), 0.3)
    _, left, right = simulate.ear_rirs(spec, heads, bank, FS, 103, rt, n_rays=10000, tail_groups=groups)
    return left, right


def dolly_knots(room, t_lo, t_hi):
    """The room, the dolly's plan, its knots between t_lo and t_hi (s) and their responses (one group)."""
    spec = rooms.load_room(room)
    plan = paths.plan_path("dolly_in", benchmark_paths(spec, 6.0)["dolly_in"], spec, 6.0)
    sel = [k for k, t in enumerate(plan.knots) if t_lo <= t <= t_hi]
    heads = [plan.heads[k] for k in sel]
    left, right = ear_rirs(spec, heads, [0] * len(heads))
    return spec, plan, sel, heads, left, right


def extra_delay(spec, a, b):
    """How many samples later the direct sound reaches head b than head a."""
    src = np.asarray(spec.source, float)
    return (np.linalg.norm(b.position - src) - np.linalg.norm(a.position - src)) / SPEED_OF_SOUND * FS


def advance(h, samples):
    """``h`` read ``samples`` (fractional) earlier, as the crossfade reads a knot."""
    n2 = 2 * len(h)
    return np.fft.irfft(np.fft.rfft(h, n2) * np.exp(2j * np.pi * np.fft.rfftfreq(n2) * samples), n2)[:len(h)]


def compare(a, b):
    """Correlation of two signals and the level (dB) of their halfway crossfade against their mean."""
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    rho = a @ b / np.sqrt((a @ a) * (b @ b))
    halfway = 0.25 * np.sum((a + b) ** 2) / (0.5 * (a @ a + b @ b))
    return rho, 10 * np.log10(halfway)
