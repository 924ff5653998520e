"""Shared fixtures: a small free-field capture built once per session."""

from __future__ import annotations

import pytest

from _freefield import make_freefield_capture


@pytest.fixture(scope="session")
def freefield_capture(tmp_path_factory):
    """3 s, 16 kHz, 5 train views + 1 test view ("view5") around one source."""
    return make_freefield_capture(tmp_path_factory.mktemp("freefield") / "capture")
