"""Sweep 8's benchmark check: the reduced run of the physical default against the tuned preset of
the full run (docs/benchmarks/full, same captures), on the same folds, from the runs' part files.

    python docs/experiments/s12_bench_compare.py NEW_BENCH_DIR OLD_BENCH_DIR [--folds 0,4]

Per group (split, reference, subset): the mean over views per fold, over folds, over rooms, as
the report computes it; tracking metrics for split C.
"""
import argparse, json
from pathlib import Path

import numpy as np

GROUPS = [("A", "close", "heldout"), ("A", "close", "turned"), ("A", "view", "heldout"), ("A", "view", "turned"),
          ("B", "close", "test"), ("C", "close", "path"), ("C", "view", "path")]
STATIC = ("MAG", "LRE", "RTE", "DPAM", "DPAM_ears", "ITDE", "ICE")
TRACK = ("LEVEL", "ILD", "ITD", "TREND")


def bench_rooms(bench: Path, split: str, ref: str) -> list[str]:
    """The rooms a run's part files hold for (split, reference): the benchmark's or development ones."""
    return sorted(d.name[len(split) + 1:-len(ref) - 1] for d in (bench / "parts").glob(f"{split}-*-{ref}"))


def group_scores(bench: Path, split: str, ref: str, subset: str, method: str, folds, only_room=None) -> dict:
    rooms = []
    for room in ([only_room] if only_room else bench_rooms(bench, split, ref)):
        per_fold = []
        for fold_dir in sorted((bench / "parts" / f"{split}-{room}-{ref}").glob("fold*")):
            if split == "A" and int(fold_dir.name[4:]) not in folds:
                continue
            part = fold_dir / f"{method}.json"
            if not part.is_file():
                continue
            views = [v for v in json.loads(part.read_text())["views"].values() if subset in v["subsets"]]
            if not views:
                continue
            keys = TRACK if split == "C" else STATIC
            kind = "track" if split == "C" else "3s"
            row = {}
            for k in keys + (("MAG", "ICE", "DPAM_ears") if split == "C" else ()):
                src = "3s" if k in ("MAG", "ICE", "DPAM_ears") and split == "C" else kind
                vals = [v["scores"][src][k] for v in views if k in v["scores"].get(src, {})]
                if vals:
                    row[k] = float(np.mean(vals))
            per_fold.append(row)
        if per_fold:
            rooms.append({k: float(np.mean([f[k] for f in per_fold if k in f])) for k in per_fold[0]})
    return {k: float(np.mean([r[k] for r in rooms if k in r])) for k in rooms[0]} if rooms else {}


def print_tables(models: list[tuple[str, Path]], baselines: Path, folds) -> None:
    """One markdown table per group: AudioGS of each (label, bench dir) of ``models``, then the
    baselines of the bench dir ``baselines``."""
    for split, ref, subset in GROUPS:
        cols = (TRACK + ("ICE", "DPAM_ears", "MAG")) if split == "C" else STATIC
        print(f"\n| {split}/{ref}/{subset} | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        rows = [(label, bench, "audiogs") for label, bench in models]
        rows += [(m, baselines, m) for m in ("input", "nearest_view", "idw_mix", "mean_view", "dsp")]
        for label, bench, method in rows:
            s = group_scores(bench, split, ref, subset, method, folds)
            if s:
                print(f"| {label} | " + " | ".join(f"{s[c]:.3g}" if c in s else "–" for c in cols) + " |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("new"); ap.add_argument("old"); ap.add_argument("--folds", default="0,4")
    a = ap.parse_args()
    new, old = Path(a.new), Path(a.old)
    print_tables([("physical (default)", new), ("tuned (full run)", old)], new, [int(x) for x in a.folds.split(",")])


if __name__ == "__main__":
    main()
