"""Headless binaural bake of a .blend along a camera (DESIGN.md §9).

Inside Blender:
    blender -b scene.blend --python scripts/bake.py -- --model DIR --camera NAME --out OUT.wav [--frames A:B]
With the bpy wheel (plain Python):
    python scripts/bake.py --blend scene.blend --model DIR --camera NAME --out OUT.wav [--frames A:B]

Uses the AudioGS add-on when it is enabled (an installed extension), otherwise
registers it from this repository. Exit status 0 on success; on failure 1
(2 for bad arguments) with one line on stderr.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Blender's --python imports bpy before running the script; plain Python has not.
IN_BLENDER = "bpy" in sys.modules


def script_args(argv: list[str]) -> list[str]:
    """Our arguments: after ``--`` inside Blender, everything after the script otherwise."""
    if "--" in argv:
        return argv[argv.index("--") + 1:]
    return argv[1:]


def addon_module():
    """The loaded AudioGS add-on package: an enabled extension, or this repository's."""
    import addon_utils  # type: ignore[import-not-found]

    for name, mod in list(sys.modules.items()):
        if (name.endswith(".audiogs") or name == "blender_addon") and hasattr(mod, "cli_command"):
            return mod
    for mod in addon_utils.modules():
        if mod.__name__.rpartition(".")[2] == "audiogs":
            enabled = addon_utils.enable(mod.__name__, default_set=False)
            if enabled is not None:
                return enabled
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import blender_addon  # type: ignore[import-not-found]

    blender_addon.register()
    return blender_addon


def main(argv: list[str]) -> int:
    args = script_args(argv)
    if not IN_BLENDER and "--blend" not in args and not any(a.startswith("--blend=") for a in args):
        if not any(a in ("-h", "--help") for a in args):
            print("bake.py: error: --blend is required outside Blender", file=sys.stderr)
            return 2
    try:
        import bpy  # noqa: F401 - the wheel under plain Python
    except ImportError:
        print("bake.py: error: bpy is not available: run inside Blender or install bpy==4.5.15",
              file=sys.stderr)
        return 1
    addon = addon_module()
    return int(addon.cli_command.bake_main(args, prog="bake.py"))


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    if IN_BLENDER:
        sys.exit(code)
    # The bpy wheel can hang at interpreter exit (DESIGN.md §9); the work
    # is done and flushed, so leave without finalisation.
    os._exit(code)
