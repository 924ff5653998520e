"""AudioGS of a benchmark run made with --methods audiogs beside a full run's AudioGS and baselines
(the same captures and protocol: the baselines do not change with the model), headline groups.

    python docs/experiments/s16/bench_vs_published.py NEW/results.json OLD/results.json
"""
import json
import sys

STATIC = ("MAG", "LRE", "DPAM", "DPAM_ears", "ITDE", "ICE")
TRACK = ("LEVEL", "ILD", "ITD", "TREND")
BASELINES = ("input", "nearest_view", "idw_mix", "mean_view", "dsp")


def main() -> None:
    new, old = (json.load(open(p))["headline"] for p in sys.argv[1:3])
    for group, h in old.items():
        if group not in new:
            continue
        cols = STATIC if not group.startswith("C/") else TRACK + ("ICE", "DPAM_ears", "MAG")
        print(f"\n| {group} | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols))

        def row(label: str, scores: dict) -> None:
            vals = [scores.get("track", {}).get(c, scores.get("3s", {}).get(c)) for c in cols]
            print(f"| {label} | " + " | ".join("–" if v is None else f"{v:.3g}" for v in vals) + " |")
        row("audiogs (this run)", new[group]["methods"]["audiogs"])
        row("audiogs (published run)", h["methods"]["audiogs"])
        for b in BASELINES:
            if b in h["methods"]:
                row(b, h["methods"][b])


if __name__ == "__main__":
    main()
