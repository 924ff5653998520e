"""``audiogs render MODEL --out OUT.wav``: binaural audio for a view, pose or path."""

from __future__ import annotations

import argparse

import numpy as np

from audiogs_core.cli.progress import Progress
from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import resample, write_wav
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import check_path_within, load_path

NAME = "render"
HELP = "render binaural audio from a trained model for a view, a static pose or a listener path"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``audiogs render``."""
    p.add_argument("model", help="model folder")
    p.add_argument("--out", required=True, help="WAV file to write")
    p.add_argument("--capture", help="capture folder whose --view to render")
    p.add_argument("--view", help="view name in --capture")
    p.add_argument("--pose", help="static pose x,y,z,qw,qx,qy,qz (quaternion head -> world)")
    p.add_argument("--path", help="listener path JSON (audiogs.path)")
    p.add_argument("--start", type=float, default=None, help="start time (s) for --view/--pose")
    p.add_argument("--duration", type=float, default=None, help="duration (s) for --view/--pose")
    p.add_argument("--sample-rate", type=int, default=None, help="output rate (default: the model's)")
    p.add_argument("--hrtf", default=None, metavar="sphere|kemar|FILE.sofa",
                   help="the ears of a model trained with --preset physical: sphere (analytic), kemar "
                        "(MIT KEMAR, needs the slab wheel's data) or a SOFA file (SimpleFreeFieldHRIR; "
                        "needs the sim extra) (default: the model's, as in its model.json)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--progress", default="text", choices=["text", "jsonl", "none"])


def parse_pose(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``x,y,z,qw,qx,qy,qz`` -> (position [3], unit quaternion [4] wxyz); near-unit quaternions are normalised."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise AudioGSError(f"--pose must be 7 numbers x,y,z,qw,qx,qy,qz, got {text!r}") from None
    if len(values) != 7 or not np.all(np.isfinite(values)):
        raise AudioGSError(f"--pose must be 7 finite numbers x,y,z,qw,qx,qy,qz, got {text!r}")
    q = np.asarray(values[3:])
    norm = float(np.linalg.norm(q))
    if abs(norm - 1.0) > 1e-3:
        raise AudioGSError(f"--pose quaternion {values[3:]} is not unit length (norm {norm:.4g})")
    return np.asarray(values[:3]), q / norm


def run(args: argparse.Namespace) -> int:
    """Render a view, a static pose or a listener path to a WAV; returns the exit status."""
    from audiogs_core.device import resolve_device  # torch
    from audiogs_core.renderer import load_model, render_path, render_static

    chosen = [x for x in (args.view, args.pose, args.path) if x is not None]
    if len(chosen) != 1:
        raise AudioGSError("give exactly one of --capture/--view, --pose or --path")
    if args.view is not None and args.capture is None:
        raise AudioGSError("--view needs --capture")
    progress = Progress(args.progress, label="render")
    progress.update(0, 1)
    loaded = load_model(args.model, resolve_device(args.device), hrtf=args.hrtf)

    def frames_done(done: int, total: int) -> None:
        # STFT frames rendered (the last step is writing the file): a bake shows its progress and
        # time left from these
        progress.update(done, total + 1)

    start = 0.0 if args.start is None else args.start
    duration = None if args.duration is None else args.duration
    if args.path is not None:
        if args.start is not None or args.duration is not None:
            raise AudioGSError("--start/--duration do not apply to --path (the path's times decide)")
        path = load_path(args.path)
        check_path_within(path, loaded.duration)
        audio = render_path(loaded, path, progress=frames_done)
    else:
        if args.view is not None:
            view = load_capture(args.capture).view(args.view)
            position, rotation = view.pose.position, view.pose.rotation
        else:
            position, rotation = parse_pose(args.pose)
        audio = render_static(loaded, position, rotation, start, duration, progress=frames_done)
    rate = loaded.sample_rate
    if args.sample_rate is not None and args.sample_rate != rate:
        if args.sample_rate <= 0:
            raise AudioGSError(f"--sample-rate must be positive, got {args.sample_rate}")
        audio = resample(audio, rate, args.sample_rate)
        rate = args.sample_rate
    write_wav(args.out, audio, rate)
    progress.update(1, 1)  # written
    seconds = audio.shape[1] / rate
    progress.done(out=str(args.out), seconds=seconds, sample_rate=rate)
    if args.progress == "text":
        print(f"wrote {args.out} ({seconds:.2f} s, {rate} Hz, 2 channels)")
    return 0
