"""The inputs of one fold: what methods may see (train side) and what they are scored on.

The capture's own ``split`` fields are ignored: the fold plan says which views
train. With ``reference = view`` the reference is one of the fold's train
views (binaural, with its pose), and it stays a train target.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiogs_core.baselines.inputs import BaselineInputs
from audiogs_core.bench.protocol import BenchConfig, FoldPlan, TestView, Unit, fold_plan
from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import Capture, load_capture, load_capture_audio
from audiogs_core.io.listener_path import ListenerPath, load_path
from audiogs_core.train.data import TrainingData, room_polygons


@dataclass
class Target:
    """A scored view (its pose) or listener path, its recording [2, T] and the subsets it counts in."""

    name: str
    position: np.ndarray  # [3] (a path: its first frame)
    rotation: np.ndarray  # [4] wxyz head -> world
    audio: np.ndarray  # [2, T] (a path: over its span, first to last frame time)
    view: TestView
    path: ListenerPath | None = None


@dataclass
class FoldInputs:
    unit: Unit
    capture: Capture
    plan: FoldPlan
    training: TrainingData  # for AudioGS and its ablations
    baseline: BaselineInputs  # for the baselines and the implicit field
    targets: list[Target]

    @property
    def sample_rate(self) -> int:
        return self.training.sample_rate

    @property
    def seconds(self) -> float:
        return self.training.duration


def load_fold(config: BenchConfig, unit: Unit, capture_folder: str | Path) -> FoldInputs:
    """Read the capture and split it as ``unit``'s fold says."""
    capture = load_capture(capture_folder)
    audio = load_capture_audio(capture)
    plan = fold_plan(config, unit, capture)
    train = [capture.view(n) for n in plan.train]
    if plan.reference_view is None:
        reference = audio.reference
        ref_pose = capture.reference.pose
        ref_position = None if ref_pose is None else np.asarray(ref_pose.position, dtype=np.float64)
        ref_rotation = None if ref_pose is None or ref_pose.rotation is None else np.asarray(ref_pose.rotation)
    else:
        ref = capture.view(plan.reference_view)
        reference = audio.views[ref.name]
        ref_position = np.asarray(ref.pose.position, dtype=np.float64)
        ref_rotation = np.asarray(ref.pose.rotation, dtype=np.float64)
    positions = np.stack([v.pose.position for v in train]).astype(np.float64)
    rotations = np.stack([v.pose.rotation for v in train]).astype(np.float64)
    view_audio = np.stack([audio.views[v.name] for v in train]).astype(np.float32)
    sources = np.array([s.position for s in capture.sources], dtype=np.float64).reshape(-1, 3)
    training = TrainingData(
        sample_rate=audio.sample_rate, reference=reference.astype(np.float32),
        reference_position=ref_position, reference_rotation=ref_rotation,
        head_radius=capture.head_radius, view_names=[v.name for v in train],
        view_positions=positions, view_rotations=rotations, view_audio=view_audio,
        source_positions=sources, room_polygons=room_polygons(capture),
    )
    baseline = BaselineInputs.from_training(training)
    targets = []
    for tv in plan.test:
        if tv.path:
            truth = capture.path_truth(tv.name)
            path = load_path(truth.path)
            wav, sr = read_wav(truth.audio)
            if sr != audio.sample_rate or wav.shape[0] != 2:
                raise AudioGSError(f"{truth.audio}: the ground truth of path {tv.name} must be binaural at "
                                   f"{audio.sample_rate} Hz, got {wav.shape[0]} channel(s) at {sr} Hz")
            targets.append(Target(tv.name, path.positions[0], path.rotations[0], wav, tv, path))
            continue
        v = capture.view(tv.name)
        targets.append(Target(tv.name, np.asarray(v.pose.position, dtype=np.float64),
                              np.asarray(v.pose.rotation, dtype=np.float64), audio.views[tv.name], tv))
    return FoldInputs(unit, capture, plan, training, baseline, targets)
