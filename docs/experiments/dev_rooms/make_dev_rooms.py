#!/usr/bin/env python
"""Write the development rooms of sweep 6 as OBJ meshes (Z up), beside this script.

None of them is a benchmark room (the 6 x 5 x 3 m shoebox and the 8 x 6 x 3 m
L of audiogs_core/sim/rooms.py): ``devbox`` is a 7 x 4.6 x 2.8 m box (the
room of sweep 5), ``devell`` an L of other proportions, ``devtee`` a T,
``devtall`` a tall narrow room. All stand 20 m east of the world origin, where
the benchmark's rooms stand, so no listener of theirs has the coordinates of
a benchmark view (scripts/tune_on_train_views.py refuses such a capture).

    python docs/experiments/dev_rooms/make_dev_rooms.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiogs_core.sim.rooms import write_obj

# Floor plans, counter-clockwise seen from above (m), and ceiling heights (m).
PLANS: dict[str, tuple[list[tuple[float, float]], float]] = {
    "devbox": ([(0, 0), (7, 0), (7, 4.6), (0, 4.6)], 2.8),
    "devell": ([(0, 0), (7.5, 0), (7.5, 3.4), (3.3, 3.4), (3.3, 6), (0, 6)], 3.0),
    "devtee": ([(2.6, 0), (5.6, 0), (5.6, 3.6), (8.2, 3.6), (8.2, 6.8), (0, 6.8), (0, 3.6), (2.6, 3.6)], 2.7),
    "devtall": ([(0, 0), (3.4, 0), (3.4, 7.4), (0, 7.4)], 5.0),
}
OFFSET_X = 20.0  # m


def extrude(plan: list[tuple[float, float]], height: float) -> list[np.ndarray]:
    """Walls, floor and ceiling of a floor plan raised to ``height``."""
    c = np.asarray(plan, dtype=float) + [OFFSET_X, 0.0]
    walls = [np.array([[*c[i], 0.0], [*c[(i + 1) % len(c)], 0.0], [*c[(i + 1) % len(c)], height], [*c[i], height]])
             for i in range(len(c))]
    floor = np.array([[x, y, 0.0] for x, y in c[::-1]])
    ceiling = np.array([[x, y, height] for x, y in c])
    return walls + [floor, ceiling]


if __name__ == "__main__":
    here = Path(__file__).parent
    for name, (plan, height) in PLANS.items():
        write_obj(here / f"{name}.obj", extrude(plan, height), name)
        print(here / f"{name}.obj")
