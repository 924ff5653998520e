"""Benchmark methods: fit one on a fold's train side, predict its scored views and paths.

Every method is a :class:`~audiogs_core.method.Method`: AudioGS and the
ablations go through the real trainer and renderer, every baseline (the
implicit field too, with the same training settings, hence the same optimizer
steps) through the baseline registry. :func:`run_method` returns a
:class:`MethodRun` with a prediction per scored target and the timings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from audiogs_core.baselines import LEARNED, FitOptions, build_baseline
from audiogs_core.bench.fold import FoldInputs
from audiogs_core.bench.protocol import ABLATIONS, BASELINES, PRESET_METHODS, BenchConfig
from audiogs_core.errors import AudioGSError
from audiogs_core.method import Method
from audiogs_core.model.flags import ModelFlags
from audiogs_core.train.presets import get_preset
from audiogs_core.train.settings import TrainSettings


@dataclass
class MethodRun:
    predictions: dict[str, np.ndarray]  # scored view or path name -> [2, T]
    train_s: float | None  # None: nothing is trained
    render_s: float  # mean seconds per scored view or path
    info: dict = field(default_factory=dict)


def train_settings(config: BenchConfig, preset: str | None = None) -> TrainSettings:
    """The preset's settings (default: the run's) with the run's epochs, seed and overrides."""
    base = get_preset(preset or config.preset).settings
    return replace(base, epochs=config.epochs, seed=config.train_seed, **config.train_overrides)


def model_flags(config: BenchConfig, preset: str | None = None) -> ModelFlags:
    """Full AudioGS: the preset's flags (default: the run's) with the run's overrides."""
    try:
        return replace(get_preset(preset or config.preset).flags, **config.flag_overrides)
    except ValueError as e:  # flags that contradict each other
        raise AudioGSError(f"bench model flags: {e}") from None


def predict_targets(method: Method, fold: FoldInputs) -> tuple[dict[str, np.ndarray], float]:
    """Every scored target of the fold (a standing view or a path) and the mean seconds per target."""
    preds, total = {}, 0.0
    for t in fold.targets:
        t0 = time.perf_counter()
        out = method.predict_path(t.path) if t.path is not None else method.predict(t.position, t.rotation)
        preds[t.name] = np.asarray(out, dtype=np.float32)
        total += time.perf_counter() - t0
    return preds, total / max(1, len(fold.targets))


def fit_audiogs(fold: FoldInputs, config: BenchConfig, flags: ModelFlags | None = None,
                preset: str | None = None) -> tuple[Method, float, dict]:
    """Audio Gaussians with ``flags`` (default: full AudioGS of the preset) trained on the
    fold's train views: the method, its training seconds and what the report records."""
    from audiogs_core.renderer import ModelMethod, ready_to_render
    from audiogs_core.train.trainer import train_model

    flags = model_flags(config, preset) if flags is None else flags
    result = train_model(fold.training, train_settings(config, preset), flags, device=config.device)
    loaded = ready_to_render(result.model, fold.training.reference, result.meta, result.room,
                             fold.training.room_polygons)
    log = result.meta.get("training", {})
    return ModelMethod(loaded), result.seconds, {
        "flags": flags.to_dict(), "steps": log.get("steps"), "skipped_steps": log.get("skipped_steps"),
        "final_loss": result.epoch_loss[-1] if result.epoch_loss else None}


def fit_baseline(name: str, fold: FoldInputs, config: BenchConfig) -> tuple[Method, float | None, dict]:
    """A baseline fitted to the fold (the implicit field with the run's schedule)."""
    t0 = time.monotonic()
    method = build_baseline(name, fold.baseline, FitOptions(settings=train_settings(config),
                                                            field_settings=config.field, device=config.device))
    if name not in LEARNED:
        return method, None, {}
    fitted = getattr(method, "fitted", None)
    info: dict = {"field": config.field.to_dict()}
    if fitted is not None:
        info.update(steps=fitted.steps, final_loss=fitted.epoch_loss[-1] if fitted.epoch_loss else None)
    return method, time.monotonic() - t0, info


def ablation_flags(name: str, config: BenchConfig | None = None) -> ModelFlags:
    """The full model's flags with the ablation's switch turned."""
    base = ModelFlags() if config is None else model_flags(config)
    try:
        return replace(base, **ABLATIONS[name])
    except ValueError as e:
        raise AudioGSError(f"ablation {name}: {e}") from None
    except KeyError:
        raise AudioGSError(f"unknown ablation {name!r}; known: {', '.join(ABLATIONS)}") from None


def fit(name: str, fold: FoldInputs, config: BenchConfig) -> tuple[Method, float | None, dict]:
    """Dispatch on the method name (AudioGS, a baseline, an ablation or a preset)."""
    if name == "audiogs":
        return fit_audiogs(fold, config)
    if name in ABLATIONS:
        return fit_audiogs(fold, config, ablation_flags(name, config))
    if name in PRESET_METHODS:
        return fit_audiogs(fold, config, preset=PRESET_METHODS[name])
    if name in BASELINES:
        return fit_baseline(name, fold, config)
    raise AudioGSError(f"unknown bench method {name!r}")


def run_method(name: str, fold: FoldInputs, config: BenchConfig) -> MethodRun:
    """Fit the method on the fold's train side and predict every scored target."""
    method, train_s, info = fit(name, fold, config)
    preds, render_s = predict_targets(method, fold)
    return MethodRun(preds, train_s, render_s, info)
