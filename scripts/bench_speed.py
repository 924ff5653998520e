#!/usr/bin/env python
"""Render and training speed on this machine (CPU, and CUDA when present), against the goals.

Prints real-time factors (seconds of binaural audio per second of wall time; the median of
five renders) of a 60 s render at 16 and 48 kHz, for a listener moving along a path (a pose per STFT
frame) and standing still, both for the first camera of a span (``cold``: the
reference's STFT and tail computed too) and for another camera over the same span
(``warm``: what a bake of many cameras pays per camera); the time pyroomacoustics
takes to simulate one binaural pose of a room, and the ratio "re-simulate the path's
poses (one per 0.1 s, the ground truth's spacing) / render the path"; and training on
60 s x 7 views (set-up, seconds per step, the default schedule's time and the peak
memory of the training process). No timing is asserted anywhere (these machines are
shared and noisy): the ratios are measured in one run.

    python scripts/bench_speed.py [--seconds 60] [--views 7] [--preset tuned] [--device cpu,cuda]
                                  [--full-schedule] [--threads 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time

import numpy as np
import torch

GOALS = {"moving_16k": 500.0, "moving_48k": 150.0, "static": 2000.0, "resimulate_ratio": 100.0,
         "train_s": 180.0, "train_peak_gb": 3.0}
REPEATS = 5  # renders are timed as the median of this many (a shared machine is noisy)
PATH_POSE_SPACING_S = 0.1  # the ground truth along a path simulates a pose at least this often


def synthetic_model(seconds: float, sample_rate: int, device: str, preset: str, seed: int = 0):
    """A random model of the right size (render speed does not depend on training)."""
    from audiogs_core.conventions import stft_settings, time_cells
    from audiogs_core.model.dereverb import keeps_recorded_room
    from audiogs_core.model.gaussians import AudioGaussians, GridSpec
    from audiogs_core.renderer import LoadedModel
    from audiogs_core.train.presets import get_preset

    gen = torch.Generator().manual_seed(seed)
    grid = GridSpec(stft=stft_settings(sample_rate), n_cells=time_cells(seconds), duration=seconds)
    model = AudioGaussians(grid, get_preset(preset).flags, reference_position=np.array([3.0, 2.5, 1.6]))
    model.initialize(np.array([3.0, 2.5, 1.6]), np.zeros(grid.n_freq), gen)
    reference = (0.1 * torch.randn(1, int(seconds * sample_rate), generator=gen)).numpy()
    room = (0.05 * torch.randn(2, reference.shape[1], generator=gen)).numpy() if keeps_recorded_room(model) else None
    return LoadedModel(model=model.to(device), reference=reference, meta={}, room=room)


def orbit_path(seconds: float):
    from audiogs_core.geometry import look_at_quat
    from audiogs_core.io.listener_path import ListenerPath

    times = np.linspace(0.0, seconds, 61)
    centre = np.array([3.0, 2.5, 1.6])
    pos = centre + 1.5 * np.stack([np.cos(times / 5), np.sin(times / 5), 0 * times], 1)
    rot = np.stack([look_at_quat(p, centre) for p in pos])
    return ListenerPath(times=times, positions=pos, rotations=rot)


def _timed(fn, device: str, repeats: int = 1, before=None) -> float:
    """Median wall time of ``repeats`` calls of ``fn`` (``before()`` untimed before each)."""
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        sync(device)
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def time_render(seconds: float, sample_rate: int, device: str, preset: str) -> dict:
    from audiogs_core.renderer import render_path, render_static

    loaded = synthetic_model(seconds, sample_rate, device, preset)
    path = orbit_path(seconds)
    moving = lambda: render_path(loaded, path)  # noqa: E731
    static = lambda: render_static(loaded, path.positions[0], path.rotations[0])  # noqa: E731
    # Warm up once: one-time set-up (FFT plans, allocator pools) depends on the sizes only.
    out = moving()
    static()
    assert out.shape[0] == 2 and np.all(np.isfinite(out))
    res = {"sample_rate": sample_rate, "seconds": seconds}
    for name, fn in (("moving", moving), ("static", static)):
        cold = _timed(fn, device, REPEATS, before=loaded.forget_span)  # the span's reference terms too
        warm = _timed(fn, device, REPEATS)  # another camera over the same span
        res.update({f"{name}_cold_s": cold, f"{name}_warm_s": warm, f"{name}_cold_rtf": seconds / cold,
                    f"{name}_warm_rtf": seconds / warm})
    return res


def time_simulated_pose(sample_rate: int, heads: int = 8) -> dict:
    """Seconds pyroomacoustics takes per binaural pose of the built-in shoebox (``heads`` poses
    in one pair of passes, as a capture simulates them), with the 60 s convolution left out."""
    from audiogs_core.conventions import HEAD_RADIUS
    from audiogs_core.sim import hrtf, layouts, rooms
    from audiogs_core.sim.simulate import MIN_RT_TIME, RT_FACTOR, ear_rirs

    spec = rooms.shoebox()
    views = layouts.ring_layout(spec, seed=0)[:heads]
    bank = hrtf.load_hrtf("sphere", sample_rate, HEAD_RADIUS)
    rt_time = max(RT_FACTOR * rooms.sabine_rt60(spec), MIN_RT_TIME)
    t0 = time.perf_counter()
    ear_rirs(spec, views, bank, sample_rate, seed=0, rt_time=rt_time)
    wall = time.perf_counter() - t0
    return {"room": spec.name, "heads": len(views), "wall_s": wall, "per_pose_s": wall / len(views)}


def training_data(seconds: float, n_views: int):
    """Random views on a ring round a source at 16 kHz (training speed does not depend on the audio)."""
    from audiogs_core.train.data import TrainingData

    sr = 16000
    rng = np.random.default_rng(0)
    n = int(seconds * sr)
    return TrainingData(
        sample_rate=sr, reference=(0.1 * rng.standard_normal((1, n))).astype(np.float32),
        reference_position=np.array([3.3, 2.5, 1.6]), reference_rotation=None, head_radius=0.09,
        view_names=[f"v{i}" for i in range(n_views)],
        view_positions=np.array([[3 + 1.8 * np.cos(a), 2.5 + 1.8 * np.sin(a), 1.6]
                                 for a in np.linspace(0, 2 * np.pi, n_views, endpoint=False)]),
        view_rotations=np.tile([0.7071, 0.7071, 0, 0], (n_views, 1)),
        view_audio=(0.05 * rng.standard_normal((n_views, 2, n))).astype(np.float32))


def time_training(seconds: float, n_views: int, device: str, preset: str, full: bool) -> dict:
    """Training timed in a child process, so its peak memory is the training's own."""
    cmd = [sys.executable, __file__, "--train-child", json.dumps(
        {"seconds": seconds, "views": n_views, "device": device, "preset": preset, "full": full})]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"training benchmark failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _train_child(spec: dict) -> dict:
    import resource
    from dataclasses import replace

    from audiogs_core.train.presets import get_preset
    from audiogs_core.train.trainer import train_model

    n_views = int(spec["views"])
    data = training_data(spec["seconds"], n_views)
    chosen = get_preset(spec["preset"])
    schedule = chosen.settings.epochs
    epochs = schedule if spec["full"] else 2

    class Stamps:  # the trainer's progress hook: when each step ended
        times: list[float] = []

        def update(self, step, total, **fields):
            sync(spec["device"])
            self.times.append(time.perf_counter())

    stamps = Stamps()
    t0 = time.perf_counter()
    result = train_model(data, replace(chosen.settings, epochs=epochs), chosen.flags, device=spec["device"],
                         progress=stamps)
    sync(spec["device"])
    wall = time.perf_counter() - t0
    steps = len(stamps.times)
    per_step = (stamps.times[-1] - stamps.times[0]) / (steps - 1)
    setup = stamps.times[0] - t0 - per_step
    final = t0 + wall - stamps.times[-1]
    steps_full = steps // epochs * schedule
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_cuda = torch.cuda.max_memory_allocated() / 2**30 if spec["device"] == "cuda" else None
    return {"seconds_audio": spec["seconds"], "views": n_views, "epochs_run": epochs, "steps": steps,
            "wall_s": wall, "setup_s": setup, "s_per_step": per_step, "final_s": final,
            "schedule_epochs": schedule, "schedule_steps": steps_full, "measured_full_schedule": bool(spec["full"]),
            "default_schedule_s": wall if spec["full"] else setup + steps_full * per_step + final,
            "peak_rss_gb": peak_kb / 2**20, "peak_cuda_gb": peak_cuda,
            "loss_finite": bool(np.all(np.isfinite(result.epoch_loss)))}


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _verdict(value: float, goal: float, higher_is_better: bool = True) -> str:
    met = value >= goal if higher_is_better else value <= goal
    return f"goal {'>=' if higher_is_better else '<='} {goal:g}: {'met' if met else 'NOT met'}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--views", type=int, default=7)
    ap.add_argument("--device", default="cpu,cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--preset", default="tuned", help="comma-separated presets to time (default: the product default)")
    ap.add_argument("--full-schedule", action="store_true",
                    help="train the whole default schedule (else 2 epochs, projected)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (the goals are for 2)")
    ap.add_argument("--skip-sim", action="store_true", help="leave out the pyroomacoustics pose")
    ap.add_argument("--json", default=None)
    ap.add_argument("--train-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.train_child:
        print(json.dumps(_train_child(json.loads(args.train_child))))
        return 0
    report = {"machine": {"platform": platform.platform(), "processor": platform.processor(),
                          "torch": torch.__version__, "threads": torch.get_num_threads(),
                          "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None},
              "goals": GOALS, "results": {}}
    sim = None if args.skip_sim else time_simulated_pose(16000)
    if sim is not None:
        report["simulated_pose"] = sim
        print(f"pyroomacoustics: {sim['per_pose_s']:.2f} s per binaural pose of the {sim['room']} "
              f"({sim['heads']} poses in {sim['wall_s']:.1f} s)", flush=True)
    for preset in args.preset.split(","):
        for device in args.device.split(","):
            tag = f"[{preset} {device}]"
            res: dict = {"render": [time_render(args.seconds, sr, device, preset) for sr in (16000, 48000)]}
            for r in res["render"]:
                khz = r["sample_rate"] // 1000
                goal = GOALS["moving_16k"] if khz == 16 else GOALS["moving_48k"]
                print(f"{tag} render {r['seconds']:.0f} s at {khz} kHz: moving path {r['moving_warm_rtf']:.0f}x "
                      f"real time ({_verdict(r['moving_warm_rtf'], goal)}; first camera of the span "
                      f"{r['moving_cold_rtf']:.0f}x), static pose {r['static_warm_rtf']:.0f}x "
                      f"({_verdict(r['static_warm_rtf'], GOALS['static'])}; first camera {r['static_cold_rtf']:.0f}x)",
                      flush=True)
            if sim is not None:
                r16 = res["render"][0]
                poses = int(np.ceil(r16["seconds"] / PATH_POSE_SPACING_S)) + 1
                ratio = poses * sim["per_pose_s"] / r16["moving_cold_s"]
                res["resimulate_ratio"] = ratio
                print(f"{tag} re-simulating the path's {poses} poses / rendering it (first camera): "
                      f"{ratio:.0f}x ({_verdict(ratio, GOALS['resimulate_ratio'])})", flush=True)
            t = res["train"] = time_training(args.seconds, args.views, device, preset, args.full_schedule)
            how = "measured" if t["measured_full_schedule"] else f"projected from {t['epochs_run']} epochs"
            print(f"{tag} train {t['seconds_audio']:.0f} s x {t['views']} views: set-up {t['setup_s']:.1f} s, "
                  f"{1000 * t['s_per_step']:.0f} ms/step, default schedule ({t['schedule_steps']} steps) "
                  f"{t['default_schedule_s']:.0f} s {how} ({_verdict(t['default_schedule_s'], GOALS['train_s'], False)}), "
                  f"peak memory {t['peak_rss_gb']:.2f} GB ({_verdict(t['peak_rss_gb'], GOALS['train_peak_gb'], False)})",
                  flush=True)
            report["results"][f"{preset}/{device}"] = res
        cpu, gpu = report["results"].get(f"{preset}/cpu"), report["results"].get(f"{preset}/cuda")
        if cpu and gpu:
            print(f"[{preset}] cuda/cpu speed-up: render 16 kHz "
                  f"{gpu['render'][0]['moving_warm_rtf'] / cpu['render'][0]['moving_warm_rtf']:.1f}x, "
                  f"train {cpu['train']['s_per_step'] / gpu['train']['s_per_step']:.1f}x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
