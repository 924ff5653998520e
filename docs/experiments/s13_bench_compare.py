"""Sweeps 9 and 10's benchmark checks: a reduced run against the run before it (its reduced
run) and the full run's tuned preset, same captures and folds, from the runs' part files.

    python docs/experiments/s13_bench_compare.py NEW_BENCH_DIR OLD_BENCH_DIR FULL_BENCH_DIR [--folds 0,4] \
        [--new-label "physical (sweep 9, default)"] [--old-label "physical (sweep 8)"]

Sweep 10's: --new-label "physical + binaural_recorded_room (sweep 10)" --old-label "physical (sweep 9)".
Means as docs/experiments/s12_bench_compare.py computes them (per fold, over folds, over rooms).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s12_bench_compare import print_tables  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("new"); ap.add_argument("old"); ap.add_argument("full"); ap.add_argument("--folds", default="0,4")
    ap.add_argument("--new-label", default="physical (sweep 9, default)")
    ap.add_argument("--old-label", default="physical (sweep 8)")
    a = ap.parse_args()
    new = Path(a.new)
    print_tables([(a.new_label, new), (a.old_label, Path(a.old)), ("tuned (full run)", Path(a.full))], new,
                 [int(x) for x in a.folds.split(",")])


if __name__ == "__main__":
    main()
