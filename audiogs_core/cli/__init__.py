"""The ``audiogs`` command line (also ``python -m audiogs_core``).

Each sub-command lives in its own module of this package and exposes
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Errors exit non-zero with one line on stderr (with ``--progress jsonl`` also an
``{"event": "error"}`` line on stdout), never a traceback unless ``--debug``.
Commands import their heavy dependencies inside ``run``; a missing one is
reported here, once, with the pip extra that installs it (``EXTRAS``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Sequence

from audiogs_core import __version__
from audiogs_core.cli.progress import end_open_line
from audiogs_core.errors import AudioGSError

# Optional dependencies -> the extra of pyproject.toml that installs them.
EXTRAS = {
    "torch": "engine", "scipy": "engine", "soundfile": "engine",
    "pyroomacoustics": "sim", "sofar": "sim", "matplotlib": "sim",
    "cdpam": "metrics", "librosa": "metrics", "resampy": "metrics",
}

# Module names under audiogs_core.cli, in the order ``--help`` lists them.
COMMAND_MODULES = [
    "simulate_cmd",
    "train_cmd",
    "render_cmd",
    "eval_cmd",
    "bench_cmd",
    "export_ply_cmd",
]


def _load_commands() -> list:
    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(f"audiogs_core.cli.{name}"))
        except ModuleNotFoundError as exc:
            # A command whose module is not part of this build is simply not
            # offered; a missing third-party dependency is reported when used.
            if exc.name != f"audiogs_core.cli.{name}":
                raise
    return modules


def missing_dependency_message(exc: ModuleNotFoundError) -> str | None:
    """'... pip install "audiogs-core[EXTRA]"' for a missing optional dependency, else None."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    return (f"this command needs {top}, which is not installed: "
            f'install the {extra} extra with pip install "audiogs-core[{extra}]"')


def build_parser() -> argparse.ArgumentParser:
    """The ``audiogs`` parser with one sub-command per module of COMMAND_MODULES."""
    parser = argparse.ArgumentParser(
        prog="audiogs",
        description="AudioGS: learn a room's binaural sound field and render new listening poses.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _load_commands():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show tracebacks on errors")
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def exit_with_parent() -> None:
    """Never outlive the program that started us (the Blender add-on sets
    AUDIOGS_EXIT_WITH_PARENT=1): our stdin is then a pipe the parent never
    writes to, so its end means the parent is gone, however it ended. We stop
    as on Esc (SIGTERM: training writes its checkpoint first)."""
    import os
    import signal
    import threading

    if os.environ.get("AUDIOGS_EXIT_WITH_PARENT") != "1":
        return

    def watch() -> None:
        # os.read on the descriptor, not sys.stdin: a daemon thread blocked in a
        # buffered read holds its lock and aborts interpreter shutdown.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="audiogs-parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``audiogs`` with ``argv`` (default: the process's); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    exit_with_parent()
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        _report_error(args, "interrupted")
        return 130
    except (AudioGSError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        if args.debug:
            raise
        _report_error(args, str(exc))
        return 1
    except ModuleNotFoundError as exc:
        if args.debug:
            raise
        _report_error(args, missing_dependency_message(exc) or f"{type(exc).__name__}: {exc}")
        return 1
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, not a traceback
        if args.debug:
            raise
        _report_error(args, f"{type(exc).__name__}: {exc}")
        return 1


def _report_error(args: argparse.Namespace, message: str) -> None:
    end_open_line()
    if getattr(args, "progress", None) == "jsonl":
        print(json.dumps({"event": "error", "message": message}), flush=True)
    print(f"audiogs {args.command}: error: {message}", file=sys.stderr, flush=True)
