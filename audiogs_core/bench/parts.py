"""Part files: one unit's scores, ``OUT/parts/<unit slug>.json``, with the settings key,
and the audio a unit keeps, ``OUT/audio/<group>/<method>__<view or path>.wav``.

The runner writes them and the report reads them; both take their names here.
"""

from __future__ import annotations

import json
from pathlib import Path

from audiogs_core.bench.protocol import Unit

PART_FORMAT = "audiogs.bench.part"


def part_path(out_dir: str | Path, unit: Unit) -> Path:
    """Where the part of ``unit`` lies under the benchmark's output folder."""
    return Path(out_dir) / "parts" / f"{unit.slug}.json"


def read_part(out_dir: str | Path, unit: Unit, key: str) -> dict | None:
    """The unit's part when it exists and was made with settings ``key``, else None."""
    path = part_path(out_dir, unit)
    try:
        part = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if part.get("format") != PART_FORMAT or part.get("key") != key:
        return None
    return part


def sample_audio_path(out_dir: str | Path, unit: Unit, view: str) -> Path:
    """Where a unit keeps its prediction of ``view`` (a view or path name) for listening and plots."""
    return Path(out_dir) / "audio" / f"{unit.split}-{unit.room}-{unit.reference}" / f"{unit.method}__{view}.wav"
