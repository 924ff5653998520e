"""The listening page: ``OUT_DIR/listen.html`` to hear and see what was scored.

For each scored item (a view or a listener path) the page puts an audio
player per method (the recorded target first, then AudioGS and the
baselines) side by side, with each method's left/right spectrogram and the
item's metrics table. Audio and images are written next to the page
(``listen/<item>/<method>.wav|png``) and linked relatively, so the folder
can be moved or served as it is. ``audiogs eval --html``, ``audiogs bench``
and the demo write it.

matplotlib draws the spectrograms; without it the page is written without
images (and says so).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from audiogs_core.io.atomic import atomic_path, atomic_write_text

PAGE = "listen.html"
ASSETS = "listen"
TARGET = "target"  # the key of the recorded (or simulated) ground truth in ListenItem.audio


@dataclass
class ListenItem:
    """One scored view or path.

    ``audio``: method name -> [2, T] float audio (``TARGET`` for the ground
    truth; the insertion order is the order on the page, target first).
    ``metrics``: method name -> {metric name: value}, lower is better.
    """

    title: str
    audio: Mapping[str, np.ndarray]
    sample_rate: int
    metrics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    note: str = ""


def slug(text: str) -> str:
    """A file-system-safe name that keeps letters of any script: "ring 0/ü" -> "ring_0_ü"."""
    s = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._")
    return s or "item"


def _write_audio(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """16-bit PCM (what every browser plays), clipped to full scale, atomically."""
    import soundfile as sf

    a = np.clip(np.nan_to_num(np.asarray(audio, dtype=np.float32)), -1.0, 1.0)
    if a.ndim == 1:
        a = a[None, :]
    with atomic_path(path) as tmp:
        sf.write(str(tmp), np.ascontiguousarray(a.T), int(sample_rate), subtype="PCM_16",
                 format="WAV")


def log_spectrogram(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """Per-ear magnitude in dB, [2, F, N] (Hann 1024-sample window at 48 kHz, scaled
    with the rate; hop a quarter), and the hop in seconds."""
    a = np.asarray(audio, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    n_fft = int(2 ** round(np.log2(max(64, 1024 * sample_rate / 48000))))
    hop = n_fft // 4
    if a.shape[1] < n_fft:
        a = np.pad(a, ((0, 0), (0, n_fft - a.shape[1])))
    frames = np.lib.stride_tricks.sliding_window_view(a, n_fft, axis=1)[:, ::hop]  # [C, N, n_fft]
    spec = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=-1))
    return 20 * np.log10(spec.transpose(0, 2, 1) + 1e-7), hop / sample_rate


def _draw_spectrogram(path: Path, spec_db: np.ndarray, hop_s: float, sample_rate: int,
                      top_db: float, label: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.6, 2.6), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 1, sharex=True)
    extent = (0.0, spec_db.shape[2] * hop_s, 0.0, sample_rate / 2000)
    for ax, ear, s in zip(axes, ("left", "right"), spec_db):
        ax.imshow(s, origin="lower", aspect="auto", extent=extent, cmap="magma",
                  vmin=top_db - 80, vmax=top_db)
        ax.set_ylabel(f"{ear}\nkHz", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[0].set_title(label, fontsize=8)
    axes[1].set_xlabel("s", fontsize=7)
    with atomic_path(path) as tmp:
        fig.savefig(str(tmp), format="png")


def _metrics_table(metrics: Mapping[str, Mapping[str, float]]) -> str:
    names: list[str] = []
    for scores in metrics.values():
        names += [m for m in scores if m not in names]
    if not names:
        return ""
    best = {m: min((float(s[m]) for s in metrics.values() if m in s), default=None) for m in names}
    head = "".join(f"<th>{html.escape(m)}</th>" for m in names)
    rows = []
    for method, scores in metrics.items():
        cells = []
        for m in names:
            if m not in scores:
                cells.append("<td>-</td>")
                continue
            v = float(scores[m])
            text = f"{v:.4g}"
            cells.append(f"<td><b>{text}</b></td>" if v == best[m] else f"<td>{text}</td>")
        rows.append(f"<tr><th>{html.escape(method)}</th>{''.join(cells)}</tr>")
    return (f'<table class="metrics"><tr><th>method</th>{head}</tr>{"".join(rows)}</table>'
            '<p class="note">lower is better; the best of each column in bold</p>')


def write_listen_page(out_dir: str | os.PathLike, items: Sequence[ListenItem],
                      title: str = "AudioGS: listen") -> Path:
    """Write ``out_dir/listen.html`` and its audio and spectrograms; return the page's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        import matplotlib  # noqa: F401 - only to know whether images can be drawn
        images = True
    except ImportError:
        images = False
    used: set[str] = set()
    sections = []
    for item in items:
        name = slug(item.title)
        while name in used:
            name += "_"
        used.add(name)
        folder = out / ASSETS / name
        folder.mkdir(parents=True, exist_ok=True)
        specs = {m: log_spectrogram(a, item.sample_rate) for m, a in item.audio.items()} if images else {}
        top = max((float(s.max()) for s, _ in specs.values()), default=0.0)
        cards = []
        for method, audio in item.audio.items():
            base = slug(method)
            _write_audio(folder / f"{base}.wav", audio, item.sample_rate)
            rel = f"{ASSETS}/{name}/{base}"
            img = ""
            if images:
                spec, hop_s = specs[method]
                _draw_spectrogram(folder / f"{base}.png", spec, hop_s, item.sample_rate, top, method)
                img = f'<img src="{html.escape(rel)}.png" alt="spectrogram of {html.escape(method)}">'
            kind = "target" if method == TARGET else "method"
            cards.append(f'<figure class="{kind}"><figcaption>{html.escape(method)}</figcaption>'
                         f'<audio controls preload="metadata" src="{html.escape(rel)}.wav"></audio>'
                         f"{img}</figure>")
        note = f'<p class="note">{html.escape(item.note)}</p>' if item.note else ""
        sections.append(f'<section id="{html.escape(name)}"><h2>{html.escape(item.title)}</h2>{note}'
                        f'<div class="row">{"".join(cards)}</div>{_metrics_table(item.metrics)}</section>')
    missing = "" if images else '<p class="note">matplotlib is not installed: no spectrograms.</p>'
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; background: #fafafa; color: #222; }}
.row {{ display: flex; flex-wrap: wrap; gap: 12px; }}
figure {{ margin: 0; padding: 8px; background: #fff; border: 1px solid #ccc; border-radius: 6px; }}
figure.target {{ border-color: #2a7; }}
figcaption {{ font-weight: bold; margin-bottom: 4px; }}
audio {{ display: block; width: 360px; }}
img {{ display: block; width: 360px; margin-top: 6px; }}
table.metrics {{ border-collapse: collapse; margin-top: 10px; }}
table.metrics td, table.metrics th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}
.note {{ color: #666; font-size: 90%; }}
</style></head>
<body><h1>{html.escape(title)}</h1>
<p class="note">Each row: the recorded target, then what each method renders at the same pose;
spectrograms share one colour scale per row (80 dB range).</p>{missing}
{"".join(sections)}
</body></html>
"""
    path = out / PAGE
    atomic_write_text(path, page)
    return path
