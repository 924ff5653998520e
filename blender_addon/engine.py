"""The AudioGS engine as a separate process: ``python -m audiogs_core ... --progress jsonl``.

Training and rendering need torch, which Blender does not ship, so they run in
another interpreter: the one set in the add-on preferences, otherwise
Blender's own when it can import torch. The process gets the core bundled with
the extension (or, from the source tree, the repository) first on its
``PYTHONPATH``, and its ``--version`` must match the add-on's. Progress comes
back as JSON lines read by two threads (stdout, stderr) into a queue, so a
modal operator polls it from a window-manager timer and a headless run simply
blocks on it.

No bpy here: the job is testable on its own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path
from typing import Any, Callable

CORE_PACKAGE = "audiogs_core"
ADDON_DIR = Path(__file__).resolve().parent
TORCH_HINT = ("set a Python interpreter that has torch in Preferences > Add-ons > AudioGS "
              "(Engine Python)")


class EngineError(Exception):
    """A one-line, user-facing failure of the engine or of starting it."""


# ----------------------------------------------------------------------------
# where things are


def addon_version() -> str:
    """The extension's version (its manifest; from the source tree, the repository's)."""
    for manifest in (ADDON_DIR / "blender_manifest.toml",
                     ADDON_DIR.parent / "blender_manifest.toml"):
        if manifest.is_file():
            with open(manifest, "rb") as fh:
                return str(tomllib.load(fh).get("version", ""))
    return ""


def core_path() -> Path:
    """The folder to put on the engine's PYTHONPATH so that it imports our core.

    From the source tree (``blender_addon/`` next to ``audiogs_core/``) this is
    the repository root; installed, the extension's site-packages where Blender
    unpacked the bundled wheel.
    """
    repo = ADDON_DIR.parent
    if (repo / CORE_PACKAGE / "__init__.py").is_file():
        return repo
    spec = importlib.util.find_spec(CORE_PACKAGE)
    if spec is None or spec.origin is None:
        raise EngineError(f"the bundled {CORE_PACKAGE} is missing: reinstall the AudioGS extension")
    return Path(spec.origin).resolve().parent.parent


def blender_python_has_torch() -> bool:
    """Whether Blender's own Python could import torch (found, not imported: torch is slow)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def resolve_python(preferred: str) -> str:
    """The interpreter that runs the engine.

    ``preferred`` (the preferences' path) wins when set; it must exist.
    Otherwise Blender's own Python, if torch is importable there.
    """
    preferred = (preferred or "").strip()
    if preferred:
        p = Path(os.path.expanduser(preferred))
        if not p.is_file() or not os.access(p, os.X_OK):
            raise EngineError(f"engine Python {preferred!r} is not an executable file: "
                              "fix Engine Python in Preferences > Add-ons > AudioGS")
        return str(p)
    if blender_python_has_torch():
        return sys.executable
    raise EngineError(f"torch is not available in Blender's Python: {TORCH_HINT}")


def engine_env(core: Path) -> dict[str, str]:
    env = dict(os.environ)
    old = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(core) + (os.pathsep + old if old else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def explain_failure(text: str, python: str) -> str:
    """One line out of an engine's stderr/error message, with a hint where we know one."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if any("No module named 'torch'" in ln for ln in lines):
        return f"torch is missing in the engine Python {python}: {TORCH_HINT}"
    if any(f"No module named {CORE_PACKAGE}" in ln or f"No module named '{CORE_PACKAGE}'" in ln
           for ln in lines):
        return f"the engine Python {python} cannot import {CORE_PACKAGE}: reinstall the AudioGS extension"
    if not lines:
        return "the engine stopped without a message"
    last = lines[-1]
    prefix = "audiogs "
    if last.startswith(prefix) and ": error: " in last:
        last = last.split(": error: ", 1)[1]
    # The engine names its command-line flags; in Blender they are operator options.
    return last.replace("use --resume to continue it or --force to replace it",
                        "use Resume to continue it or Retrain to replace it")


# ----------------------------------------------------------------------------
# configuration and version check


class EngineConfig:
    """Interpreter, environment and device for engine processes."""

    def __init__(self, python: str, core: Path, device: str = "auto") -> None:
        self.python = python
        self.core = core
        self.device = device
        self.env = engine_env(core)

    def command(self, args: list[str]) -> list[str]:
        return [self.python, "-m", CORE_PACKAGE, *args]


def check_version(config: EngineConfig, expected: str, timeout: float = 180.0) -> str:
    """Run ``python -m audiogs_core --version``; refuse a core other than the add-on's.

    Not cached: it is quick (the CLI imports torch only in its commands) and
    the interpreter or its packages may change between jobs.
    """
    try:
        proc = subprocess.run(config.command(["--version"]), env=config.env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise EngineError(f"cannot start the engine Python {config.python}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"the engine Python {config.python} did not answer --version "
                          f"within {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise EngineError(explain_failure(proc.stderr or proc.stdout, config.python))
    version = proc.stdout.strip().splitlines()[-1].strip() if proc.stdout.strip() else ""
    if expected and version != expected:
        raise EngineError(f"engine core version {version or '(none)'} differs from the add-on's "
                          f"{expected}: reinstall the AudioGS extension or set another Engine Python")
    return version


def prepare(preferred_python: str, device: str = "auto", check: bool = True) -> EngineConfig:
    """Everything needed before starting a job; raises EngineError with what to do."""
    config = EngineConfig(resolve_python(preferred_python), core_path(), device)
    if check:
        check_version(config, addon_version())
    return config


# ----------------------------------------------------------------------------
# a running job


class EngineJob:
    """One engine command running in a child process, followed through JSON lines.

    ``poll()`` drains what arrived (non-blocking) and updates ``step``,
    ``total``, ``fields``; ``wait()`` blocks until the end. After the process
    exits, ``result()`` returns the ``done`` event or raises EngineError.
    """

    def __init__(self, config: EngineConfig, args: list[str], label: str = "", unit: str = "",
                 units: int = 0) -> None:
        self.config = config
        self.args = list(args) + ["--progress", "jsonl"]
        self.label = label or (args[0] if args else "engine")
        # What a person counts (``units`` of ``unit``: 61 epochs, 144 frames); the
        # engine's steps are shown in these units.
        self.unit, self.units = unit, int(units)
        self.printed = ""  # the count last printed on the console (modal_job.print_progress)
        self.step = 0
        self.total = 0
        self.fields: dict[str, Any] = {}
        self.done_event: dict[str, Any] | None = None
        self.error_message: str | None = None
        self.cancelled = False
        self.started_at = 0.0
        self._stderr: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self._proc: subprocess.Popen | None = None
        self._threads: list[threading.Thread] = []
        self._ended = 0  # streams whose end was read from the queue

    # -- life cycle

    def start(self) -> None:
        cmd = self.config.command(self.args)
        # The child watches its stdin, a pipe we never write to: when this process
        # ends (Blender quits or crashes) the pipe closes and the engine stops.
        env = dict(self.config.env, AUDIOGS_EXIT_WITH_PARENT="1")
        try:
            self._proc = subprocess.Popen(
                cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace", bufsize=1)
        except OSError as exc:
            raise EngineError(f"cannot start the engine Python {self.config.python}: {exc}") from exc
        self.started_at = time.monotonic()
        for stream, kind in ((self._proc.stdout, "out"), (self._proc.stderr, "err")):
            t = threading.Thread(target=self._pump, args=(stream, kind), daemon=True)
            t.start()
            self._threads.append(t)

    def _pump(self, stream, kind: str) -> None:
        for line in stream:
            self._queue.put((kind, line.rstrip("\n")))
        self._queue.put((kind, None))

    @property
    def running(self) -> bool:
        """Started and not everything read yet (both streams end after the process)."""
        return self._proc is not None and self._ended < len(self._threads)

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total > 0 else 0.0

    def status_text(self) -> str:
        """One line a person reads: "train epoch 3/61, loss 0.12, 1:20 left"."""
        if not self.total:
            return f"{self.label} starting"
        if self.unit and self.units:
            # The trainer names its 1-based epoch; otherwise count units by fraction.
            done = int(self.fields.get(self.unit, round(self.fraction * self.units)))
            text = f"{self.label} {self.unit} {min(done, self.units)}/{self.units}"
        else:
            text = f"{self.label} {self.step}/{self.total}"
        loss = self.fields.get("loss")
        if isinstance(loss, float):
            text += f", loss {loss:.4g}"
        left = self.seconds_left()
        return text + (f", {format_duration(left)} left" if left is not None else "")

    def seconds_left(self) -> float | None:
        """Remaining time from the rate so far; None before the first step."""
        if self.step <= 0 or self.total <= 0 or not self.started_at:
            return None
        elapsed = time.monotonic() - self.started_at
        return max(0.0, elapsed * (self.total - self.step) / self.step)

    def cancel(self) -> None:
        """Stop the process (SIGTERM, then kill); the engine keeps its last checkpoint."""
        self.cancelled = True
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    # -- reading

    def _handle(self, kind: str, line: str) -> dict | None:
        if kind == "err":
            self._stderr.append(line)
            del self._stderr[:-200]
            return None
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return None  # stray print of a library; JSON lines are what counts
        if not isinstance(event, dict):
            return None
        name = event.get("event")
        if name == "progress":
            self.step = int(event.get("step", self.step))
            self.total = int(event.get("total", self.total))
            self.fields = {k: v for k, v in event.items() if k not in ("event", "step", "total")}
        elif name == "done":
            self.done_event = event
        elif name == "error":
            self.error_message = str(event.get("message", "engine error"))
        return event

    def poll(self) -> list[dict]:
        """Events that arrived since the last call (never blocks)."""
        events = []
        while True:
            try:
                kind, line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self._ended += 1
            elif (ev := self._handle(kind, line)) is not None:
                events.append(ev)
        return events

    def wait(self, on_event: Callable[[dict], None] | None = None) -> dict:
        """Block until the process ends, calling ``on_event`` per event; return ``result()``."""
        if self._proc is None:
            self.start()
        while self._ended < len(self._threads):
            kind, line = self._queue.get()
            if line is None:
                self._ended += 1
                continue
            ev = self._handle(kind, line)
            if ev is not None and on_event is not None:
                on_event(ev)
        assert self._proc is not None
        self._proc.wait()
        return self.result()

    def result(self) -> dict:
        assert self._proc is not None
        code = self._proc.wait()
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        if self.cancelled:
            raise EngineError(f"{self.label} cancelled")
        if self.error_message is not None:
            raise EngineError(explain_failure(self.error_message, self.config.python))
        if code != 0:
            raise EngineError(explain_failure("\n".join(self._stderr), self.config.python)
                              + f" (exit status {code})")
        if self.done_event is None:
            raise EngineError(f"the engine's {self.label} ended without reporting 'done'")
        return self.done_event


def format_duration(seconds: float) -> str:
    """``75.2`` -> ``"1:15"``; ``3725`` -> ``"1:02:05"``."""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def run_blocking(config: EngineConfig, args: list[str], label: str = "",
                 on_progress: Callable[[EngineJob], None] | None = None) -> dict:
    """Run one engine command to its end (headless use); return its ``done`` event."""
    job = EngineJob(config, args, label)
    job.start()

    def on_event(ev: dict) -> None:
        if ev.get("event") == "progress" and on_progress is not None:
            on_progress(job)

    return job.wait(on_event)
