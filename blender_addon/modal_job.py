"""Running an engine job from an operator: modal in the UI, blocking headless.

In the UI (invoked with a window) the operator polls the job from a
window-manager timer, shows a progress bar and status text, and Esc stops the
process. Headless (``bpy.app.background``) or called from a script (execute)
there is no event loop to rely on, so the job runs to its end in place.
"""

from __future__ import annotations

import sys
from typing import Callable

import bpy

from ._typing import OpResult
from .engine import EngineError, EngineJob
from .scene_io import AddonError

# The jobs running now, by kind ("train", "bake"): panels draw their progress.
ACTIVE_JOBS: dict[str, EngineJob] = {}


def print_progress(job: EngineJob) -> None:
    """One console line per unit a person counts (epoch, frames), not per engine step."""
    text = job.status_text()
    count = text.split(",")[0]
    if job.printed == count:
        return
    job.printed = count
    print(f"AudioGS: {text}", file=sys.stderr, flush=True)


def _redraw(context: bpy.types.Context) -> None:
    wm = context.window_manager
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


class EngineJobOperator(bpy.types.Operator):
    """Base of operators that run one engine job and then call ``finish`` (never
    registered itself: it has no bl_idname)."""

    _job: EngineJob | None = None
    _timer = None
    _kind = "job"
    _finish: Callable[[dict], str] | None = None
    _abort: Callable[[], None] | None = None

    def run_blocking(self, job: EngineJob, finish: Callable[[dict], str]) -> OpResult:
        try:
            done = job.wait(lambda ev: print_progress(job) if ev.get("event") == "progress" else None)
            message = finish(done)
        except (EngineError, AddonError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, message)
        return {"FINISHED"}

    def run_modal(self, context: bpy.types.Context, kind: str, job: EngineJob,
                  finish: Callable[[dict], str],
                  abort: Callable[[], None] | None = None) -> OpResult:
        """Start ``job`` and follow it from a timer; ``finish(done_event)`` returns the
        message reported on success; ``abort()`` cleans up when the job ends, however it ends."""
        if kind in ACTIVE_JOBS:
            self.report({"ERROR"}, f"an AudioGS {kind} is already running: wait or press Esc")
            return {"CANCELLED"}
        try:
            job.start()
        except EngineError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self._job, self._kind, self._finish, self._abort = job, kind, finish, abort
        ACTIVE_JOBS[kind] = job
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.25, window=context.window)
        wm.progress_begin(0, 1000)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def _cleanup(self, context: bpy.types.Context) -> None:
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
        wm.progress_end()
        ACTIVE_JOBS.pop(self._kind, None)
        if self._abort is not None:
            self._abort()
        if context.workspace is not None:
            context.workspace.status_text_set(None)
        _redraw(context)

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> OpResult:
        job = self._job
        assert job is not None and self._finish is not None
        if event.type == "ESC":
            job.cancel()
            self._cleanup(context)
            self.report({"WARNING"}, f"AudioGS {self._kind} cancelled; the last checkpoint is kept")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        job.poll()
        context.window_manager.progress_update(int(job.fraction * 1000))
        if context.workspace is not None:
            context.workspace.status_text_set(f"AudioGS {job.status_text()} (Esc to cancel)")
        _redraw(context)
        if job.running:
            return {"PASS_THROUGH"}
        self._cleanup(context)
        try:
            message = self._finish(job.result())
        except (EngineError, AddonError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, message)
        return {"FINISHED"}


def cancel_all() -> None:
    """Stop running jobs (add-on unregistered, Blender quitting)."""
    for job in list(ACTIVE_JOBS.values()):
        job.cancel()
    ACTIVE_JOBS.clear()
