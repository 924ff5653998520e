#!/usr/bin/env python
"""Render and training speed on this machine (CPU, and CUDA when present).

Prints real-time factors (seconds of binaural audio rendered per second of
wall time, a ratio against real time) for a 60 s moving listener path at
16 and 48 kHz, and training steps per second / seconds per epoch for 60 s of
audio and 7 views, with the default schedule's projected time.  No timing is
asserted anywhere: these machines are shared and noisy.

    python scripts/bench_speed.py [--seconds 60] [--views 7] [--device cpu,cuda] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import numpy as np
import torch


def synthetic_model(seconds: float, sample_rate: int, device: str, preset: str, seed: int = 0):
    """A random model of the right size (render speed does not depend on training)."""
    from audiogs_core.conventions import stft_settings, time_cells
    from audiogs_core.model.gaussians import AudioGaussians, GridSpec
    from audiogs_core.renderer import LoadedModel
    from audiogs_core.train.presets import get_preset

    gen = torch.Generator().manual_seed(seed)
    grid = GridSpec(stft=stft_settings(sample_rate), n_cells=time_cells(seconds), duration=seconds)
    model = AudioGaussians(grid, get_preset(preset).flags, reference_position=np.array([3.0, 2.5, 1.6]))
    model.initialize(np.array([3.0, 2.5, 1.6]), np.zeros(grid.n_freq), gen)
    reference = (0.1 * torch.randn(1, int(seconds * sample_rate), generator=gen)).numpy()
    return LoadedModel(model=model.to(device), reference=reference, meta={})


def orbit_path(seconds: float):
    from audiogs_core.geometry import look_at_quat
    from audiogs_core.io.listener_path import ListenerPath

    times = np.linspace(0.0, seconds, 61)
    centre = np.array([3.0, 2.5, 1.6])
    pos = centre + 1.5 * np.stack([np.cos(times / 5), np.sin(times / 5), 0 * times], 1)
    rot = np.stack([look_at_quat(p, centre) for p in pos])
    return ListenerPath(times=times, positions=pos, rotations=rot)


def time_render(seconds: float, sample_rate: int, device: str, preset: str) -> dict:
    from audiogs_core.renderer import render_path, render_static

    loaded = synthetic_model(seconds, sample_rate, device, preset)
    path = orbit_path(seconds)
    # Warm up on the very same path: one-time set-up (FFT plans, allocator
    # pools, kernel selection) depends on the sizes and must not be timed.
    render_path(loaded, path)
    render_static(loaded, path.positions[0], path.rotations[0])
    sync(device)
    t0 = time.perf_counter()
    out = render_path(loaded, path)
    sync(device)
    moving = time.perf_counter() - t0
    t0 = time.perf_counter()
    render_static(loaded, path.positions[0], path.rotations[0])
    sync(device)
    static = time.perf_counter() - t0
    assert out.shape[0] == 2 and np.all(np.isfinite(out))
    return {"sample_rate": sample_rate, "seconds": seconds, "moving_wall_s": moving, "moving_rtf": seconds / moving,
            "static_wall_s": static, "static_rtf": seconds / static}


def time_training(seconds: float, n_views: int, device: str, preset: str, epochs: int = 1) -> dict:
    from dataclasses import replace

    from audiogs_core.train.data import TrainingData
    from audiogs_core.train.presets import get_preset
    from audiogs_core.train.trainer import train_model

    sr = 16000
    rng = np.random.default_rng(0)
    n = int(seconds * sr)
    data = TrainingData(
        sample_rate=sr, reference=(0.1 * rng.standard_normal((1, n))).astype(np.float32),
        reference_position=np.array([3.3, 2.5, 1.6]), reference_rotation=None, head_radius=0.09,
        view_names=[f"v{i}" for i in range(n_views)],
        view_positions=np.array([[3 + 1.8 * np.cos(a), 2.5 + 1.8 * np.sin(a), 1.6]
                                 for a in np.linspace(0, 2 * np.pi, n_views, endpoint=False)]),
        view_rotations=np.tile([0.7071, 0.7071, 0, 0], (n_views, 1)),
        view_audio=(0.05 * rng.standard_normal((n_views, 2, n))).astype(np.float32))
    t0 = time.perf_counter()
    chosen = get_preset(preset)
    result = train_model(data, replace(chosen.settings, epochs=epochs), chosen.flags, device=device)
    sync(device)
    wall = time.perf_counter() - t0
    steps = result.meta["training"]["steps"]
    per_epoch = wall / epochs
    return {"seconds_audio": seconds, "views": n_views, "steps": steps, "wall_s": wall,
            "steps_per_s": steps / wall, "s_per_epoch": per_epoch,
            "default_schedule_s": per_epoch * get_preset(preset).settings.epochs}


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--views", type=int, default=7)
    ap.add_argument("--train-epochs", type=int, default=1)
    ap.add_argument("--device", default="cpu,cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--preset", default="tuned,published", help="training configurations to time")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    report = {"machine": {"platform": platform.platform(), "processor": platform.processor(),
                          "torch": torch.__version__, "threads": torch.get_num_threads(),
                          "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None},
              "results": {}}
    for preset in args.preset.split(","):
        for device in args.device.split(","):
            res = {"render": [time_render(args.seconds, sr, device, preset) for sr in (16000, 48000)],
                   "train": time_training(args.seconds, args.views, device, preset, args.train_epochs)}
            report["results"][f"{preset}/{device}"] = res
            for r in res["render"]:
                print(f"[{preset} {device}] render {r['seconds']:.0f} s at {r['sample_rate']} Hz: moving path "
                      f"{r['moving_rtf']:.1f}x real time, static pose {r['static_rtf']:.1f}x", flush=True)
            t = res["train"]
            print(f"[{preset} {device}] train {t['seconds_audio']:.0f} s x {t['views']} views: "
                  f"{t['steps_per_s']:.2f} steps/s, {t['s_per_epoch']:.1f} s/epoch, default schedule "
                  f"~ {t['default_schedule_s']:.0f} s", flush=True)
        cpu, gpu = report["results"].get(f"{preset}/cpu"), report["results"].get(f"{preset}/cuda")
        if cpu and gpu:
            print(f"[{preset}] cuda/cpu speed-up: render 16 kHz "
                  f"{gpu['render'][0]['moving_rtf'] / cpu['render'][0]['moving_rtf']:.1f}x, "
                  f"train {gpu['train']['steps_per_s'] / cpu['train']['steps_per_s']:.1f}x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
