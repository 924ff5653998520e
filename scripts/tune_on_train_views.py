#!/usr/bin/env python
"""Compare model variants on a train view held out from training (never a test view).

The benchmark protocol forbids selecting anything on test views. This script
is how settings are chosen instead: the fold's test views are dropped
entirely, one more train view is held out for validation, and AudioGS
variants are trained on the rest and scored on it next to the baselines.

    python scripts/tune_on_train_views.py CAPTURE --validate ring1 [--ref close|view]
        [--variant NAME:key=value,key=value ...] [--epochs N] [--json OUT]

Keys are TrainSettings fields or ModelFlags fields (flags.<name>).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

import numpy as np


def _parse_value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if text in ("true", "false"):
        return text == "true"
    if text == "none":
        return None
    return text


def parse_variant(spec: str) -> tuple[str, dict, dict]:
    name, _, body = spec.partition(":")
    settings, flags = {}, {}
    for item in filter(None, body.split(",")):
        key, _, value = item.partition("=")
        if key.startswith("flags."):
            flags[key[6:]] = _parse_value(value)
        else:
            settings[key] = _parse_value(value)
    return name, settings, flags


def main(argv=None) -> int:
    from audiogs_core.baselines import BaselineInputs, get_baseline
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.metrics.evaluate import evaluate
    from audiogs_core.model.flags import ModelFlags
    from audiogs_core.renderer import LoadedModel, render_static
    from audiogs_core.train.data import training_data_from_capture
    from audiogs_core.train.settings import TrainSettings
    from audiogs_core.train.trainer import train_model

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("--validate", required=True, help="train view held out for validation")
    ap.add_argument("--ref", default="close", choices=["close", "view"])
    ap.add_argument("--ref-view", default=None, help="train view used as reference with --ref view")
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--metrics", default="MAG,ENV,LRE,ITDE")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    capture = load_capture(args.capture)
    audio = load_capture_audio(capture)
    data = training_data_from_capture(capture, audio)
    if args.validate not in data.view_names:
        raise SystemExit(f"--validate must name a train view: {data.view_names}")
    keep = [i for i, n in enumerate(data.view_names) if n != args.validate]
    data = dataclasses.replace(data, view_names=[data.view_names[i] for i in keep],
                               view_positions=data.view_positions[keep], view_rotations=data.view_rotations[keep],
                               view_audio=data.view_audio[keep])
    if args.ref == "view":
        ref_name = args.ref_view or data.view_names[0]
        i = data.view_names.index(ref_name)
        data = dataclasses.replace(data, reference=data.view_audio[i], reference_position=data.view_positions[i],
                                   reference_rotation=data.view_rotations[i])
    val = capture.view(args.validate)
    target = audio.views[args.validate]
    metrics = args.metrics.split(",")
    results: dict[str, dict] = {}

    binputs = BaselineInputs(
        sample_rate=data.sample_rate, reference=data.reference, reference_position=data.reference_position,
        train_positions=data.view_positions, train_rotations=data.view_rotations, train_audio=data.view_audio,
        sources=np.array([s.position for s in capture.sources]).reshape(-1, 3), head_radius=data.head_radius)
    for name in ("input", "nearest_view", "mean_view", "dsp"):
        pred = get_baseline(name)(binputs, val.pose.position, val.pose.rotation)
        results[name] = evaluate(pred, target, data.sample_rate, metrics, ("3s",))["3s"]
        print(f"{name:>24s} " + " ".join(f"{k} {v:.4f}" for k, v in results[name].items()), flush=True)

    for spec in args.variant or ["published:"]:
        name, overrides, flag_overrides = parse_variant(spec)
        if args.epochs is not None:
            overrides.setdefault("epochs", args.epochs)
        t0 = time.monotonic()
        result = train_model(data, TrainSettings(**overrides), ModelFlags(**flag_overrides), device=args.device)
        seconds = time.monotonic() - t0
        loaded = LoadedModel(model=result.model.cpu(), reference=data.reference, meta=result.meta)
        pred = render_static(loaded, val.pose.position, val.pose.rotation)
        results[name] = {**evaluate(pred, target, data.sample_rate, metrics, ("3s",))["3s"],
                         "train_s": seconds, "final_loss": result.epoch_loss[-1]}
        print(f"{name:>24s} " + " ".join(f"{k} {v:.4f}" for k, v in results[name].items()), flush=True)
        if args.json:  # after every variant, so an interrupted sweep keeps what it measured
            with open(args.json, "w") as fh:
                json.dump({"args": vars(args), "results": results}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
