"""PNG figures of the report, drawn with matplotlib's Agg canvas (no pyplot, no display)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiogs_core.io.atomic import atomic_path


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(str(tmp), format="png")


def spectrograms(path: str | Path, signals: dict[str, np.ndarray], sample_rate: int, title: str) -> None:
    """Left and right ear log-magnitude spectrograms of each labelled [2, T] signal, one row each."""
    import torch

    from audiogs_core.conventions import stft_settings
    from audiogs_core.dsp.stft import stft

    cfg = stft_settings(sample_rate)
    specs = {k: 20 * np.log10(stft(torch.from_numpy(np.asarray(v, dtype=np.float32)), cfg).abs().numpy() + 1e-6)
             for k, v in signals.items()}
    top = max(float(s.max()) for s in specs.values())
    fig = _figure(10, 2.4 * len(specs))
    duration = next(iter(signals.values())).shape[1] / sample_rate
    image = None
    for row, (label, spec) in enumerate(specs.items()):
        for ear in range(2):
            ax = fig.add_subplot(len(specs), 2, 2 * row + ear + 1)
            image = ax.imshow(spec[ear], origin="lower", aspect="auto", cmap="magma", vmin=top - 80, vmax=top,
                              extent=(0.0, duration, 0.0, sample_rate / 2000.0))
            ax.set_title(f"{label} - {'left' if ear == 0 else 'right'} ear", fontsize=9)
            ax.set_ylabel("kHz", fontsize=8)
            ax.tick_params(labelsize=7)
            if row == len(specs) - 1:
                ax.set_xlabel("s", fontsize=8)
    if image is not None:
        fig.colorbar(image, ax=fig.axes, shrink=0.8, label="dB")
    fig.suptitle(title, fontsize=10)
    _save(fig, path)


def mag_bars(path: str | Path, panels: list[tuple[str, dict[str, tuple[float, float | None]]]], window: str) -> None:
    """One bar panel per group: MAG (mean, std) per method; AudioGS in its own colour."""
    n = max(1, len(panels))
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig = _figure(5 * cols, 3.4 * rows)
    for i, (title, values) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        names = list(values)
        means = [values[k][0] for k in names]
        errs = [values[k][1] or 0.0 for k in names]
        colours = ["tab:red" if k == "audiogs" else "tab:blue" if k in ("input", "nearest_view", "mean_view", "dsp",
                                                                         "implicit_field") else "tab:gray"
                   for k in names]
        ax.bar(range(len(names)), means, yerr=errs, color=colours, capsize=2)
        positive = [v for v in means if v > 0]
        if positive and max(positive) > 5 * min(positive):
            ax.set_yscale("log")  # the input baseline would flatten everything else
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(f"MAG ({window} windows)", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    _save(fig, path)


TRACK_PANELS = (("level_left", "level, left ear (dB)"), ("level_right", "level, right ear (dB)"),
                ("ild", "ILD (dB)"), ("itd", "ITD (ms)"))


def tracking(path: str | Path, rows: dict[str, dict[str, dict]], title: str) -> None:
    """Tracking curves along listener paths: one row per path, one column per curve
    (``TRACK_PANELS``); ``rows`` maps a path name to {label: curves dict of
    ``metrics.tracking.TrackCurves.to_dict``}; the first label is drawn as the target."""
    fig = _figure(14, 2.3 * max(1, len(rows)))
    fig.suptitle(title)
    axes = fig.subplots(max(1, len(rows)), len(TRACK_PANELS), squeeze=False)
    for r, (name, curves) in enumerate(rows.items()):
        for c, (key, label) in enumerate(TRACK_PANELS):
            ax = axes[r][c]
            for i, (who, cv) in enumerate(curves.items()):
                y = np.array([np.nan if v is None else v for v in cv[key]], dtype=float)
                ax.plot(cv["times"], y, color="black" if i == 0 else None, linewidth=2.0 if i == 0 else 1.2,
                        marker="." if key == "itd" else None, label=who)
            ax.set_title(f"{name}: {label}", fontsize=9)
            ax.tick_params(labelsize=8)
            if r == len(rows) - 1:
                ax.set_xlabel("time on the path (s)", fontsize=8)
    axes[0][0].legend(fontsize=7)
    _save(fig, path)
