"""One function per benchmark method: train on the fold's inputs, predict its test views.

Each returns a :class:`MethodRun` with a [2, T] prediction per scored view and
its timings. AudioGS and the ablations go through the real trainer and
renderer; the non-learned baselines through their registry; the implicit
field is trained with the same settings (hence the same optimizer steps).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from audiogs_core.baselines import get_baseline
from audiogs_core.bench.fold import FoldInputs
from audiogs_core.bench.protocol import ABLATIONS, BASELINES, PRESET_METHODS, BenchConfig
from audiogs_core.train.presets import get_preset
from audiogs_core.errors import AudioGSError
from audiogs_core.model.flags import ModelFlags
from audiogs_core.train.settings import TrainSettings


@dataclass
class MethodRun:
    predictions: dict[str, np.ndarray]  # view name -> [2, T]
    train_s: float | None  # None: nothing is trained
    render_s: float  # mean seconds per scored view
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


def _timed_predictions(fold: FoldInputs, predict: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> tuple[dict, float]:
    preds, total = {}, 0.0
    for t in fold.targets:
        t0 = time.perf_counter()
        preds[t.name] = np.asarray(predict(t.position, t.rotation), dtype=np.float32)
        total += time.perf_counter() - t0
    return preds, total / max(1, len(fold.targets))


def run_audiogs(fold: FoldInputs, config: BenchConfig, flags: ModelFlags | None = None,
                preset: str | None = None) -> MethodRun:
    """Train Audio Gaussians with ``flags`` (default: full AudioGS of the preset) on the
    fold's train views, render each test pose."""
    from audiogs_core.renderer import LoadedModel, render_static
    from audiogs_core.train.trainer import train_model

    flags = model_flags(config, preset) if flags is None else flags
    result = train_model(fold.training, train_settings(config, preset), flags, device=config.device)
    loaded = LoadedModel(model=result.model, reference=fold.training.reference, meta=result.meta)
    preds, render_s = _timed_predictions(fold, lambda p, q: render_static(loaded, p, q))
    log = result.meta.get("training", {})
    return MethodRun(preds, result.seconds, render_s, {
        "flags": flags.to_dict(), "steps": log.get("steps"), "skipped_steps": log.get("skipped_steps"),
        "final_loss": result.epoch_loss[-1] if result.epoch_loss else None})


def run_implicit_field(fold: FoldInputs, config: BenchConfig) -> MethodRun:
    from audiogs_core.baselines import implicit_field

    fitted = implicit_field.fit(fold.baseline, train_settings(config), config.field, device=config.device)
    preds, render_s = _timed_predictions(fold, lambda p, q: implicit_field.predict(fitted, p, q))
    return MethodRun(preds, fitted.seconds, render_s, {
        "steps": fitted.steps, "final_loss": fitted.epoch_loss[-1] if fitted.epoch_loss else None,
        "field": config.field.to_dict()})


def run_baseline(name: str, fold: FoldInputs) -> MethodRun:
    predictor = get_baseline(name)
    preds, render_s = _timed_predictions(fold, lambda p, q: predictor(fold.baseline, p, q))
    return MethodRun(preds, None, render_s)


def ablation_flags(name: str, config: BenchConfig | None = None) -> ModelFlags:
    """The full model's flags with the ablation's switch turned."""
    base = ModelFlags() if config is None else model_flags(config)
    try:
        return replace(base, **ABLATIONS[name])
    except ValueError as e:
        raise AudioGSError(f"ablation {name}: {e}") from None
    except KeyError:
        raise AudioGSError(f"unknown ablation {name!r}; known: {', '.join(ABLATIONS)}") from None


def run_method(name: str, fold: FoldInputs, config: BenchConfig) -> MethodRun:
    """Dispatch on the method name (AudioGS, a baseline or an ablation)."""
    if name == "audiogs":
        return run_audiogs(fold, config)
    if name == "implicit_field":
        return run_implicit_field(fold, config)
    if name in ABLATIONS:
        return run_audiogs(fold, config, ablation_flags(name, config))
    if name in PRESET_METHODS:
        return run_audiogs(fold, config, preset=PRESET_METHODS[name])
    if name in BASELINES:
        return run_baseline(name, fold)
    raise AudioGSError(f"unknown bench method {name!r}")
