#!/usr/bin/env python
"""Compare model variants on views held out from training.

The benchmark protocol forbids selecting anything on test views. This script
is how settings are chosen instead: on a development capture, train views
named in --validate are held out, AudioGS variants are trained on the
remaining train views and scored on the held-out views next to the baselines.
Views whose split is "test" in the development capture (its turned heads,
say) may be validation views too: they are never trained on.

A development capture shares nothing with the benchmark: the script refuses
one simulated in a benchmark room (by name or by an equal mesh) or with the
benchmark's simulator seed, and one with a view or reference standing where a
benchmark view stands (the benchmark's ring and grid positions do not depend
on the seed, so another seed in a benchmark room repeats them).

    python scripts/tune_on_train_views.py CAPTURE --validate ring1,turned_left [--ref close|view]
        [--preset tuned|published] [--variant NAME:key=value,key=value ...] [--epochs N] [--json OUT]

Keys are TrainSettings fields or ModelFlags fields (flags.<name>); they change
the class defaults (the published method), or with --preset that preset.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
import time

import numpy as np

# A pose this close (m) to a benchmark view's position counts as the same place.
POSE_TOLERANCE = 0.05


@functools.lru_cache(maxsize=1)
def benchmark_positions() -> np.ndarray:
    """[K, 3] every view position of the benchmark's scenes (ring and grid layouts, both rooms)."""
    from audiogs_core.bench.protocol import ROOMS, SPLIT_LAYOUT
    from audiogs_core.sim.layouts import make_layout
    from audiogs_core.sim.rooms import load_room

    return np.array([v.position for room in ROOMS for layout in SPLIT_LAYOUT.values()
                     for v in make_layout(layout, load_room(room))])


def _same_mesh(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    """Two room meshes with the same corners (to 1 mm), whatever their face order."""
    def corners(polys: list[np.ndarray]) -> set[tuple[float, ...]]:
        return {tuple(np.round(p, 3)) for poly in polys for p in poly}
    return corners(a) == corners(b)


def benchmark_overlap(capture) -> list[str]:
    """What ``capture`` shares with the benchmark's scenes, one sentence each (empty: nothing)."""
    from audiogs_core.bench.protocol import ROOMS, BenchConfig
    from audiogs_core.sim.rooms import load_room, read_room_polygons

    problems = []
    sim = capture.raw.get("simulation") or {}
    if sim.get("room") in ROOMS:
        problems.append(f"it was simulated in the benchmark room {sim['room']!r}")
    if capture.room_mesh is not None and capture.room_mesh.is_file():
        polys = read_room_polygons(capture.room_mesh)
        problems += [f"its room mesh {capture.room_mesh} is the benchmark room {room!r}"
                     for room in ROOMS if _same_mesh(polys, load_room(room).polygons)]
    if sim and sim.get("seed") == BenchConfig().sim_seed:
        problems.append(f"it was simulated with the benchmark's seed {sim['seed']} (same dry speech)")
    bench = benchmark_positions()
    poses = [(f"view {v.name}", v.pose.position) for v in capture.views]
    if capture.reference.pose is not None:
        poses.append(("the reference", capture.reference.pose.position))
    for label, pos in poses:
        d = np.linalg.norm(bench - np.asarray(pos, dtype=float), axis=1)
        if d.min() < POSE_TOLERANCE:
            problems.append(f"{label} at {np.round(pos, 3).tolist()} stands where a benchmark view stands "
                            f"({np.round(bench[d.argmin()], 3).tolist()})")
    return problems


def refuse_benchmark(capture) -> None:
    """One clear error when ``capture`` shares a room, seed or pose with the benchmark."""
    from audiogs_core.errors import AudioGSError

    problems = benchmark_overlap(capture)
    if problems:
        raise AudioGSError(
            f"capture {capture.folder} is not development data: " + "; ".join(problems)
            + ". Tune on a capture of another room with its own layout and seed, e.g. "
            "audiogs simulate --room docs/experiments/dev_rooms/devtee.obj --seed 101 OUT")


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
    from audiogs_core.baselines import NON_LEARNED, BaselineInputs, build_baseline
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.metrics.evaluate import evaluate
    from audiogs_core.model.flags import ModelFlags
    from audiogs_core.renderer import ready_to_render, render_static
    from audiogs_core.train.data import training_data_from_capture
    from audiogs_core.train.presets import get_preset
    from audiogs_core.train.settings import TrainSettings
    from audiogs_core.train.trainer import train_model

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("--validate", required=True, help="comma-separated views held out for validation")
    ap.add_argument("--ref", default="close", choices=["close", "view"])
    ap.add_argument("--ref-view", default=None, help="train view used as reference with --ref view")
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--preset", default=None, help="start every variant from this preset (default: class defaults)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--metrics", default="MAG,ENV,LRE,ITDE")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default=None)
    ap.add_argument("--skip-baselines", action="store_true", help="score the variants only (baselines known)")
    args = ap.parse_args(argv)

    capture = load_capture(args.capture)
    refuse_benchmark(capture)
    audio = load_capture_audio(capture)
    data = training_data_from_capture(capture, audio)
    validate = args.validate.split(",")
    for name in validate:
        capture.view(name)  # a clear error for an unknown name
    keep = [i for i, n in enumerate(data.view_names) if n not in validate]
    data = dataclasses.replace(data, view_names=[data.view_names[i] for i in keep],
                               view_positions=data.view_positions[keep], view_rotations=data.view_rotations[keep],
                               view_audio=data.view_audio[keep])
    if args.ref == "view":
        ref_name = args.ref_view or data.view_names[0]
        i = data.view_names.index(ref_name)
        data = dataclasses.replace(data, reference=data.view_audio[i], reference_position=data.view_positions[i],
                                   reference_rotation=data.view_rotations[i])
    metrics = args.metrics.split(",")

    def score(predict) -> dict:
        """Metrics (3 s windows) averaged over the validation views; ITDE also per view."""
        per_view = {}
        for name in validate:
            view = capture.view(name)
            pred = predict(view.pose.position, view.pose.rotation)
            per_view[name] = evaluate(pred, audio.views[name], data.sample_rate, metrics, ("3s",))["3s"]
        out = {m: float(np.mean([v[m] for v in per_view.values()])) for m in metrics}
        if "ITDE" in metrics and len(validate) > 1:
            out.update({f"ITDE_{n}": v["ITDE"] for n, v in per_view.items()})
        return out
    results: dict[str, dict] = {}

    binputs = BaselineInputs.from_training(data)
    for name in () if args.skip_baselines else NON_LEARNED:
        method = build_baseline(name, binputs)
        results[name] = score(method.predict)
        print(f"{name:>24s} " + " ".join(f"{k} {v:.4f}" for k, v in results[name].items()), flush=True)

    for spec in args.variant or ["published:"]:
        name, overrides, flag_overrides = parse_variant(spec)
        if args.epochs is not None:
            overrides.setdefault("epochs", args.epochs)
        t0 = time.monotonic()
        if args.preset is None:
            settings, flags = TrainSettings(**overrides), ModelFlags(**flag_overrides)
        else:
            preset = get_preset(args.preset)
            settings = dataclasses.replace(preset.settings, **overrides)
            flags = dataclasses.replace(preset.flags, **flag_overrides)
        result = train_model(data, settings, flags, device=args.device)
        seconds = time.monotonic() - t0
        loaded = ready_to_render(result.model.cpu(), data.reference, result.meta, result.room, data.room_polygons)
        # How well the variant fits a view it trained on: underfitting and
        # failing to generalise call for different fixes.
        fit_name = data.view_names[-1]
        fit_pred = render_static(loaded, capture.view(fit_name).pose.position, capture.view(fit_name).pose.rotation)
        fit_mag = evaluate(fit_pred, audio.views[fit_name], data.sample_rate, ["MAG"], ("3s",))["3s"]["MAG"]
        results[name] = {**score(lambda pos, rot: render_static(loaded, pos, rot)), "fit_MAG": fit_mag, "train_s": seconds, "final_loss": result.epoch_loss[-1]}
        print(f"{name:>24s} " + " ".join(f"{k} {v:.4f}" for k, v in results[name].items()), flush=True)
        if args.json:  # after every variant, so an interrupted sweep keeps what it measured
            with open(args.json, "w") as fh:
                json.dump({"args": vars(args), "results": results}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
