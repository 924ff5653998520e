"""Development benchmark runs side by side (docs/experiments/dev_bench.sh): AudioGS of each run,
then the baselines of the first, per group (mean over rooms) and, with --rooms, per room too.

    python docs/experiments/dev_bench_compare.py DIR[=LABEL] DIR[=LABEL] ... [--folds 0,4] [--rooms]
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s12_bench_compare import GROUPS, STATIC, TRACK, bench_rooms, group_scores  # noqa: E402

BASELINES = ("input", "nearest_view", "idw_mix", "mean_view", "dsp")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+"); ap.add_argument("--folds", default="0,4")
    ap.add_argument("--rooms", action="store_true", help="also one table per room")
    a = ap.parse_args()
    runs = [(r.partition("=")[2] or Path(r).name, Path(r.partition("=")[0])) for r in a.runs]
    folds = [int(x) for x in a.folds.split(",")]
    first = runs[0][1]
    for split, ref, subset in GROUPS:
        rooms = bench_rooms(first, split, ref)
        if not rooms:
            continue
        cols = (TRACK + ("ICE", "DPAM_ears", "MAG")) if split == "C" else STATIC
        for room in [None] + (rooms if a.rooms else []):
            print(f"\n| {split}/{ref}/{subset} {room or 'mean of ' + ', '.join(rooms)} | " + " | ".join(cols) + " |")
            print("|---" * (len(cols) + 1) + "|")
            rows = [(label, bench, "audiogs") for label, bench in runs] + [(m, first, m) for m in BASELINES]
            for label, bench, method in rows:
                s = group_scores(bench, split, ref, subset, method, folds, room)
                if s:
                    print(f"| {label} | " + " | ".join(f"{s[c]:.3g}" if c in s else "–" for c in cols) + " |")


if __name__ == "__main__":
    main()
