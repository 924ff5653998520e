"""``blender -c audiogs bake ...``: headless bakes from the command line.

Registered with ``bpy.utils.register_cli_command``; ``scripts/bake.py`` uses
the same parser and ``bake_main``. Exit status 0 on success, 1 with one line
on stderr on failure, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

import bpy

from . import engine, preferences, properties
from .engine import EngineError
from .scene_io import AddonError

PROG = "blender -c audiogs"


def parse_frames(text: str) -> tuple[int, int]:
    """``A:B`` -> (A, B)."""
    a, sep, b = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return int(a), int(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--frames must be A:B (two frame numbers), got {text!r}")


def add_bake_arguments(p: argparse.ArgumentParser, blend_required: bool = False) -> None:
    p.add_argument("--blend", required=blend_required,
                   help="the .blend to open (default: the file already loaded)")
    p.add_argument("--model", required=True, help="trained model folder")
    p.add_argument("--camera", default="",
                   help="listener object (default: the scene camera)")
    p.add_argument("--out", required=True, help="WAV file to write")
    p.add_argument("--frames", type=parse_frames, default=None,
                   help="frame range A:B (default: the scene's)")
    p.add_argument("--scene", default="", help="scene name (default: the active scene)")
    p.add_argument("--sample-rate", type=int, default=0,
                   help="output rate in Hz (default: the scene's audio rate)")
    p.add_argument("--substeps", type=int, default=None, help="listener samples per frame")
    p.add_argument("--hrtf", default=None, metavar="sphere|kemar|FILE.sofa",
                   help="the listener's ears, for a model trained with --preset physical "
                        "(default: the Bake panel's, else the model's)")
    p.add_argument("--python", default=None, help="engine Python (default: the preferences')")
    p.add_argument("--device", default=None, choices=("auto", "cpu", "cuda"))
    p.add_argument("--save", action="store_true",
                   help="save the .blend afterwards (with the new sound strip)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="AudioGS from the command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    bake_p = sub.add_parser("bake", help="bake the binaural track along a camera",
                            description="Bake the binaural track along a camera of a .blend")
    add_bake_arguments(bake_p)
    return parser


def run_bake(args: argparse.Namespace) -> str:
    """Perform a parsed bake; returns the written path. Raises AddonError/EngineError."""
    from . import ops_bake

    if args.blend:
        try:
            bpy.ops.wm.open_mainfile(filepath=args.blend)
        except RuntimeError as exc:
            raise AddonError(f"cannot open {args.blend}: {str(exc).strip()}") from exc
    if args.scene:
        scene: bpy.types.Scene | None = bpy.data.scenes.get(args.scene)
        if scene is None:
            raise AddonError(f"no scene named {args.scene!r}")
    else:
        scene = bpy.context.scene
    if scene is None:
        raise AddonError("no scene loaded: pass --blend")
    pref_python, pref_device = preferences.engine_settings()
    python = pref_python if args.python is None else args.python
    device = args.device or pref_device
    a, b = args.frames if args.frames is not None else (None, None)
    # Validate the bake (cheap) before checking the engine (slow).
    plan = ops_bake.plan_bake(scene, args.camera, a, b, args.out, args.sample_rate,
                              args.substeps, args.model, args.hrtf)
    try:
        config = engine.prepare(python, device)
    except EngineError:
        plan.cleanup()
        raise
    ops_bake.execute_plan(plan, config, quiet=args.quiet)
    properties.settings(scene).model_dir = args.model
    if args.save:
        if not bpy.data.filepath:
            raise AddonError("--save needs a .blend (pass --blend)")
        bpy.ops.wm.save_mainfile()
    return args.out


def bake_main(argv: Sequence[str], prog: str = PROG + " bake", blend_required: bool = False) -> int:
    """Parse ``argv`` (without the ``bake`` word) and bake; the exit status."""
    p = argparse.ArgumentParser(prog=prog, description="Bake the binaural track along a camera")
    add_bake_arguments(p, blend_required)
    try:
        args = p.parse_args(list(argv))
    except SystemExit as exc:  # argparse printed the usage
        return int(exc.code or 0)
    try:
        out = run_bake(args)
    except (AddonError, EngineError) as exc:
        print(f"audiogs bake: error: {exc}", file=sys.stderr, flush=True)
        return 1
    if not args.quiet:
        print(f"audiogs bake: wrote {out}", flush=True)
    return 0


def cli_handler(argv: Sequence[str]) -> int:
    """The ``audiogs`` command: ``blender -c audiogs bake --blend F --model M --out O ...``."""
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        build_parser().print_help()
        return 0 if argv else 2
    if argv[0] != "bake":
        print(f"{PROG}: error: unknown command {argv[0]!r} (commands: bake)", file=sys.stderr)
        return 2
    return bake_main(argv[1:])


_handle = None


def register() -> None:
    global _handle
    # Also loaded by scripts that register the add-on from the source tree more
    # than once in one process: keep a single registration.
    if _handle is None:
        _handle = bpy.utils.register_cli_command("audiogs", cli_handler)  # type: ignore[func-returns-value]


def unregister() -> None:
    global _handle
    if _handle is not None:
        bpy.utils.unregister_cli_command(_handle)
        _handle = None
