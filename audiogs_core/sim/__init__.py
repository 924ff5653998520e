"""Ground-truth room simulator (pyroomacoustics) for captures and the benchmark.

Modules: ``rooms`` (shoebox, lshape, OBJ rooms, materials), ``hrtf`` (sphere,
KEMAR, SOFA ear responses), ``layouts`` (ring and grid listener layouts),
``path_layouts`` (split C's listener paths for any room), ``paths`` (the ground
truth along a path), ``tails`` (which late tail each head hears),
``tail_sequence`` (a path knot's tail, coherent with its neighbours'), ``dry``
(source signals), ``simulate`` (``simulate_capture``) and ``geometry``.
"""

from __future__ import annotations


def simulate_capture(*args, **kwargs):
    """See :func:`audiogs_core.sim.simulate.simulate_capture` (imported lazily)."""
    from audiogs_core.sim.simulate import simulate_capture as _run

    return _run(*args, **kwargs)
