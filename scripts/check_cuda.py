#!/usr/bin/env python
"""CUDA correctness against the CPU: the same training and rendering on both.

Trains a small model on a capture for a few epochs on each device from the
same seed, compares the losses and parameters, then renders one static pose
and one moving path from the CPU-trained model on both devices and compares
the waveforms.  Prints one PASS/FAIL line per check; exits non-zero on a FAIL.

    python scripts/check_cuda.py CAPTURE [--epochs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np
import torch


def first_step_gradients(data, flags, device: str) -> dict:
    """Gradients of the loss of the first window at the seed's initial model."""
    from audiogs_core.dsp.stft import istft
    from audiogs_core.geometry import quat_to_matrix
    from audiogs_core.metrics.highpass import highpass
    from audiogs_core.model.gaussians import TAIL_FRAMES
    from audiogs_core.model.render import render_static_spec
    from audiogs_core.train.data import init_centre, initial_gain_db, make_windows
    from audiogs_core.train.loss import TargetFeatures, binaural_loss
    from audiogs_core.train.trainer import build_model

    cfg = data.stft
    ref = highpass(data.reference, data.sample_rate)
    views = np.stack([highpass(v, data.sample_rate) for v in data.view_audio])
    length = 3 * data.sample_rate
    w = make_windows(ref, views, length, cfg, TAIL_FRAMES if flags.reverb_tail else 0)[0]
    model = build_model(data, flags)
    model.initialize(init_centre(data, "views"), initial_gain_db(ref, views, cfg), torch.Generator().manual_seed(0))
    model.to(device)
    spec = w.ref_spec.to(device)
    hist = None if w.history is None else w.history.to(device)
    times = torch.arange(spec.shape[-1], dtype=torch.float64) * cfg.hop / data.sample_rate
    pos = torch.as_tensor(data.view_positions, dtype=torch.float32, device=device)
    rot = torch.as_tensor(quat_to_matrix(data.view_rotations), dtype=torch.float32, device=device)
    out = render_static_spec(model, spec, times, pos, rot, *model.reference_terms(spec, hist))
    loss = binaural_loss(istft(out, cfg, length), TargetFeatures(w.target.to(device), cfg), cfg)
    loss.backward()
    return {n: p.grad.detach().cpu() for n, p in model.named_parameters() if p.grad is not None}


def main(argv=None) -> int:
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.io.listener_path import ListenerPath
    from audiogs_core.model.flags import ModelFlags
    from audiogs_core.renderer import ready_to_render, render_path, render_static
    from audiogs_core.train.data import training_data_from_capture
    from audiogs_core.train.presets import get_preset
    from audiogs_core.train.settings import TrainSettings
    from audiogs_core.train.trainer import train_model

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("capture")
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 0
    capture = load_capture(args.capture)
    data = training_data_from_capture(capture, load_capture_audio(capture))
    failed = 0

    def check(name: str, ok: bool, detail: str) -> None:
        nonlocal failed
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    physical = get_preset("physical")  # the default: the split field, its recorded room on a close mic
    for flags, base in ((ModelFlags(), TrainSettings()), (ModelFlags(reverb_tail=True, max_attenuation=2.0), TrainSettings()),
                        (physical.flags, physical.settings)):
        settings = dataclasses.replace(base, epochs=args.epochs)
        cpu = train_model(data, settings, flags, device="cpu")
        gpu = train_model(data, settings, flags, device="cuda")
        rel = np.max(np.abs(np.array(cpu.epoch_loss) - gpu.epoch_loss) / np.abs(cpu.epoch_loss))
        check(f"train loss {flags.reverb_tail=} {flags.split_field=}", rel < 1e-3, f"max relative loss difference {rel:.2e}")
        # Parameters themselves drift apart over many Adam steps (sign-like
        # updates of near-zero gradients), so compare one step's gradients.
        if not flags.split_field:  # (first_step_gradients renders the Gaussians' own field)
            grads = {dev: first_step_gradients(data, flags, dev) for dev in ("cpu", "cuda")}
            worst = max(float((grads["cpu"][k] - grads["cuda"][k]).norm() / (grads["cpu"][k].norm() + 1e-20))
                        for k in grads["cpu"])
            check(f"gradients {flags.reverb_tail=} {flags.split_field=}", worst < 1e-3, f"max relative gradient difference {worst:.2e}")

        view = capture.views[0]
        outs = {}
        for dev in ("cpu", "cuda"):
            result = train_model(data, dataclasses.replace(base, epochs=1), flags, device="cpu")
            loaded = ready_to_render(result.model.to(dev), data.reference, result.meta, result.room, data.room_polygons)
            path = ListenerPath(times=[0.0, data.duration], positions=[view.pose.position, view.pose.position + 1.0],
                                rotations=[view.pose.rotation, [1.0, 0, 0, 0]])
            outs[dev] = (render_static(loaded, view.pose.position, view.pose.rotation), render_path(loaded, path))
        for i, what in enumerate(("static", "moving")):
            a, b = outs["cpu"][i], outs["cuda"][i]
            err = float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + 1e-12))
            check(f"render {what} {flags.reverb_tail=} {flags.split_field=}", err < 1e-3, f"max error relative to peak {err:.2e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
