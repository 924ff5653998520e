"""Sweep 10's benchmark check: the reduced run of the new default against sweep 9's default (its
reduced run) and the full run's tuned preset, same captures and folds, from the runs' part files.

    python docs/experiments/s14_bench_compare.py NEW_BENCH_DIR SWEEP9_BENCH_DIR FULL_BENCH_DIR [--folds 0,4]

Means as docs/experiments/s12_bench_compare.py computes them (per fold, over folds, over rooms).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s12_bench_compare import print_tables  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("new"); ap.add_argument("sweep9"); ap.add_argument("full"); ap.add_argument("--folds", default="0,4")
    a = ap.parse_args()
    new = Path(a.new)
    print_tables([("physical (sweep 10, default)", new), ("physical (sweep 9)", Path(a.sweep9)),
                  ("tuned (full run)", Path(a.full))], new, [int(x) for x in a.folds.split(",")])


if __name__ == "__main__":
    main()
