"""Headless binaural bake of a .blend along a camera (DESIGN.md §9).

Inside Blender:
    blender -b scene.blend --python scripts/bake.py -- --model DIR --camera NAME --out OUT.wav [--frames A:B]
With the bpy wheel (plain Python):
    python scripts/bake.py --blend scene.blend --model DIR --camera NAME --out OUT.wav [--frames A:B]

Uses the installed AudioGS extension (with the bpy wheel after reading the
user's preferences, as Blender does), otherwise registers the add-on from this
repository; it says which. Exit status 0 on success; on failure 1
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
    """The AudioGS add-on package: an enabled extension, else the installed one
    enabled now, else this repository's registered from source."""
    import addon_utils  # type: ignore[import-not-found]
    import bpy

    if not IN_BLENDER:
        # The bpy wheel starts with factory settings: load the user's preferences
        # (extension repositories, enabled add-ons) as Blender itself does.
        bpy.ops.wm.read_userpref()
    for name, mod in list(sys.modules.items()):
        if (name.endswith(".audiogs") or name == "blender_addon") and hasattr(mod, "cli_command"):
            return mod
    for mod in addon_utils.modules(refresh=True):
        if mod.__name__.rpartition(".")[2] == "audiogs":
            enabled = addon_utils.enable(mod.__name__, default_set=False)
            if enabled is not None:
                return enabled
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import blender_addon  # type: ignore[import-not-found]

    blender_addon.register()
    return blender_addon


def describe(addon) -> str:
    name = addon.__name__
    return (f"the installed extension {name}" if name.startswith("bl_ext.")
            else f"the add-on {name} from {Path(addon.__file__).parent}")


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
    if "--quiet" not in args:
        print(f"bake.py: using {describe(addon)}", flush=True)
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
