"""Progress reporting for long commands: a text bar or JSON lines.

``jsonl`` is how the Blender add-on follows a job in another process: one
object per line, ``{"event": "progress", "step", "total", ...}`` and finally
``{"event": "done", ...}``.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

# The text bar currently drawn without a final newline, so an error line can
# start on a line of its own (see end_open_line).
_open_bar: "Progress | None" = None


def end_open_line() -> None:
    """Finish a text progress bar's line before printing something else to its stream."""
    global _open_bar
    if _open_bar is not None:
        _open_bar.stream.write("\n")
        _open_bar.stream.flush()
        _open_bar = None


class Progress:
    """Job progress as a text bar on stderr, JSON lines on stdout (``jsonl``) or nothing."""

    def __init__(self, mode: str = "text", label: str = "", stream=None) -> None:
        if mode not in ("text", "jsonl", "none"):
            raise ValueError(f"unknown progress mode {mode!r}")
        self.mode = mode
        self.label = label
        self.stream = stream or (sys.stdout if mode == "jsonl" else sys.stderr)
        self._last_text = 0.0
        self._t0 = time.monotonic()

    def update(self, step: int, total: int, **fields: Any) -> None:
        """Report ``step`` of ``total`` with extra ``fields`` (loss, epoch, stage, ...)."""
        global _open_bar
        if self.mode == "jsonl":
            self._emit({"event": "progress", "step": step, "total": total, **fields})
        elif self.mode == "text":
            now = time.monotonic()
            if now - self._last_text < 0.2 and step < total:
                return
            self._last_text = now
            width = 30
            filled = int(width * step / max(total, 1))
            extra = " ".join(f"{k} {_fmt(v)}" for k, v in fields.items())
            elapsed = now - self._t0
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {step}/{total} {extra} {elapsed:.0f}s"
            )
            if step >= total:
                self.stream.write("\n")
            _open_bar = None if step >= total else self
            self.stream.flush()

    def done(self, **fields: Any) -> None:
        """Report the end of the job with its result ``fields``."""
        if self.mode == "jsonl":
            self._emit({"event": "done", **fields})

    def _emit(self, obj: dict) -> None:
        try:
            self.stream.write(json.dumps(obj) + "\n")
            self.stream.flush()
        except BrokenPipeError:
            # The reader of the JSON lines (the Blender add-on) is gone: stop as
            # on an interrupt, so training writes its checkpoint; later writes go nowhere.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
            raise KeyboardInterrupt from None


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
