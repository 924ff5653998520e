#!/usr/bin/env python
"""How low can MAG go on the benchmark's ring views?  An oracle experiment.

MAG rewards predicting a test view's magnitude spectrogram.  Late
reverberation is a random field that decorrelates within centimetres above
a few hundred Hz, so no method that has not heard the test position can know
its fine structure; the best it can do is the *expected* magnitude there.
This script measures that floor on the benchmark's own scenes (the room,
speech, KEMAR ears and seed of ``audiogs bench``):

for each scored view, it simulates M extra heads with the view's own
orientation at random places within ``radius`` of it (same pass, same seed,
so the view itself is re-simulated alongside them) and scores

* ``mean_view``: the benchmark baseline (mean magnitude of the 7 train ring
  views of the view's fold, nearest view's phase; the turned heads, scored in
  every fold, are scored against fold 0's train views);
* ``local_mean_<radius>``: the same construction over the M neighbours,
  which know everything about the test position except its own fine
  structure (direct sound, early reflections, head shadow and level all
  vary little over ``radius``): an optimistic floor for any predictor;
* ``local_copy_<radius>``: copying the nearest neighbour's recording (the
  noise of ITDE and the other metrics for a listener ``radius`` away).

Nothing here selects anything: it bounds what the bar of the benchmark
asks for.  Results go to a JSON file and a short table on stdout.

    python scripts/oracle_floor.py --out docs/experiments/oracle_floor.json [--neighbours 12]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def _neighbours(view, count: int, radius: float, rng) -> list:
    from audiogs_core.sim.layouts import ViewSpec

    out = []
    for j in range(count):
        # Uniform in a horizontal disc: the head stays level and keeps its yaw.
        rho = radius * np.sqrt(rng.uniform())
        phi = rng.uniform(0.0, 2.0 * np.pi)
        pos = view.position + np.array([rho * np.cos(phi), rho * np.sin(phi), 0.0])
        out.append(ViewSpec(f"{view.name}_nb{radius:g}_{j}", pos, view.yaw, "test"))
    return out


def run_room(room: str, views_to_score: list[str], count: int, radii: list[float], seconds: float,
             seed: int, metrics: list[str]) -> dict:
    from audiogs_core.baselines.mean_view import mean_magnitude_with_phase
    from audiogs_core.conventions import HEAD_RADIUS
    from audiogs_core.metrics.evaluate import evaluate
    from audiogs_core.metrics.itd import itd
    from audiogs_core.metrics.prepare import prepare
    from audiogs_core.sim import dry as dry_mod
    from audiogs_core.sim import hrtf as hrtf_mod
    from audiogs_core.sim import layouts as layout_mod
    from audiogs_core.sim import rooms as room_mod
    from audiogs_core.sim.simulate import MIN_RT_TIME, REFERENCE_PEAK, RT_FACTOR, convolve, ear_rirs

    sr = 16000
    spec = room_mod.load_room(room)
    layout = layout_mod.make_layout("ring", spec, seed)
    bank = hrtf_mod.load_hrtf("kemar", sr, HEAD_RADIUS)
    signal, label = dry_mod.dry_signal(seconds, sr, None, seed)
    rng = np.random.default_rng([seed, 2024])
    extra = {}
    by_name = {v.name: v for v in layout}
    for name in views_to_score:
        if name not in by_name:
            raise SystemExit(f"unknown view {name!r}; the ring layout has {', '.join(by_name)}")
        view = by_name[name]
        for radius in radii:
            extra[(name, radius)] = _neighbours(view, count, radius, rng)
    all_views = list(layout) + [v for group in extra.values() for v in group]
    rt_time = max(RT_FACTOR * room_mod.sabine_rt60(spec), MIN_RT_TIME)
    t0 = time.monotonic()
    ref_rir, left, right = ear_rirs(spec, all_views, bank, sr, seed, rt_time)
    sim_s = time.monotonic() - t0
    ref = convolve(signal, ref_rir)
    gain = REFERENCE_PEAK / max(float(np.abs(ref).max()), 1e-12)
    audio = {v.name: (np.stack([convolve(signal, hl), convolve(signal, hr)]) * gain).astype(np.float32)
             for v, hl, hr in zip(all_views, left, right)}
    pos = {v.name: np.asarray(v.position) for v in all_views}
    ring = [v.name for v in layout if "ring" in v.tags]

    results: dict[str, dict] = {}
    itds: dict[str, dict] = {}
    for name in views_to_score:
        target = audio[name]
        held_out = name if name in ring else ring[0]  # a turned head: fold 0's held-out view
        train = [n for n in ring if n != held_out]
        nearest = min(train, key=lambda n: np.linalg.norm(pos[n] - pos[name]))
        preds = {
            "mean_view": mean_magnitude_with_phase(np.stack([audio[n] for n in train]), train.index(nearest), sr),
            "nearest_view": audio[nearest],
        }
        for radius in radii:
            group = [v.name for v in extra[(name, radius)]]
            closest = min(group, key=lambda n: np.linalg.norm(pos[n] - pos[name]))
            preds[f"local_mean_{radius:g}"] = mean_magnitude_with_phase(np.stack([audio[n] for n in group]),
                                                                        group.index(closest), sr)
            preds[f"local_copy_{radius:g}"] = audio[closest]
        results[name] = {m: evaluate(p, target, sr, metrics, ("3s",))["3s"] for m, p in preds.items()}
        # The interaural lag GCC-PHAT measures, for the view and each neighbour:
        # how much ITDE a listener a few centimetres away already scores.
        def itd_ms(x: np.ndarray) -> float:  # over the whole recording, high-passed as for the metrics
            return 1e3 * itd(prepare(x, x, sr)[1], sr)

        itds[name] = {"target": itd_ms(target),
                      **{f"neighbours_{r:g}": [itd_ms(audio[v.name]) for v in extra[(name, r)]] for r in radii}}
        print(f"{room} {name}: " + ", ".join(f"{m} MAG {r['MAG']:.4f}" for m, r in results[name].items()), flush=True)
    return {"dry_signal": label, "simulation_s": sim_s, "views": results, "itd_ms": itds}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rooms", default="shoebox,lshape")
    ap.add_argument("--views", default="ring0,ring2,ring4,ring6,turned_left,turned_right")
    ap.add_argument("--neighbours", type=int, default=12)
    ap.add_argument("--radii", default="0.1,0.3")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--metrics", default="MAG,ENV,LRE,ITDE")
    args = ap.parse_args(argv)
    radii = [float(r) for r in args.radii.split(",")]
    metrics = args.metrics.split(",")
    if "MAG" not in metrics or args.seconds < 3.0:
        raise SystemExit("the floor is about MAG on 3 s windows: keep MAG in --metrics and --seconds >= 3")
    out = {"args": vars(args), "rooms": {}}
    for room in args.rooms.split(","):
        out["rooms"][room] = run_room(room, args.views.split(","), args.neighbours, radii,
                                      args.seconds, args.seed, metrics)
    first_room = next(iter(out["rooms"].values()))
    methods = list(next(iter(first_room["views"].values())))
    print("\nmean over rooms and views (3 s windows):")
    summary = {}
    for m in methods:
        summary[m] = {k: float(np.mean([v[m][k] for r in out["rooms"].values() for v in r["views"].values()]))
                      for k in metrics}
        print(f"{m:>18s} " + " ".join(f"{k} {v:.4f}" for k, v in summary[m].items()))
    out["summary"] = summary
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
