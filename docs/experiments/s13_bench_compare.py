"""Sweep 9's benchmark check: the reduced run of the new default against sweep 8's default (its
reduced run) and the full run's tuned preset, same captures and folds, from the runs' part files.

    python docs/experiments/s13_bench_compare.py NEW_BENCH_DIR SWEEP8_BENCH_DIR FULL_BENCH_DIR [--folds 0,4]

Means as docs/experiments/s12_bench_compare.py computes them (per fold, over folds, over rooms).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s12_bench_compare import GROUPS, STATIC, TRACK, group_scores  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("new"); ap.add_argument("sweep8"); ap.add_argument("full"); ap.add_argument("--folds", default="0,4")
    a = ap.parse_args()
    folds = [int(x) for x in a.folds.split(",")]
    new, sweep8, full = Path(a.new), Path(a.sweep8), Path(a.full)
    for split, ref, subset in GROUPS:
        cols = (TRACK + ("ICE", "DPAM_ears", "MAG")) if split == "C" else STATIC
        print(f"\n| {split}/{ref}/{subset} | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        rows = [("physical (sweep 9, default)", new, "audiogs"), ("physical (sweep 8)", sweep8, "audiogs"),
                ("tuned (full run)", full, "audiogs")]
        rows += [(m, new, m) for m in ("input", "nearest_view", "idw_mix", "mean_view", "dsp")]
        for label, bench, method in rows:
            s = group_scores(bench, split, ref, subset, method, folds)
            if s:
                print(f"| {label} | " + " | ".join(f"{s[c]:.3g}" if c in s else "–" for c in cols) + " |")


if __name__ == "__main__":
    main()
