"""The listening page (audiogs_core/listen_page.py): files, links, metrics, and
what headless Chromium shows of it."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from audiogs_core.io.audio import read_wav
from audiogs_core.listen_page import ListenItem, slug, write_listen_page

SR = 16000
METHODS = ("target", "audiogs", "input", "nearest_view")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _items() -> list[ListenItem]:
    rng = np.random.default_rng(0)
    t = np.arange(2 * SR) / SR
    target = 0.3 * np.stack([np.sin(2 * np.pi * 440 * t), 0.6 * np.sin(2 * np.pi * 660 * t)])
    audio = {"target": target, "audiogs": 0.9 * target, "input": np.repeat(target[:1], 2, 0),
             "nearest_view": target + 0.02 * rng.standard_normal(target.shape)}
    metrics = {"audiogs": {"MAG": 0.12, "LRE": 1.5}, "input": {"MAG": 0.4, "LRE": 0.9},
               "nearest_view": {"MAG": 0.3}}
    return [ListenItem("view ring0", audio, SR, metrics),
            ListenItem("path orbit / Süd", {k: v[:, :SR] for k, v in audio.items()}, SR, metrics,
                       note="a listener path")]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    return write_listen_page(tmp_path_factory.mktemp("listen") / "out", _items())


def test_every_player_and_image_links_a_file_next_to_the_page(page):
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    audios = [a["src"] for t, a in parser.tags if t == "audio"]
    images = [a["src"] for t, a in parser.tags if t == "img"]
    assert len(audios) == len(images) == 2 * len(METHODS)
    for src in audios + images:
        assert not Path(src).is_absolute() and (page.parent / src).is_file(), src
    first = [s for s in audios if "ring0" in s]
    assert [Path(s).stem for s in first] == list(METHODS), "target first, then the methods in order"
    audio, rate = read_wav(page.parent / first[0])
    assert rate == SR and audio.shape == (2, 2 * SR)
    assert np.allclose(audio, _items()[0].audio["target"], atol=1e-4)
    assert "listen/path_orbit_Süd/" in " ".join(audios), audios


def test_metrics_table_marks_the_best(page):
    text = page.read_text(encoding="utf-8")
    assert text.count('<table class="metrics">') == 2
    assert "<td><b>0.12</b></td>" in text and "<td><b>0.9</b></td>" in text
    assert re.search(r"<th>nearest_view</th><td>0.3</td><td>-</td>", text)
    assert "a listener path" in text


def test_slug_keeps_letters_of_any_script():
    assert slug("ring 0/ü東") == "ring_0_ü東" and slug("..") == "item"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    pytest.skip("no chromium: scripts/bootstrap.sh installs the Debian package where apt-get "
                "runs as root; elsewhere install chromium to run this check")


def test_chromium_shows_the_players_and_spectrograms(page, tmp_path):
    import matplotlib.image as mpimg

    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         "--window-size=1600,1400", f"--screenshot={shot}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    rgb = mpimg.imread(shot)[..., :3].astype(np.float64)
    # spectrograms (magma): saturated warm and deep purple pixels, in four or more images
    warm = (rgb[..., 0] - rgb[..., 2] > 0.3) & (rgb[..., 0] > 0.6)
    purple = (rgb[..., 2] - rgb[..., 1] > 0.15) & (rgb[..., 0] > 0.15) & (rgb.max(-1) < 0.6)
    assert warm.sum() > 2000 and purple.sum() > 5000, (warm.sum(), purple.sum())
    cols = np.flatnonzero(purple.sum(axis=0) > 20)
    blocks = 1 + int(np.sum(np.diff(cols) > 10)) if cols.size else 0
    assert blocks >= 4, f"spectrograms side by side: {blocks} image columns"
    # players: Chromium draws <audio controls> as light grey (#f1f3f4) rounded bars
    bar = np.all(np.abs(rgb - np.array([241, 243, 244]) / 255) < 0.012, axis=-1)
    rows_with_bars = np.flatnonzero(bar.sum(axis=1) > 1000)
    assert rows_with_bars.size >= 20, f"no row of audio players ({bar.sum()} player pixels)"
