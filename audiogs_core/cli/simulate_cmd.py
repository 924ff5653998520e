"""``audiogs simulate OUT --room ...``: a capture folder from the room simulator."""

from __future__ import annotations

import argparse

NAME = "simulate"
HELP = "write a capture folder with ground-truth binaural recordings from the room simulator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="output capture folder (must be empty or absent unless --force)")
    parser.add_argument("--room", required=True,
                        help="shoebox, lshape or a path to an OBJ room mesh (Z up)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the recordings (default 8)")
    parser.add_argument("--sample-rate", type=int, default=16000, help="sample rate in Hz (default 16000)")
    parser.add_argument("--layout", choices=("ring", "grid"), default="ring",
                        help="ring: split A (8 views + 2 turned test views); grid: split B (12 train, 24 test)")
    parser.add_argument("--hrtf", default="sphere", help="sphere, kemar or a path to a .sofa file")
    parser.add_argument("--source", default=None,
                        help="dry source WAV (default: espeak-ng speech, a procedural signal without it)")
    parser.add_argument("--material", default=None,
                        help="one pyroomacoustics material for every surface (e.g. plasterboard)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--paths", nargs="+", default=None, metavar="PATH_JSON",
                        help="listener paths (path.json); the ground truth along each is written as "
                             "OUT/paths/NAME.json + OUT/paths/NAME.wav (NAME: the file's name without .json)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty OUT")
    parser.add_argument("--progress", choices=("text", "jsonl", "none"), default="text",
                        help="progress output (jsonl: one JSON object per line)")


def read_paths(files: list[str]) -> dict:
    """{name: ListenerPath} of the given path.json files, named by their file names."""
    from pathlib import Path

    from audiogs_core.errors import AudioGSError
    from audiogs_core.io.listener_path import load_path

    paths = {}
    for f in files:
        name = Path(f).name.removesuffix(".json")
        if name in paths:
            raise AudioGSError(f"--paths: two paths are named {name!r}; give each file its own name")
        paths[name] = load_path(f)
    return paths


def run(args: argparse.Namespace) -> int:
    from audiogs_core.cli.progress import Progress
    from audiogs_core.sim.simulate import simulate_capture

    paths = read_paths(args.paths or [])
    progress = Progress(args.progress, label="simulate")
    out = simulate_capture(args.out, room=args.room, seconds=args.seconds,
                           sample_rate=args.sample_rate, layout=args.layout, hrtf=args.hrtf,
                           source=args.source, material=args.material, seed=args.seed,
                           progress=progress, force=args.force, paths=paths)
    progress.done(out=str(out))
    if args.progress != "jsonl":
        print(f"wrote capture {out}")
    return 0
