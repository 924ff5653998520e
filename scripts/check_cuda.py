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
import sys

import numpy as np
import torch


def main(argv=None) -> int:
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.io.listener_path import ListenerPath
    from audiogs_core.model.flags import ModelFlags
    from audiogs_core.renderer import LoadedModel, render_path, render_static
    from audiogs_core.train.data import training_data_from_capture
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

    for flags in (ModelFlags(), ModelFlags(reverb_tail=True, max_attenuation=2.0)):
        settings = TrainSettings(epochs=args.epochs)
        cpu = train_model(data, settings, flags, device="cpu")
        gpu = train_model(data, settings, flags, device="cuda")
        rel = np.max(np.abs(np.array(cpu.epoch_loss) - gpu.epoch_loss) / np.abs(cpu.epoch_loss))
        check(f"train loss {flags.reverb_tail=}", rel < 1e-3, f"max relative loss difference {rel:.2e}")
        diff = max(float((a - gpu.model.tensors()[k]).abs().max()) for k, a in cpu.model.tensors().items())
        check(f"train params {flags.reverb_tail=}", diff < 5e-2, f"max parameter difference {diff:.2e}")

        view = capture.views[0]
        outs = {}
        for dev in ("cpu", "cuda"):
            model = train_model(data, TrainSettings(epochs=1), flags, device="cpu").model.to(dev)
            loaded = LoadedModel(model=model, reference=data.reference, meta={})
            path = ListenerPath(times=[0.0, data.duration], positions=[view.pose.position, view.pose.position + 1.0],
                                rotations=[view.pose.rotation, [1.0, 0, 0, 0]])
            outs[dev] = (render_static(loaded, view.pose.position, view.pose.rotation), render_path(loaded, path))
        for i, what in enumerate(("static", "moving")):
            a, b = outs["cpu"][i], outs["cuda"][i]
            err = float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + 1e-12))
            check(f"render {what} {flags.reverb_tail=}", err < 1e-3, f"max error relative to peak {err:.2e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
