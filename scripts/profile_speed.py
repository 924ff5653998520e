#!/usr/bin/env python
"""Where the time goes: torch.profiler tables of a render and of training steps.

Profiles, on one device, a 60 s moving-path render at 16 kHz (after a warm-up render over the same
span) and ten training steps of the default preset (60 s x 7 views, after two warm-up steps), and
writes each table of the top operators (CUDA kernels on a GPU) by self time to OUT as text:
``render_<device>.txt`` and ``train_<device>.txt``.  This is what a lent GPU machine runs
(``scripts/device_check.sh``); on the CPU it shows the same breakdown for this machine.

    python scripts/profile_speed.py [--device cuda] [--seconds 60] [--out docs/experiments/profile]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import orbit_path, sync, synthetic_model, training_data  # noqa: E402


def _profiler(device: str):
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    return profile(activities=activities, record_shapes=True)


def _table(prof, device: str, rows: int) -> str:
    key = "self_cuda_time_total" if device == "cuda" else "self_cpu_time_total"
    return prof.key_averages(group_by_input_shape=True).table(sort_by=key, row_limit=rows, max_name_column_width=60)


def profile_render(seconds: float, device: str, preset: str, rows: int) -> str:
    from audiogs_core.renderer import render_path

    loaded = synthetic_model(seconds, 16000, device, preset)
    path = orbit_path(seconds)
    render_path(loaded, path)  # warm-up: the span's reference terms, FFT plans, allocator
    sync(device)
    with _profiler(device) as prof:
        t0 = time.perf_counter()
        render_path(loaded, path)
        sync(device)
        wall = time.perf_counter() - t0
    return f"render {seconds:g} s moving path at 16 kHz on {device}: {wall:.3f} s ({seconds / wall:.0f}x real time)\n" \
           + _table(prof, device, rows)


def profile_training(seconds: float, views: int, device: str, preset: str, rows: int, steps: int) -> str:
    from dataclasses import replace

    from audiogs_core.train.presets import get_preset
    from audiogs_core.train.trainer import train_model

    class Window:  # profile steps 3 .. 2 + steps through the trainer's progress hook
        def __init__(self):
            self.seen, self.prof, self.wall = 0, None, 0.0

        def update(self, step, total, **fields):
            self.seen += 1
            if self.seen == 2:
                sync(device)
                self.prof = _profiler(device).__enter__()
                self.t0 = time.perf_counter()
            elif self.seen == 2 + steps and self.prof is not None:
                sync(device)
                self.wall = time.perf_counter() - self.t0
                self.prof.__exit__(None, None, None)

    chosen = get_preset(preset)
    hook = Window()
    train_model(training_data(seconds, views), replace(chosen.settings, epochs=1), chosen.flags, device=device,
                progress=hook)
    if hook.prof is None or not hook.wall:
        raise RuntimeError(f"training ran fewer than {2 + steps} steps: give more --seconds")
    return (f"train {steps} steps ({seconds:g} s x {views} views, 3 s windows) on {device}: "
            f"{1000 * hook.wall / steps:.1f} ms per step (profiled)\n" + _table(hook.prof, device, rows))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--views", type=int, default=7)
    ap.add_argument("--preset", default="tuned")
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--steps", type=int, default=10, help="training steps profiled (after 2 warm-up steps)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads")
    ap.add_argument("--out", default="docs/experiments/profile")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (("render", profile_render(args.seconds, args.device, args.preset, args.rows)),
                       ("train", profile_training(args.seconds, args.views, args.device, args.preset, args.rows,
                                                          args.steps))):
        target = out / f"{name}_{args.device}.txt"
        target.write_text(text + "\n")
        print(text.splitlines()[0], f"-> {target}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
