"""What every non-learned baseline gets to see (docs/DESIGN.md §8).

Arrays only: building a :class:`BaselineInputs` from a capture folder is the
caller's job, so the baselines stay independent of the capture reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audiogs_core.conventions import HEAD_RADIUS
from audiogs_core.errors import AudioGSError

if TYPE_CHECKING:
    from audiogs_core.train.data import TrainingData


@dataclass
class BaselineInputs:
    """Reference, train views and known sources of one capture.

    Shapes: ``reference`` [C, T] (C = 1 close mic, C = 2 binaural view),
    ``reference_position`` [3] or None, ``train_positions`` [V, 3],
    ``train_rotations`` [V, 4] (wxyz, head -> world), ``train_audio``
    [V, 2, T], ``sources`` [S, 3] (S may be 0). All audio shares one T.
    Arrays are converted to float32 (audio) / float64 (geometry) on creation.
    """

    sample_rate: int
    reference: np.ndarray
    reference_position: np.ndarray | None
    train_positions: np.ndarray
    train_rotations: np.ndarray
    train_audio: np.ndarray
    sources: np.ndarray
    head_radius: float = HEAD_RADIUS

    def __post_init__(self) -> None:
        if int(self.sample_rate) <= 0:
            raise AudioGSError(f"sample_rate must be positive, got {self.sample_rate}")
        self.sample_rate = int(self.sample_rate)
        if not float(self.head_radius) > 0:
            raise AudioGSError(f"head_radius must be positive, got {self.head_radius}")
        self.head_radius = float(self.head_radius)

        self.reference = np.asarray(self.reference, dtype=np.float32)
        if self.reference.ndim == 1:  # a bare mono signal [T]
            self.reference = self.reference[None, :]
        if self.reference.ndim != 2 or self.reference.shape[0] not in (1, 2):
            raise AudioGSError(
                f"reference must have shape [1 or 2, T], got {self.reference.shape}"
            )
        n_samples = self.reference.shape[1]

        if self.reference_position is not None:
            self.reference_position = _vector3("reference_position", self.reference_position)

        self.train_positions = np.asarray(self.train_positions, dtype=np.float64)
        self.train_rotations = np.asarray(self.train_rotations, dtype=np.float64)
        self.train_audio = np.asarray(self.train_audio, dtype=np.float32)
        if self.train_positions.ndim != 2 or self.train_positions.shape[1] != 3:
            raise AudioGSError(
                f"train_positions must have shape [V, 3], got {self.train_positions.shape}"
            )
        n_views = self.train_positions.shape[0]
        if self.train_rotations.shape != (n_views, 4):
            raise AudioGSError(
                f"train_rotations must have shape [{n_views}, 4], got {self.train_rotations.shape}"
            )
        if self.train_audio.shape != (n_views, 2, n_samples):
            raise AudioGSError(
                f"train_audio must have shape [{n_views}, 2, {n_samples}] "
                f"(views, ears, reference length), got {self.train_audio.shape}"
            )

        self.sources = np.asarray(self.sources, dtype=np.float64)
        if self.sources.size == 0:  # "no known source" in any shape, e.g. []
            self.sources = self.sources.reshape(0, 3)
        if self.sources.ndim != 2 or self.sources.shape[1] != 3:
            raise AudioGSError(f"sources must have shape [S, 3], got {np.shape(self.sources)}")

        for name in ("reference", "train_positions", "train_rotations", "train_audio", "sources"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise AudioGSError(f"{name} contains non-finite values")

    @classmethod
    def from_training(cls, data: TrainingData) -> BaselineInputs:
        """What the trainer sees, for the baselines: same reference, train views and sources."""
        return cls(
            sample_rate=data.sample_rate,
            reference=data.reference,
            reference_position=data.reference_position,
            train_positions=data.view_positions,
            train_rotations=data.view_rotations,
            train_audio=data.view_audio,
            sources=np.zeros((0, 3)) if data.source_positions is None else data.source_positions,
            head_radius=data.head_radius,
        )

    @property
    def n_samples(self) -> int:
        """T, the length of every signal."""
        return int(self.reference.shape[1])

    @property
    def n_views(self) -> int:
        """V, the number of train views."""
        return int(self.train_positions.shape[0])

    def mono_reference(self) -> np.ndarray:
        """The reference as one signal [T]: the mean of its channels."""
        return self.reference.mean(axis=0)

    def require_views(self, method: str) -> None:
        """Raise unless there is at least one train view (``method`` names the caller)."""
        if self.n_views == 0:
            raise AudioGSError(f"baseline {method} needs at least one train view, got none")


def _vector3(name: str, value: object) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise AudioGSError(f"{name} must be 3 finite numbers, got {value!r}")
    return array


def check_pose(position: object, rotation: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate a target pose: position [3] and a wxyz quaternion [4] (normalised here)."""
    pos = _vector3("position", position)
    rot = np.asarray(rotation, dtype=np.float64)
    if rot.shape != (4,) or not np.all(np.isfinite(rot)):
        raise AudioGSError(f"rotation must be 4 finite numbers [w, x, y, z], got {rotation!r}")
    norm = float(np.linalg.norm(rot))
    if norm < 1e-8:
        raise AudioGSError(f"rotation must be a non-zero quaternion, got {rotation!r}")
    return pos, rot / norm
