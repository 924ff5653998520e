"""Runs the benchmark: captures, then every unit (method x fold x group), then the report.

Each unit writes its scores atomically to ``OUT/parts/<group>/fold<i>/<method>.json``
with the hash of the run's settings; an interrupted run picks up where it
stopped, and a part made with other settings is run again. Units run one
after the other in this process (``jobs = 1``) or in a pool of worker
processes, each with its own share of the CPU threads.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from audiogs_core.bench.captures import capture_dir, ensure_capture, with_paths
from audiogs_core.bench.parts import PART_FORMAT, part_path, read_part, sample_audio_path
from audiogs_core.bench.protocol import SPLIT_LAYOUT, BenchConfig, Unit, captures_needed, folds_of, plan_units
from audiogs_core.bench.report import write_report
from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_write_json

TRAINED_FIRST = ("audiogs", "implicit_field")  # long units start first so the pool's tail is short


def run_unit(config: BenchConfig, out_dir: str | Path, unit: Unit, key: str | None = None) -> dict:
    """Train/predict one method on one fold, score every test view, write the part.

    ``key`` (default ``config.key(unit.method)``) is the settings hash of the unit's method,
    computed once by the caller so that every part of a run carries the same one.
    """
    from audiogs_core.bench.fold import load_fold
    from audiogs_core.bench.methods import run_method
    from audiogs_core.bench.scoring import score, score_path
    from audiogs_core.io.audio import write_wav

    t0 = time.monotonic()
    folder = capture_dir(out_dir, unit.room, SPLIT_LAYOUT[unit.split])
    fold = load_fold(config, unit, folder)
    run = run_method(unit.method, fold, config)
    views: dict[str, dict] = {}
    for t in fold.targets:
        costly_windows = config.dpam_windows if t.view.dpam else None
        pred = run.predictions[t.name]
        if t.path is None:
            scores = score(pred, t.audio, fold.sample_rate, config.metrics, config.windows,
                           costly_windows=costly_windows, costly_lengths=config.dpam_lengths)
            views[t.name] = {"subsets": t.view.subsets, "dpam": t.view.dpam, "scores": scores}
        else:
            # Paths also keep their tracking curves (and the target's), for the report's plots.
            scores, curves, target_curves = score_path(
                pred, t.audio, fold.sample_rate, config.metrics, config.windows,
                costly_windows=costly_windows, costly_lengths=config.dpam_lengths)
            views[t.name] = {"subsets": t.view.subsets, "dpam": t.view.dpam, "scores": scores,
                             "curves": curves.to_dict(), "target_curves": target_curves.to_dict()}
    sample: str | None = None
    if unit.fold == folds_of(config, unit.split)[0]:
        # The first fold of each group keeps its sample view's audio (split C: every path's)
        # for listening and plots.
        kept = [t for t in fold.targets if t.name == fold.plan.sample_view or t.path is not None]
        for t in kept:
            wav = sample_audio_path(out_dir, unit, t.name)
            write_wav(wav, run.predictions[t.name], fold.sample_rate)
            target = sample_audio_path(out_dir, Unit(unit.split, unit.room, unit.reference, unit.fold, "target"),
                                       t.name)
            if not target.exists():
                write_wav(target, t.audio, fold.sample_rate)
            if t.name == fold.plan.sample_view:
                sample = str(wav.relative_to(out_dir))
    part = {
        "format": PART_FORMAT, "key": key or config.key(unit.method), "unit": unit.to_dict(),
        "train_views": fold.plan.train, "reference_view": fold.plan.reference_view,
        "train_s": run.train_s, "render_s": run.render_s, "info": run.info,
        "views": views, "sample_audio": sample, "sample_view": fold.plan.sample_view,
        "seconds": time.monotonic() - t0,
    }
    atomic_write_json(part_path(out_dir, unit), part)
    return part


# ------------------------------------------------------------- workers


def _init_worker(threads: int) -> None:
    import torch

    torch.set_num_threads(max(1, int(threads)))


def _capture_job(config_dict: dict, out_dir: str, captures: list[tuple[str, str]]) -> list[str]:
    config = BenchConfig.from_dict(config_dict)
    return [str(ensure_capture(config, out_dir, room, layout)) for room, layout in captures]


def capture_jobs(config: BenchConfig) -> list[list[tuple[str, str]]]:
    """The captures to simulate, grouped into jobs: every capture with split C's paths in one
    job, one after the other (each holds a few GB of ray-tracing histograms: one knot of a path
    is one more microphone), every other capture a job of its own."""
    caps = captures_needed(config)
    heavy = [c for c in caps if with_paths(config, c[1])]
    return ([heavy] if heavy else []) + [[c] for c in caps if c not in heavy]


def _unit_job(config_dict: dict, out_dir: str, unit_dict: dict, key: str) -> dict:
    part = run_unit(BenchConfig.from_dict(config_dict), out_dir, Unit(**unit_dict), key)
    return {"seconds": part["seconds"]}


def _order(units: list[Unit]) -> list[Unit]:
    def cost(u: Unit) -> int:
        if u.method in TRAINED_FIRST or u.method.startswith(("no_", "mono_", "global_")):
            return 0
        return 1
    return sorted(units, key=cost)


class _Deferred:
    """A future that runs its call when its result is asked for."""

    def __init__(self, fn, args) -> None:
        self.fn, self.args = fn, args

    def result(self):
        return self.fn(*self.args)


class _Serial:
    """The pool interface, run in this process, one call at a time (jobs = 1)."""

    def submit(self, fn, *args) -> _Deferred:
        return _Deferred(fn, args)

    def shutdown(self, **_: Any) -> None:
        pass


def _drain(pool, futures: dict, progress, counter: list[int], total: int) -> None:
    """Wait for ``futures`` ({future: label}) one by one as they finish, advancing the
    progress bar; the first failure stops the run with its label."""
    finished = futures if isinstance(pool, _Serial) else as_completed(futures)
    for fut in finished:
        _result_or_raise(fut, futures[fut])
        counter[0] += 1
        if progress is not None:
            progress.update(counter[0], total, done=futures[fut])


def _result_or_raise(fut, label: str):
    try:
        return fut.result()
    except AudioGSError as exc:
        raise AudioGSError(f"bench {label}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - name the unit that failed
        raise AudioGSError(f"bench {label}: {type(exc).__name__}: {exc}") from exc


def default_jobs(config: BenchConfig) -> int:
    """One worker per CPU core on the CPU; one process on a GPU."""
    if config.device != "cpu":
        return 1
    return max(1, os.cpu_count() or 1)


def run_bench(config: BenchConfig, out_dir: str | Path = "bench_out", progress=None,
              jobs: int | None = None, command: str | None = None) -> dict:
    """Run (or resume) the benchmark into ``out_dir``; return the results (also written there).

    ``progress`` is an object with ``update(step, total, **fields)``
    (cli.progress.Progress); ``jobs`` the number of worker processes (default:
    one per core on the CPU, 1 on a GPU); ``command`` is recorded in the report.
    """
    t0 = time.monotonic()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = default_jobs(config) if jobs is None else int(jobs)
    if jobs < 1:
        raise AudioGSError(f"jobs must be at least 1, got {jobs}")
    units = plan_units(config)
    keys = {m: config.key(m) for m in sorted({u.method for u in units})}
    todo = [u for u in units if read_part(out, u, keys[u.method]) is None]
    total = len(capture_jobs(config)) + len(todo) + 1
    counter = [0]
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pool: Any
    if jobs == 1:
        pool = _Serial()
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                                   initializer=_init_worker, initargs=(threads,))
    cfg = config.to_dict()
    try:
        if progress is not None:
            progress.update(0, total, stage="captures")
        _drain(pool, {pool.submit(_capture_job, cfg, str(out), job): "capture " + ", ".join(f"{r}-{lay}" for r, lay in job)
                      for job in capture_jobs(config)}, progress, counter, total)
        _drain(pool, {pool.submit(_unit_job, cfg, str(out), u.to_dict(), keys[u.method]): u.slug for u in _order(todo)},
               progress, counter, total)
    finally:
        pool.shutdown(cancel_futures=True)
    results = write_report(config, out, units, keys, wall_s=time.monotonic() - t0, reused=len(units) - len(todo),
                           jobs=jobs, threads=threads if jobs > 1 else None, command=command)
    counter[0] += 1
    if progress is not None:
        progress.update(counter[0], total, done="report")
    return results
