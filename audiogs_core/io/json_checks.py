"""Checks shared by the JSON schema modules (capture, listener path, model).

``JsonChecker`` validates the values of one JSON file so that every error
names the file and the key; ``read_json`` reads one with the same promise.
Pure numpy.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from audiogs_core.errors import AudioGSError

QUAT_TOLERANCE = 1e-3  # | |q| - 1 | up to this is normalised, beyond it refused


class JsonChecker:
    """Validates values of one JSON file; every error names the file and key."""

    def __init__(self, file: str | os.PathLike) -> None:
        self.file = Path(file)

    def error(self, key: str, problem: str) -> AudioGSError:
        """The error for ``key`` of this file (to raise)."""
        return AudioGSError(f"{self.file}: key '{key}' {problem}")

    def get(self, obj: dict, key: str, where: str, required: bool = True, default: Any = None) -> Any:
        """``obj[key]``; a missing required key is an error naming ``where.key``."""
        full = f"{where}.{key}" if where else key
        if key not in obj:
            if required:
                raise AudioGSError(f"{self.file}: missing required key '{full}'")
            return default
        return obj[key]

    def object(self, value: Any, key: str) -> dict:
        """``value`` if it is a JSON object."""
        if not isinstance(value, dict):
            raise self.error(key, f"must be an object, got {type_name(value)}")
        return value

    def list(self, value: Any, key: str) -> list:
        """``value`` if it is a JSON list."""
        if not isinstance(value, list):
            raise self.error(key, f"must be a list, got {type_name(value)}")
        return value

    def string(self, value: Any, key: str) -> str:
        """``value`` if it is a non-empty string."""
        if not isinstance(value, str) or not value:
            raise self.error(key, f"must be a non-empty string, got {short_repr(value)}")
        return value

    def number(self, value: Any, key: str) -> float:
        """``value`` as a float if it is a finite number (booleans refused)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(key, f"must be a number, got {short_repr(value)}")
        if not math.isfinite(value):
            raise self.error(key, f"must be finite, got {value}")
        return float(value)

    def positive(self, value: Any, key: str) -> float:
        """``value`` if it is a finite number above 0."""
        v = self.number(value, key)
        if v <= 0:
            raise self.error(key, f"must be positive, got {short_repr(value)}")
        return v

    def integer(self, value: Any, key: str) -> int:
        """``value`` if it is an integer (2.0 counts, 2.5 does not)."""
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be an integer, got {short_repr(value)}")
        return value

    def vector(self, value: Any, key: str, n: int) -> np.ndarray:
        """``value`` as [n] float64 if it is a list of n finite numbers."""
        if not isinstance(value, list) or len(value) != n:
            raise self.error(key, f"must be a list of {n} numbers, got {short_repr(value)}")
        return np.array([self.number(x, f"{key}[{i}]") for i, x in enumerate(value)],
                        dtype=np.float64)

    def quaternion(self, value: Any, key: str) -> np.ndarray:
        """``value`` as a unit [4] wxyz (near-unit ones normalised)."""
        q = self.vector(value, key, 4)
        return normalize_quaternion(q, lambda problem: self.error(key, problem))

    def header(self, obj: dict, fmt: str, version: int) -> int:
        """Check ``format`` and ``version``; a newer version is refused clearly."""
        got_fmt = self.get(obj, "format", "")
        if got_fmt != fmt:
            raise self.error("format", f"must be {fmt!r}, got {short_repr(got_fmt)}")
        got_version = self.integer(self.get(obj, "version", ""), "version")
        if got_version < 1:
            raise self.error("version", f"must be at least 1, got {got_version}")
        if got_version > version:
            raise self.error(
                "version",
                f"is {got_version}, newer than this audiogs supports ({version}); "
                "update audiogs to read it",
            )
        return got_version


def normalize_quaternion(q: np.ndarray, fail: Callable[[str], Exception]) -> np.ndarray:
    """Return ``q`` [4] (wxyz) normalised; refuse one far from unit length.

    ``fail(problem)`` builds the exception to raise. Near-unit quaternions
    (rounded numbers in hand-written JSON) are silently normalised.
    """
    norm = float(np.linalg.norm(q))
    if abs(norm - 1.0) > QUAT_TOLERANCE:
        raise fail(
            f"must be a unit quaternion [w, x, y, z], got length {norm:.6g} "
            f"(allowed 1 +- {QUAT_TOLERANCE:g})"
        )
    return np.asarray(q, dtype=np.float64) / norm


def read_json(path: Path) -> Any:
    """The JSON value in file ``path``; unreadable or invalid JSON is an AudioGSError naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AudioGSError(f"{path}: invalid JSON: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AudioGSError(f"cannot read {path}: {exc}") from exc


def type_name(value: Any) -> str:
    """How a JSON value's type reads in a message: 'an object', 'a list', ..."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value),
                                                                          type(value).__name__)


def short_repr(value: Any) -> str:
    """A value as JSON (or repr), cut to 60 characters for messages."""
    text = json.dumps(value) if _jsonable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
