"""``audiogs eval MODEL CAPTURE``: metrics of a trained model (and the baselines) on a capture's
views and listener paths.

Prints a table (one row per method, the metrics of ``metrics.registry`` for
each window length, averaged over windows and views) and with ``--json``
writes the results JSON. With ``--paths`` the capture's listener paths (their
ground truth, ``paths`` in capture.json) are scored too, with the tracking
metrics. With ``--baselines`` every baseline is scored too; the implicit
field is trained on the fly on the capture's train views with the model's
own training settings (the same optimizer steps). Every method goes through
the one interface of ``audiogs_core.method``.
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
    p.add_argument("--views", default="test",
                   help="'test' (the capture's test views), NAME,NAME,... or 'none' (only with --paths)")
    p.add_argument("--paths", action="store_true",
                   help="also score the capture's listener paths (their ground truth) with the tracking metrics")
    p.add_argument("--baselines", action="store_true", help="also score every baseline")
    p.add_argument("--json", default=None, help="write the results JSON (section 7) here")
    p.add_argument("--html", default=None, metavar="OUT_DIR",
                   help="write OUT_DIR/listen.html: players, spectrograms and metrics per view")
    p.add_argument("--metrics", default=None,
                   help="comma-separated window metrics, e.g. MAG,ITDE (default: all of them, listed in "
                        "docs/DESIGN.md §7; DPAM and DPAM_ears are slow)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--resample", action="store_true", help="resample files whose rate differs from the capture's")
    p.add_argument("--progress", default="text", choices=["text", "jsonl", "none"])


def choose_views(capture, spec: str) -> list:
    """The capture's views named by ``spec`` ('test', 'none' or a comma-separated list)."""
    if spec.strip() == "none":
        return []
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
    """Window metric names from 'MAG,ITDE,...' (None: all of them)."""
    from audiogs_core.metrics.registry import parse_metric_list

    return parse_metric_list(spec)


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
    from audiogs_core.baselines import NEEDS_SOURCES, BaselineInputs, FitOptions, baseline_names, build_baseline
    from audiogs_core.bench.scoring import score_path
    from audiogs_core.cli.progress import Progress
    from audiogs_core.io.atomic import atomic_write_json
    from audiogs_core.io.audio import read_wav
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.io.listener_path import load_path
    from audiogs_core.method import Method
    from audiogs_core.metrics.evaluate import DEFAULT_WINDOWS, evaluate, mean_scores
    from audiogs_core.metrics.registry import PATH_METRICS
    from audiogs_core.renderer import ModelMethod, load_model
    from audiogs_core.train.data import training_data_from_capture
    from audiogs_core.device import resolve_device
    from audiogs_core.train.settings import TrainSettings

    metrics = parse_metrics(args.metrics)
    windows = list(DEFAULT_WINDOWS)
    device = resolve_device(args.device)
    loaded = load_model(args.model, device)
    capture = load_capture(args.capture)
    if args.paths and not capture.paths:
        raise AudioGSError(f"--paths: capture {capture.folder} lists no listener paths with ground truth "
                           "(simulate one with: audiogs simulate ... --paths P.json)")
    audio = load_capture_audio(capture, resample=args.resample)
    if audio.sample_rate != loaded.sample_rate:
        raise AudioGSError(f"model {args.model} is at {loaded.sample_rate} Hz but capture {capture.folder} is at "
                           f"{audio.sample_rate} Hz")
    views = choose_views(capture, args.views)
    if not views and not args.paths:
        raise AudioGSError("nothing to score: --views none needs --paths")
    n = min(loaded.reference.shape[1], audio.num_samples)

    methods: dict[str, Method] = {"audiogs": ModelMethod(loaded)}
    skipped: dict[str, str] = {}
    if args.baselines:
        if not capture.train_views():
            raise AudioGSError(f"--baselines: capture {capture.folder} has no view with split 'train'")
        inputs = BaselineInputs.from_training(training_data_from_capture(capture, audio))
        settings = TrainSettings.from_dict(loaded.meta.get("training", {}).get("settings", {}))
        for name in baseline_names():
            if name in NEEDS_SOURCES and inputs.sources.shape[0] == 0:
                skipped[name] = "the capture names no source"
                continue
            options = FitOptions(settings=settings, device=device.type,
                                 progress=Progress(args.progress, label=name))
            methods[name] = build_baseline(name, inputs, options)

    progress = Progress(args.progress, label="eval")
    total = (len(views) + (len(capture.paths) if args.paths else 0)) * len(methods)
    results: dict = {"methods": {}, "views": {}}
    per_method: dict[str, list[dict]] = {m: [] for m in methods}
    heard: dict[str, dict[str, np.ndarray]] = {}  # view or path -> method -> [2, T], for --html
    step = 0
    for v in views:
        target = audio.views[v.name][:, :n]
        for name, method in methods.items():
            pred = np.asarray(method.predict(v.pose.position, v.pose.rotation))[:, :n]
            scores = evaluate(pred, target, audio.sample_rate, metrics=metrics, windows=windows)
            results["views"].setdefault(v.name, {})[name] = scores
            per_method[name].append(scores)
            if args.html:
                heard.setdefault(v.name, {"target": target})[name] = pred
            step += 1
            progress.update(step, total, view=v.name, method=name)
    results["methods"] = {m: mean_scores(s) for m, s in per_method.items() if s}
    if args.paths:
        results["paths"] = {}
        per_path_method: dict[str, list[dict]] = {m: [] for m in methods}
        for truth in capture.paths:
            path = load_path(truth.path)
            target, sr = read_wav(truth.audio)
            if sr != audio.sample_rate:
                raise AudioGSError(f"{truth.audio}: {sr} Hz, the capture is at {audio.sample_rate} Hz")
            for name, method in methods.items():
                pred = method.predict_path(path)
                scores, _, _ = score_path(pred, target, audio.sample_rate, metrics, windows,
                                       costly_windows=len(pred[0]))  # every window, as for views
                results["paths"].setdefault(truth.name, {})[name] = scores
                per_path_method[name].append(scores)
                if args.html:
                    heard.setdefault(f"path {truth.name}", {"target": target})[name] = pred
                step += 1
                progress.update(step, total, path=truth.name, method=name)
        results["path_methods"] = {m: mean_scores(s) for m, s in per_path_method.items()}
    if args.json:
        atomic_write_json(args.json, results)
    if args.html:
        scored = {**results["views"], **{f"path {k}": v for k, v in results.get("paths", {}).items()}}
        _write_listen_page(args.html, heard, scored, audio.sample_rate)
    progress.done(views=[v.name for v in views], paths=[p.name for p in capture.paths] if args.paths else [],
                  methods=list(methods), json=args.json)
    if args.progress != "jsonl":  # jsonl keeps stdout machine-readable
        if views:
            print(f"{len(views)} view(s): {', '.join(v.name for v in views)}")
            print(format_table(results["methods"], metrics, windows))
        if args.paths:
            print(f"{len(capture.paths)} path(s): {', '.join(p.name for p in capture.paths)}")
            print(format_table(results["path_methods"], metrics, windows))
            print(format_table(results["path_methods"], list(PATH_METRICS), ["track"]))
        for name, why in skipped.items():
            print(f"{name}: not scored ({why})")
    return 0


def _write_listen_page(out_dir: str, heard: dict, scores: dict, sample_rate: int) -> None:
    """listen.html with each view's (and path's) target and renderings, and its metrics."""
    from audiogs_core.listen_page import ListenItem, write_listen_page

    items = [ListenItem(title=name, audio=audio, sample_rate=sample_rate,
                        metrics={m: {f"{k} {w}": v for w, ks in s.items() for k, v in ks.items()}
                                 for m, s in scores[name].items()})
             for name, audio in heard.items()]
    write_listen_page(out_dir, items, title="AudioGS eval: listen")
