"""The benchmark's report: results.json, results.md and the PNG figures.

results.json holds, per group (split/room/reference), the section-7 results
(``methods``, ``views``) of every subset of views, with ``std`` and ``n``, the
timings, the ablations on their folds, and at the top the protocol settings,
the machine and a headline (split A: mean over rooms per reference setting).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

from audiogs_core.bench import aggregate as agg
from audiogs_core.bench.captures import capture_dir
from audiogs_core.bench.parts import read_part, sample_audio_path
from audiogs_core.bench.protocol import (
    BASELINES, C_REFERENCE_VIEW, BenchConfig, Unit, captures_needed, inert_ablations,
)
from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_write_json, atomic_write_text
from audiogs_core.metrics.registry import PATH_METRICS

RESULTS_FORMAT = "audiogs.bench"
SUBSET_TITLES = {
    "heldout": "held-out ring view", "test": "test views", "turned": "turned heads (test only)",
    "away": "test views facing away from the source", "occluded": "test views out of the source's sight",
    "path": "all listener paths (± over paths)",
}

# Every fold scores the same turned-head recordings, so their spread over folds is
# the training's variation alone; how much the measurement itself varies needs
# captures simulated with other seeds.
TURNED_SPREAD = ("The same turned-head recordings are scored in every fold: ± here is how training on "
                 "other folds varies, not how the measurement varies between simulator realisations "
                 "(one capture per room and simulator seed).")


def environment(jobs: int, threads: int | None, command: str | None) -> dict:
    import torch

    from audiogs_core import __version__

    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command, "core_version": __version__, "python": platform.python_version(),
        "torch": torch.__version__, "platform": platform.platform(), "cpu_count": os.cpu_count(),
        "machine": platform.machine(), "processor": platform.processor() or None,
        "jobs": jobs, "threads_per_job": threads,
    }


def capture_notes(config: BenchConfig, out: Path) -> dict:
    """What each simulated capture records about itself (dry signal, RT60, ...)."""
    notes = {}
    for room, layout in captures_needed(config):
        path = capture_dir(out, room, layout) / "capture.json"
        try:
            sim = json.loads(path.read_text()).get("simulation", {})
        except (OSError, ValueError):
            continue
        notes[f"{room}-{layout}"] = {k: sim.get(k) for k in ("dry_signal", "hrtf", "rt60_estimate", "rt60_sabine",
                                                              "n_rays", "seconds", "seed")}
    return notes


def protocol_notes(config: BenchConfig) -> dict:
    """The settings in words, as the report states them."""
    from audiogs_core.bench.methods import model_flags, train_settings

    return {
        "train_settings": train_settings(config).to_dict(),
        "model_flags": model_flags(config).to_dict(),
        "steps_per_training": config.steps_per_training(),
        "split_A": f"ring of 8 views, train 7 / test 1, folds {list(config.folds_a)}; the 2 turned views are "
                   "scored in every fold and reported apart",
        "split_B": "grid, 12 train / up to 24 test views, one fold, reference close; turned, facing-away and "
                   "occluded test views also reported apart" + (
                       f" (first {config.max_test_views_b} test views only)" if config.max_test_views_b else ""),
        "reference_view": "ref=view: the reference is the ring view before the held-out one (a train view, "
                          "binaural, with its pose), rotated with the folds; split C: ring view "
                          f"{C_REFERENCE_VIEW}",
        "split_C": "the 8 ring views train (one fold); listener paths through the room are scored over the "
                   "whole path (3 s and 1 s windows) and by their tracking curves; AudioGS renders a pose per "
                   "STFT frame, the baselines that cannot move are standing listeners at the ground truth's "
                   "pose knots, crossfaded (nearest_view: a recording switched with short fades)",
        "ablations": f"split A folds {list(config.ablation_folds)} per room, reference {list(config.ablation_references)}",
        "dpam": f"DPAM and DPAM_ears on the first {config.dpam_windows} window(s) of each length in "
                f"{list(config.dpam_lengths)}, on the held-out view of split A folds {list(config.dpam_folds)}, "
                f"the first {config.dpam_views_b} split B test views (by name) and the split C paths "
                f"{list(config.dpam_paths)}; absent elsewhere",
        "std": "sample standard deviation over folds (split B, one fold: over views)",
        "selection": "nothing is selected on test views; every model is its last epoch",
    }


def write_report(config: BenchConfig, out: Path, units: list[Unit], keys: dict[str, str], wall_s: float,
                 reused: int, jobs: int, threads: int | None, command: str | None) -> dict:
    """Read every part (made with its method's settings hash, ``keys[method]``), write
    results.json, results.md and the figures; return the results."""
    parts = {}
    for u in units:
        part = read_part(out, u, keys[u.method])
        if part is None:
            raise AudioGSError(f"bench part {u.slug} is missing from {out}")
        parts[u] = part
    grouped = agg.aggregate(config, parts)
    mark_inert_ablations(config, grouped)
    results = {
        "format": RESULTS_FORMAT, "version": 1,
        "protocol": {"settings": config.to_dict(), "key": keys.get("audiogs"), "keys": keys, **protocol_notes(config)},
        "captures": capture_notes(config, out),
        "environment": environment(jobs, threads, command),
        "run": {"wall_s": wall_s, "units": len(units), "reused_units": reused,
                "unit_seconds": sum(float(p.get("seconds", 0.0)) for p in parts.values())},
        "headline": agg.headline(config, grouped),
        "groups": grouped,
    }
    figures = write_figures(config, out, grouped)
    figures["tracking"] = write_tracking_figures(out, grouped, parts)
    figures["listen"] = write_listening(config, out, parts)
    results["figures"] = figures
    atomic_write_json(out / "results.json", results)
    atomic_write_text(out / "results.md", markdown(results))
    return results


def mark_inert_ablations(config: BenchConfig, grouped: dict) -> None:
    """Name, in each group with ablations, those that were not run because they would be full
    AudioGS trained again (protocol.inert_ablations)."""
    inert = sorted(inert_ablations(config))
    for g in grouped.values():
        if "ablation" in g:
            g["ablation"]["same_flags_as_audiogs"] = inert


# ------------------------------------------------------------- figures


def write_figures(config: BenchConfig, out: Path, grouped: dict) -> dict:
    from audiogs_core.bench import plots
    from audiogs_core.io.audio import read_wav

    figures: dict = {}
    window = config.windows[0]
    panels = []
    for name, g in grouped.items():
        st = g["subsets"].get(g["main_subset"])
        if st is None:
            continue
        values = {m: (v[window]["MAG"], st["std"].get(m, {}).get(window, {}).get("MAG"))
                  for m, v in st["methods"].items() if "MAG" in v.get(window, {})}
        if values:
            panels.append((f"{name} ({g['main_subset']})", values))
    if panels:
        plots.mag_bars(out / "mag.png", panels, window)
        figures["mag"] = "mag.png"

    # Spectrograms of the first group's sample view: target, AudioGS, best baseline (by MAG there).
    for name, g in grouped.items():
        st = g["subsets"].get(g["main_subset"])
        audio = g["sample"]["audio"]
        if st is None or "audiogs" not in audio:
            continue
        best = agg.best_of(st["methods"], [b for b in BASELINES if b in audio], window, "MAG")
        view = g["sample"]["view"]
        target = (out / audio["audiogs"]).with_name(f"target__{view}.wav")
        signals = {f"target ({view})": read_wav(target)[0], "audiogs": read_wav(out / audio["audiogs"])[0]}
        if best is not None:
            signals[f"{best} (best baseline)"] = read_wav(out / audio[best])[0]
        plots.spectrograms(out / "spectrograms.png", signals, config.sample_rate,
                           f"{name}, fold {g['sample']['fold']}, view {view}")
        figures["spectrograms"] = "spectrograms.png"
        figures["spectrogram_view"] = {"group": name, "view": view, "best_baseline": best}
        break
    return figures


def write_tracking_figures(out: Path, grouped: dict, parts: dict[Unit, dict]) -> dict:
    """Per split C group, tracking.png-style curves of every path: target, AudioGS and the
    baseline with the lowest LEVEL error over the paths. Returns {group: file}."""
    from audiogs_core.bench import plots

    figures = {}
    for name, g in grouped.items():
        st = g["subsets"].get("path")
        if g["split"] != "C" or st is None:
            continue
        best = agg.best_of(st["methods"], [m for m in st["methods"] if m != "audiogs"], agg.TRACK, "LEVEL")
        mine = {u.method: p for u, p in parts.items() if u.group == name}
        rows: dict[str, dict[str, dict]] = {}
        for path, v in mine.get("audiogs", {}).get("views", {}).items():
            if "curves" not in v:
                continue
            row = {"target": v["target_curves"], "audiogs": v["curves"]}
            if best is not None and path in mine.get(best, {}).get("views", {}):
                row[f"{best} (best baseline by LEVEL)"] = mine[best]["views"][path]["curves"]
            rows[path] = row
        if rows:
            file = f"tracking_{g['room']}_{g['reference']}.png"
            plots.tracking(out / file, rows, f"Split C, {g['room']}, ref={g['reference']}: tracking along each path")
            figures[name] = file
    return figures


def write_listening(config: BenchConfig, out: Path, parts: dict[Unit, dict]) -> str | None:
    """``listen.html``: per group, the kept audio (the first fold's sample view; split C: every
    path) of the target and every method side by side, with the item's scores."""
    from audiogs_core.io.audio import read_wav
    from audiogs_core.listen_page import TARGET, ListenItem, write_listen_page

    items = []
    for unit, part in sorted(parts.items()):
        if unit.method != "audiogs":
            continue
        if unit.split == "C":
            names = list(part["views"])  # every path's audio is kept
        elif part.get("sample_audio") is not None:
            names = [part["sample_view"]]  # the first fold's sample view
        else:
            continue
        for name in names:
            audio: dict = {}
            metrics: dict = {}
            for method in ["target", *[u.method for u in parts if u.group == unit.group and u.fold == unit.fold]]:
                wav = sample_audio_path(out, Unit(unit.split, unit.room, unit.reference, unit.fold, method), name)
                if not wav.is_file():
                    continue
                audio[TARGET if method == "target" else method] = read_wav(wav)[0]
                scores = parts.get(Unit(unit.split, unit.room, unit.reference, unit.fold, method), {})
                view = scores.get("views", {}).get(name, {}).get("scores", {})
                flat = {m: v for m, v in view.get(config.windows[0], {}).items()}
                flat.update(view.get(agg.TRACK, {}))
                if flat:
                    metrics[method] = flat
            if len(audio) > 1:
                items.append(ListenItem(f"{unit.group} fold {unit.fold}: {name}", audio, config.sample_rate,
                                        metrics, note=f"scores: {config.windows[0]} windows" +
                                        (" and tracking along the path" if unit.split == "C" else "")))
    if not items:
        return None
    return write_listen_page(out, items, title=f"AudioGS benchmark ({config.name}): listen").name


# ------------------------------------------------------------- markdown


def _fmt(mean: float | None, std: float | None = None) -> str:
    if mean is None:
        return "–"
    text = f"{mean:.4g}"
    return f"{text} ± {std:.2g}" if std is not None else text


def _table(stats: dict, window: str, metrics: list[str], timing: dict | None) -> list[str]:
    head = ["method", *metrics] + (["train s", "render s/view"] if timing is not None else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m, scores in stats["methods"].items():
        row = [m if m != "audiogs" else "**audiogs**"]
        for metric in metrics:
            row.append(_fmt(scores.get(window, {}).get(metric), stats["std"].get(m, {}).get(window, {}).get(metric)))
        if timing is not None:
            t = timing.get(m, {})
            row += [_fmt(t.get("train_s")), _fmt(t.get("render_s"))]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _windows(settings: dict, split: str) -> list[tuple[str, list[str]]]:
    """(score key, metric names) of each table of a split: the window lengths, and for paths
    the tracking metrics."""
    out = [(w, list(settings["metrics"])) for w in settings["windows"]]
    if split == "C":
        out.append((agg.TRACK, list(PATH_METRICS)))
    return out


def _window_title(key: str) -> str:
    if key == agg.TRACK:
        return ("tracking along the path (0.5 s windows; LEVEL, ILD, TREND in dB, ITD in ms; "
                "windows within 30 dB of the target's loudest):")
    return f"{key} windows:"


def markdown(results: dict) -> str:
    s = results["protocol"]["settings"]
    env = results["environment"]
    metrics = list(s["metrics"])
    lines = [f"# AudioGS benchmark ({s['name']})", ""]
    lines += [f"* command: `{env['command'] or 'audiogs bench'}`", f"* date: {env['date']}",
              f"* machine: {env['platform']}, {env['cpu_count']} CPU cores, torch {env['torch']}, "
              f"{env['jobs']} job(s)" + (f" x {env['threads_per_job']} thread(s)" if env['threads_per_job'] else ""),
              f"* wall time: {results['run']['wall_s'] / 60:.1f} min ({results['run']['reused_units']} of "
              f"{results['run']['units']} units reused from an earlier run; "
              f"{results['run']['unit_seconds'] / 60:.1f} min of unit time)", ""]
    lines += ["## Settings", ""]
    p = results["protocol"]
    lines += [f"* rooms {', '.join(s['rooms'])}; splits {', '.join(s['splits'])}; {s['seconds']:g} s of audio per "
              f"capture at {s['sample_rate']} Hz; HRTF {s['hrtf']}; simulator seed {s['sim_seed']}, {s['n_rays']} rays",
              f"* training: {s['epochs']} epochs = {p['steps_per_training']} optimizer steps (AudioGS, ablations and "
              f"implicit field alike), seed {s['train_seed']}, device {s['device']}",
              f"* split A: {p['split_A']}", f"* {p['reference_view']}", f"* split B: {p['split_B']}",
              f"* split C: {p['split_C']}",
              f"* ablations: {p['ablations']}", f"* DPAM: {p['dpam']}", f"* ± is the {p['std']}",
              f"* trainer settings: {json.dumps(p['train_settings'])}",
              f"* AudioGS flags (ablations turn one each): {json.dumps(p['model_flags'])}",
              f"* implicit field: {json.dumps(s['field'])}", f"* {p['selection']}"]
    for cap, note in results["captures"].items():
        lines.append(f"* capture {cap}: dry signal {note.get('dry_signal')}, RT60 {note.get('rt60_estimate')} s "
                     f"(Sabine {note.get('rt60_sabine')} s)")
    lines.append("")

    if results["headline"]:
        lines += ["## Headline (mean over rooms)", ""]
        for key, h in results["headline"].items():
            lines += [f"### {key} ({', '.join(h['rooms'])})", ""]
            for w, names in _windows(s, h["split"]):
                lines += [_window_title(w), ""]
                lines += _table({"methods": h["methods"], "std": {}}, w, names, None)
                cmp = h["audiogs_vs_best"].get(w, {})
                if cmp:
                    lines += ["", f"AudioGS against the best of the {h['against']} (negative: AudioGS better): " +
                              "; ".join(f"{m} {100 * c['relative']:+.1f}% vs {c['best']}" for m, c in cmp.items()
                                        if c.get("relative") is not None)]
                itd = h.get("itde_vs_view_copying", {}).get(w, {}).get("ITDE")
                if itd and itd.get("relative") is not None:
                    lines += ["", f"ITDE against the best view-copying baseline: {100 * itd['relative']:+.1f}% "
                              f"vs {itd['best']} (ratio {itd['ratio']:.2f})"]
                lines.append("")

    for name, g in results["groups"].items():
        lines += [f"## Split {g['split']} · {g['room']} · ref={g['reference']}", ""]
        if g["reference"] == "view":
            refs = ", ".join(f"fold {f}: {v}" for f, v in sorted(g["reference_views"].items()))
            lines += [f"Reference views: {refs}", ""]
        for subset, st in g["subsets"].items():
            n_folds = len(g["folds"])
            lines += [f"### {SUBSET_TITLES.get(subset, subset)} ({n_folds} fold(s), ± over {st['std_over']})", ""]
            if subset == "turned" and st["std_over"] == "folds":
                lines += [TURNED_SPREAD, ""]
            for i, (w, names) in enumerate(_windows(s, g["split"])):
                lines += [_window_title(w), ""]
                lines += _table(st, w, names, g["timing"] if i == 0 else None)
                lines.append("")
        if "ablation" in g:
            lines += [f"### Ablations (folds {g['ablation']['folds']})", ""]
            inert = g["ablation"].get("same_flags_as_audiogs")
            if inert:
                lines += [f"Not run, since they would be full AudioGS trained again (their switch is already "
                          f"off in the preset, or they are the run's own preset): {', '.join(inert)}.", ""]
            for subset, st in g["ablation"]["subsets"].items():
                for w in s["windows"]:
                    lines += [f"{SUBSET_TITLES.get(subset, subset)}, {w} windows (± over {st['std_over']}):", ""]
                    lines += _table(st, w, metrics, g["timing"] if w == s["windows"][0] else None)
                    lines.append("")
    figs = results.get("figures", {})
    if figs:
        lines += ["## Figures", ""]
        if "mag" in figs:
            lines += [f"![MAG per method]({figs['mag']})", ""]
        if "spectrograms" in figs:
            sv = figs["spectrogram_view"]
            lines += [f"Spectrograms of {sv['group']}, view {sv['view']} (target, AudioGS, best baseline "
                      f"{sv['best_baseline']}):", "", f"![spectrograms]({figs['spectrograms']})", ""]
        for group, file in figs.get("tracking", {}).items():
            lines += [f"Tracking curves of {group} (target, AudioGS, best baseline):", "", f"![tracking]({file})", ""]
    return "\n".join(lines) + "\n"
