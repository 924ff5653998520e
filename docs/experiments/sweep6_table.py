#!/usr/bin/env python
"""Markdown tables of sweep 6 from its raw results (docs/experiments/s6r_*.json).

    python docs/experiments/sweep6_table.py

Per capture: the tuned preset next to the baselines (every number is in the JSON). Per setting switched back to
the published value: the change of each metric against the tuned preset on
the same capture (relative for MAG, ENV, LRE, RTE; the ITDE of the ring and
turned validation views in ms), the mean over captures and in how many
captures it got worse (worse = the tuned value is confirmed on that metric).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SETTINGS = ["lr_gain", "lr_sh_dc", "init_centre", "init_spread", "lr_mu", "loss_terms", "loss_norm",
            "tail_init", "sh_degree", "attenuation", "delay", "reverb_tail", "mask_range"]
BASELINES = ["input", "nearest_view", "mean_view", "dsp"]
RELATIVE = ["MAG", "ENV", "LRE", "RTE"]


def load() -> dict[str, dict]:
    """{capture label: {method: scores}}, parts of one capture merged."""
    out: dict[str, dict] = {}
    for path in sorted(HERE.glob("s6r_*_close*.json")):
        label = path.stem[len("s6r_"):].split("_close")[0]  # e.g. devbox_s101
        out.setdefault(label, {}).update(json.loads(path.read_text())["results"])
    return out


def itde(scores: dict, kind: str) -> float:
    names = ["ring1", "ring4"] if kind == "ring" else ["turned_left", "turned_right"]
    return float(np.mean([scores[f"ITDE_{n}"] for n in names]))


def main() -> None:
    runs = load()
    labels = [k for k, v in runs.items() if "tuned" in v]
    cols = RELATIVE + ["ITDE ring", "ITDE turned"]
    print("| capture | MAG tuned / mean_view / nearest_view | RTE tuned / mean_view / nearest_view "
          "| ITDE turned (ms) tuned / nearest_view / dsp |")
    print("|---|---|---|---|")
    for label in labels:
        r = runs[label]
        mag = " / ".join(f"{r[m]['MAG']:.4f}" for m in ("tuned", "mean_view", "nearest_view"))
        rte = " / ".join(f"{r[m]['RTE']:.4f}" for m in ("tuned", "mean_view", "nearest_view"))
        itd = " / ".join(f"{itde(r[m], 'turned'):.3f}" for m in ("tuned", "nearest_view", "dsp"))
        print(f"| {label} | {mag} | {rte} | {itd} |")
    print()
    print("| switched back | captures | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for setting in SETTINGS:
        have = [lab for lab in labels if setting in runs[lab]]
        if not have:
            continue
        cells = []
        for k in cols:
            if k in RELATIVE:
                d = [runs[lab][setting][k] / runs[lab]["tuned"][k] - 1 for lab in have]
                text = f"{100 * np.mean(d):+.0f}%"
            else:
                kind = k.split()[1]
                d = [itde(runs[lab][setting], kind) - itde(runs[lab]["tuned"], kind) for lab in have]
                text = f"{np.mean(d):+.3f}"
            worse = sum(x > 0 for x in d)
            cells.append(f"{text} ({worse}/{len(d)} worse)")
        print(f"| {setting} | {len(have)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
