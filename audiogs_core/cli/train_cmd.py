"""``audiogs train CAPTURE --out MODEL``: fit Audio Gaussians to the train views."""

from __future__ import annotations

import argparse
import shutil
import signal
from dataclasses import replace
from pathlib import Path

from audiogs_core.cli.progress import Progress
from audiogs_core.errors import AudioGSError
from audiogs_core.io.capture import load_capture, load_capture_audio

NAME = "train"
HELP = "train an AudioGS model on the train views of a capture folder"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``audiogs train``."""
    p.add_argument("capture", help="capture folder (or its capture.json)")
    p.add_argument("--out", required=True, help="model folder to write")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 61)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue from the model folder's checkpoint")
    p.add_argument("--force", action="store_true", help="overwrite an existing model folder")
    p.add_argument("--resample", action="store_true", help="resample files whose rate differs from the capture's")
    p.add_argument("--preset", default=None, help="training configuration: physical (the default: the talker posed by distance, head and room over a decorrelated room; where the capture does not say where the talker is, tuned), tuned (the previous default) or published")
    p.add_argument("--progress", default="text", choices=["text", "jsonl", "none"])


def _terminate_as_interrupt(signum, frame):  # noqa: ARG001
    # A kill from the Blender add-on (Esc) or a job scheduler becomes a
    # KeyboardInterrupt, so the trainer writes its checkpoint before exiting.
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Train on the capture's train views and write the model folder; returns the exit status."""
    from audiogs_core.train.data import knows_source, training_data_from_capture
    from audiogs_core.train.presets import DEFAULT_PRESET, default_preset, get_preset
    from audiogs_core.train.trainer import train_model

    out = Path(args.out)
    if args.resume and args.force:
        raise AudioGSError("--resume and --force exclude each other")
    if out.exists() and any(out.iterdir()) and not (args.resume or args.force):
        raise AudioGSError(f"model folder {out} already exists (use --resume to continue it or --force to replace it)")
    if args.epochs is not None and args.epochs < 1:
        raise AudioGSError(f"--epochs must be at least 1, got {args.epochs}")
    capture = load_capture(args.capture)
    audio = load_capture_audio(capture, resample=args.resample)
    data = training_data_from_capture(capture, audio)
    name = args.preset or default_preset(knows_source(data))
    preset = get_preset(name)
    if args.preset is None and name != DEFAULT_PRESET and args.progress == "text":
        print(f"the capture does not say where the talker is: training preset {name} "
              f"(preset {DEFAULT_PRESET} needs a source in capture.json or a close mic's position)")
    if args.force and out.exists():
        shutil.rmtree(out)
    settings = replace(preset.settings, seed=args.seed, **({} if args.epochs is None else {"epochs": args.epochs}))
    progress = Progress(args.progress, label="train")
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    result = train_model(data, settings, preset.flags, out_dir=out, device=args.device,
                         progress=progress, resume=args.resume)
    final = result.epoch_loss[-1] if result.epoch_loss else None
    progress.done(model=str(out), epochs=settings.epochs, loss=final, seconds=round(result.seconds, 2))
    if args.progress == "text":
        print(f"model written to {out} ({settings.epochs} epochs, {result.seconds:.1f} s, final loss {final:.4g})")
    return 0
