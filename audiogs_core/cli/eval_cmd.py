"""``audiogs eval MODEL CAPTURE``: metrics of a trained model (and the baselines) on a capture's views.

Prints a table (one row per method, the section-7 metrics for each window
length, averaged over windows and views) and with ``--json`` writes the
section-7 results JSON. With ``--baselines`` every baseline is scored too; the
implicit field is trained on the fly on the capture's train views with the
model's own training settings (the same optimizer steps).
"""

from __future__ import annotations

import argparse

import numpy as np

from audiogs_core.errors import AudioGSError

NAME = "eval"
HELP = "score a trained model (and, with --baselines, every baseline) on views of a capture"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model folder")
    p.add_argument("capture", help="capture folder (or its capture.json)")
    p.add_argument("--views", default="test", help="'test' (the capture's test views) or NAME,NAME,...")
    p.add_argument("--baselines", action="store_true", help="also score every baseline")
    p.add_argument("--json", default=None, help="write the results JSON (section 7) here")
    p.add_argument("--html", default=None, metavar="OUT_DIR",
                   help="write OUT_DIR/listen.html: players, spectrograms and metrics per view")
    p.add_argument("--metrics", default=None,
                   help="comma-separated subset of MAG,ENV,LRE,RTE,DPAM,ITDE (default: all; DPAM is slow)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--resample", action="store_true", help="resample files whose rate differs from the capture's")
    p.add_argument("--progress", default="text", choices=["text", "jsonl", "none"])


def choose_views(capture, spec: str) -> list:
    """The capture's views named by ``spec`` ('test' or a comma-separated list)."""
    if spec.strip() == "test":
        views = capture.test_views()
        if not views:
            raise AudioGSError(f"capture {capture.folder} has no view with split 'test' (name views with --views)")
        return views
    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise AudioGSError("--views is empty: give 'test' or view names separated by commas")
    return [capture.view(n) for n in names]


def parse_metrics(spec: str | None) -> list[str]:
    from audiogs_core.metrics.evaluate import ALL_METRICS

    if spec is None:
        return list(ALL_METRICS)
    names = [m.strip().upper() for m in spec.split(",") if m.strip()]
    unknown = [m for m in names if m not in ALL_METRICS]
    if unknown or not names:
        raise AudioGSError(f"--metrics: unknown {unknown or spec!r}; known: {','.join(ALL_METRICS)}")
    return names


def format_table(methods: dict, metrics: list[str], windows: list[str]) -> str:
    head = ["method"] + [f"{m} {w}" for w in windows for m in metrics]
    rows = [head]
    for name, scores in methods.items():
        rows.append([name] + [f"{scores[w][m]:.4g}" if m in scores.get(w, {}) else "-"
                              for w in windows for m in metrics])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(wd) if i == 0 else c.rjust(wd) for i, (c, wd) in enumerate(zip(r, widths)))
                     for r in rows)


def run(args: argparse.Namespace) -> int:
    from audiogs_core.baselines import BaselineInputs, NEEDS_SOURCES, baseline_names, get_baseline
    from audiogs_core.cli.progress import Progress
    from audiogs_core.io.atomic import atomic_write_json
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.metrics.evaluate import DEFAULT_WINDOWS, evaluate, mean_scores
    from audiogs_core.renderer import load_model, render_static
    from audiogs_core.train.data import training_data_from_capture
    from audiogs_core.train.trainer import resolve_device

    metrics = parse_metrics(args.metrics)
    windows = list(DEFAULT_WINDOWS)
    device = resolve_device(args.device)
    loaded = load_model(args.model, device)
    capture = load_capture(args.capture)
    audio = load_capture_audio(capture, resample=args.resample)
    if audio.sample_rate != loaded.sample_rate:
        raise AudioGSError(f"model {args.model} is at {loaded.sample_rate} Hz but capture {capture.folder} is at "
                           f"{audio.sample_rate} Hz")
    views = choose_views(capture, args.views)
    n = min(loaded.reference.shape[1], audio.num_samples)

    predictors = {"audiogs": lambda pos, rot: render_static(loaded, pos, rot)}
    skipped: dict[str, str] = {}
    if args.baselines:
        if not capture.train_views():
            raise AudioGSError(f"--baselines: capture {capture.folder} has no view with split 'train'")
        inputs = BaselineInputs.from_training(training_data_from_capture(capture, audio))
        for name in baseline_names():
            if name in NEEDS_SOURCES and inputs.sources.shape[0] == 0:
                skipped[name] = "the capture names no source"
                continue
            predictors[name] = (lambda fn: lambda pos, rot: fn(inputs, pos, rot))(get_baseline(name))
        predictors["implicit_field"] = _implicit_field(inputs, loaded.meta, device.type, args.progress)

    progress = Progress(args.progress, label="eval")
    total = len(views) * len(predictors)
    results: dict = {"methods": {}, "views": {}}
    per_method: dict[str, list[dict]] = {m: [] for m in predictors}
    heard: dict[str, dict[str, np.ndarray]] = {}  # view -> method -> [2, T], for --html
    step = 0
    for v in views:
        target = audio.views[v.name][:, :n]
        for name, predict in predictors.items():
            pred = np.asarray(predict(v.pose.position, v.pose.rotation))[:, :n]
            scores = evaluate(pred, target, audio.sample_rate, metrics=metrics, windows=windows)
            results["views"].setdefault(v.name, {})[name] = scores
            per_method[name].append(scores)
            if args.html:
                heard.setdefault(v.name, {"target": target})[name] = pred
            step += 1
            progress.update(step, total, view=v.name, method=name)
    results["methods"] = {m: mean_scores(s) for m, s in per_method.items()}
    if args.json:
        atomic_write_json(args.json, results)
    if args.html:
        _write_listen_page(args.html, heard, results["views"], audio.sample_rate)
    progress.done(views=[v.name for v in views], methods=list(predictors), json=args.json)
    if args.progress != "jsonl":  # jsonl keeps stdout machine-readable
        print(f"{len(views)} view(s): {', '.join(v.name for v in views)}")
        print(format_table(results["methods"], metrics, windows))
        for name, why in skipped.items():
            print(f"{name}: not scored ({why})")
    return 0


def _write_listen_page(out_dir: str, heard: dict, view_scores: dict, sample_rate: int) -> None:
    """listen.html with each view's target and renderings, and its metrics per window length."""
    from audiogs_core.listen_page import ListenItem, write_listen_page

    items = [ListenItem(title=f"view {view}", audio=audio, sample_rate=sample_rate,
                        metrics={m: {f"{k} {w}": v for w, ks in s.items() for k, v in ks.items()}
                                 for m, s in view_scores[view].items()})
             for view, audio in heard.items()]
    write_listen_page(out_dir, items, title="AudioGS eval: listen")


def _implicit_field(inputs, meta: dict, device: str, progress_mode: str):
    """Train the implicit field with the model's training settings; return its predictor."""
    from audiogs_core.baselines import implicit_field
    from audiogs_core.cli.progress import Progress
    from audiogs_core.train.settings import TrainSettings

    settings = TrainSettings.from_dict(meta.get("training", {}).get("settings", {}))
    fitted = implicit_field.fit(inputs, settings, device=device,
                                progress=Progress(progress_mode, label="implicit_field"))
    return lambda pos, rot: implicit_field.predict(fitted, pos, rot)
