"""Training inputs: the reference, the train views and their windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from audiogs_core.conventions import StftSettings, stft_settings
from audiogs_core.dsp.stft import history_spec, stft
from audiogs_core.errors import AudioGSError
from audiogs_core.io.capture import Capture, CaptureAudio
from audiogs_core.io.obj_mesh import read_obj


@dataclass
class TrainingData:
    """Everything the trainer reads; built from a capture or by the benchmark.

    Audio is as recorded (the trainer applies the 150 Hz high-pass itself).
    """

    sample_rate: int
    reference: np.ndarray  # [C, T] float32, C = 1 or 2
    reference_position: np.ndarray | None  # [3], None: unknown
    reference_rotation: np.ndarray | None  # [4] wxyz, None: unknown / mono mic
    head_radius: float
    view_names: list[str]
    view_positions: np.ndarray  # [V, 3]
    view_rotations: np.ndarray  # [V, 4] wxyz head -> world
    view_audio: np.ndarray  # [V, 2, T] float32
    source_positions: np.ndarray | None = None  # [S, 3] when the capture names sources
    room_polygons: list[np.ndarray] | None = None  # the room's faces [n, 3] when the capture has a mesh

    @property
    def num_samples(self) -> int:
        return int(self.reference.shape[1])

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate

    @property
    def stft(self) -> StftSettings:
        return stft_settings(self.sample_rate)

    def reference_position_or_default(self) -> np.ndarray:
        """The reference position for r_ref: the mean train-view position when unknown."""
        if self.reference_position is not None:
            return np.asarray(self.reference_position, dtype=np.float64)
        return self.view_positions.mean(axis=0)


def knows_source(data: TrainingData) -> bool:
    """Whether the capture says where the talker is: a source position, or a close mic's (a mono
    reference with a position stands next to the talker)."""
    if data.source_positions is not None and len(data.source_positions):
        return True
    return data.reference_position is not None and data.reference.shape[0] == 1


def init_centre(data: TrainingData, where: str) -> np.ndarray:
    """[3] centre of the Gaussians' initial positions (see TrainSettings.init_centre)."""
    if where == "auto":  # the best-known guess of where the sound comes from
        if data.source_positions is not None and len(data.source_positions):
            where = "source"
        elif knows_source(data):
            where = "reference"  # a mono reference is a close mic, next to the source
        else:
            where = "views"
    if where == "views":
        return data.view_positions.mean(axis=0)
    if where == "reference":
        if data.reference_position is None:
            raise AudioGSError("init_centre 'reference' needs a reference position in the capture")
        return np.asarray(data.reference_position, dtype=np.float64)
    if where == "source":
        if data.source_positions is None or len(data.source_positions) == 0:
            raise AudioGSError("init_centre 'source' needs a source position in the capture")
        return np.asarray(data.source_positions[0], dtype=np.float64)
    raise AudioGSError(f"unknown init_centre {where!r} (auto, views, reference or source)")


def training_data_from_capture(capture: Capture, audio: CaptureAudio) -> TrainingData:
    """The train views of ``capture`` with their aligned ``audio`` as TrainingData."""
    views = capture.train_views()
    if not views:
        raise AudioGSError(f"capture {capture.folder} has no view with split 'train'")
    ref_pose = capture.reference.pose
    return TrainingData(
        sample_rate=audio.sample_rate,
        reference=audio.reference,
        reference_position=None if ref_pose is None else np.asarray(ref_pose.position, dtype=np.float64),
        reference_rotation=None if ref_pose is None or ref_pose.rotation is None else np.asarray(ref_pose.rotation),
        head_radius=capture.head_radius,
        view_names=[v.name for v in views],
        view_positions=np.stack([v.pose.position for v in views]).astype(np.float64),
        view_rotations=np.stack([v.pose.rotation for v in views]).astype(np.float64),
        view_audio=np.stack([audio.views[v.name] for v in views]).astype(np.float32),
        source_positions=np.array([s.position for s in capture.sources], dtype=np.float64).reshape(-1, 3),
        room_polygons=room_polygons(capture),
    )


def room_polygons(capture: Capture) -> list[np.ndarray] | None:
    """The faces of the capture's room mesh, or None when it has none."""
    if capture.room_mesh is None:
        return None
    return read_obj(capture.room_mesh).polygons()


@dataclass
class Window:
    """One training window: samples [start, start + length) of the timeline."""

    start: int
    ref_spec: torch.Tensor  # [C, F, N] complex
    target: torch.Tensor  # [V, 2, L] high-passed, zero-padded
    history: torch.Tensor | None = None  # [C, F, P] STFT frames just before the window


def make_windows(reference: np.ndarray, views: np.ndarray, window_len: int, settings: StftSettings,
                 history_frames: int = 0) -> list[Window]:
    """Non-overlapping windows from t = 0; the last one zero-padded.

    reference [C, T], views [V, 2, T] (both already high-passed);
    history_frames: reference STFT frames kept from before each window.
    """
    total = reference.shape[1]
    windows = []
    for start in range(0, total, window_len):
        stop = min(start + window_len, total)
        ref = np.zeros((reference.shape[0], window_len), dtype=np.float32)
        ref[:, : stop - start] = reference[:, start:stop]
        tgt = np.zeros((views.shape[0], 2, window_len), dtype=np.float32)
        tgt[:, :, : stop - start] = views[:, :, start:stop]
        history = history_spec(reference, start, history_frames, settings) if history_frames else None
        windows.append(Window(start, stft(torch.from_numpy(ref), settings), torch.from_numpy(tgt), history))
    return windows


def initial_gain_db(reference: np.ndarray, views: np.ndarray, settings: StftSettings) -> np.ndarray:
    """[F] dB ratio of the mean train-view magnitude to the reference magnitude per bin."""
    ref_mag = stft(torch.from_numpy(reference), settings).abs().mean(dim=(0, 2))
    view_mag = stft(torch.from_numpy(views), settings).abs().mean(dim=(0, 1, 3))
    return level_ratio_db(view_mag, ref_mag).numpy()


def level_ratio_db(view_mag: torch.Tensor, ref_mag: torch.Tensor) -> torch.Tensor:
    """[F] dB ratio of mean magnitudes [F], kept within +-60 dB (silent bins)."""
    return (20.0 * torch.log10((view_mag + 1e-8) / (ref_mag + 1e-8))).clamp(-60.0, 60.0)


def cell_energy_db(reference: np.ndarray, settings: StftSettings, n_cells: int, duration: float) -> np.ndarray:
    """[K, F] reference magnitude in dB averaged over the frames nearest each cell."""
    spec = stft(torch.from_numpy(reference), settings).abs().mean(0)  # [F, N]
    db = 20.0 * torch.log10(spec + 1e-8)  # [F, N]
    n = db.shape[1]
    times = torch.arange(n, dtype=torch.float64) * settings.hop / settings.sample_rate
    spacing = duration / (n_cells - 1)
    cell = torch.round(times / spacing).long().clamp(0, n_cells - 1)
    sums = torch.zeros(n_cells, db.shape[0], dtype=torch.float64).index_add_(0, cell, db.T.double())
    counts = torch.zeros(n_cells, dtype=torch.float64).index_add_(0, cell, torch.ones(n, dtype=torch.float64))
    out = sums / counts.clamp_min(1)[:, None]
    empty = counts == 0
    if empty.any():  # cells between frames (very short recordings): nearest frame
        cell_times = torch.arange(n_cells, dtype=torch.float64) * spacing
        nearest = torch.round(cell_times / (settings.hop / settings.sample_rate)).long().clamp(0, n - 1)
        out[empty] = db.T.double()[nearest[empty]]
    return out.float().numpy()
