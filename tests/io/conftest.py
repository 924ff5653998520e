"""Fixtures of the I/O tests: small capture folders built in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _io_helpers import SR, capture_dict, noise

from audiogs_core.io.audio import write_wav


@pytest.fixture
def make_capture(tmp_path):
    """Write a capture folder: ``make_capture(edit=fn, seconds=1.0)`` -> folder.

    ``edit(d)`` may change the dict before it is written (bypassing validation).
    """

    def make(edit=None, seconds: float = 1.0, n_views: int = 2, folder: Path | None = None):
        folder = folder or tmp_path / "cap"
        (folder / "audio").mkdir(parents=True, exist_ok=True)
        d = capture_dict(n_views)
        write_wav(folder / "audio/reference.wav", noise(1, seconds, seed=1), SR)
        for i in range(n_views):
            write_wav(folder / f"audio/cam{i + 1}.wav", noise(2, seconds, seed=2 + i), SR)
        if edit is not None:
            edit(d)
        (folder / "capture.json").write_text(json.dumps(d))
        return folder

    return make
