"""The benchmark protocol (docs/DESIGN.md §8): settings, folds, methods, view subsets.

Everything that decides *what* is run lives here, fixed before any result is
seen: the rooms, the audio length and epochs, which folds run which methods,
which windows DPAM scores. Nothing is ever selected on test views.

A unit of work is one method on one fold of one group, a group being a split
(A: ring, B: grid, C: paths through the ring capture), a room and a reference
setting (``close``: the capture's mono close mic; ``view``: one train view of
the fold, binaural with its pose).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, fields, replace
from dataclasses import field as dc_field  # the config has a setting named 'field'
from pathlib import Path
from typing import Any

import numpy as np

from audiogs_core.baselines.implicit_field import FieldSettings
from audiogs_core.baselines.registry import NON_LEARNED, baseline_names
from audiogs_core.metrics.registry import ALL_METRICS
from audiogs_core.sim.path_layouts import PATH_NAMES
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.train.presets import DEFAULT_PRESET, get_preset

SPLIT_LAYOUT = {"A": "ring", "B": "grid", "C": "ring"}  # C: the ring views train, paths are scored
ROOMS = ("shoebox", "lshape")
REFERENCES = ("close", "view")
BASELINES = baseline_names()
VIEW_COPYING = ("nearest_view", "mean_view")  # the baselines AudioGS must beat on direction
# Split C: a moving listener. The implicit field (a static pose per render) is left out there;
# the baselines that cannot move are heard as standing listeners crossfaded along the path.
PATH_BASELINES = ("input", "nearest_view", "idw_mix", "mean_view", "dsp")
C_REFERENCE_VIEW = 0  # ring index of the binaural reference in split C (ref = view)
# ModelFlags changes of each ablation (docs/DESIGN.md §4).
ABLATIONS: dict[str, dict] = {
    "no_attenuation": {"attenuation": False},
    "no_sh": {"sh_degree": 0},
    "no_phase": {"phase": False},
    "no_delay": {"delay": False},
    "mono_only": {"side": False},
    "global_alpha": {"per_gaussian_decay": False},
    # The tuned preset's tail for the close mic's missing room (the diffuse
    # ITD weighting and the split field, when switched on, rest on it and go with it).
    "no_reverb_tail": {"reverb_tail": False, "diffuse_itd": False, "split_field": False},
    # The split field's direct sound through the wall instead of round the corner.
    "no_occlusion": {"occlusion": False},
}
# Whole other training configurations, run where the ablations run: the
# method as published, next to the product's tuned default ("audiogs").
PRESET_METHODS: dict[str, str] = {"audiogs_published": "published", "audiogs_tuned": "tuned"}
# Of those, the ones that also follow split C's paths (the previous default, for comparison).
PATH_PRESET_METHODS = ("audiogs_tuned",)
METHODS = ("audiogs",) + BASELINES
TRAINED = ("audiogs", "implicit_field", *ABLATIONS, *PRESET_METHODS)
RING_SIZE = 8
# The subset each split is judged on; the others are reported apart.
MAIN_SUBSET = {"A": "heldout", "B": "test", "C": "path"}
AWAY_DEG = 90.0  # a head whose nose is more than this from the source direction faces away


# Source (relative to audiogs_core/) whose changes invalidate cached parts.
RESULT_CODE = ("model", "train", "renderer.py", "baselines", "metrics", "dsp", "conventions.py", "geometry.py",
               "bench/methods.py", "bench/fold.py", "bench/protocol.py", "bench/scoring.py")
SIM_CODE = ("sim",)  # ... and cached captures
# What a baseline that does not train reads: its parts outlive changes to the model, the trainer
# and their settings (tests/bench/test_bench_protocol.py checks that it imports nothing else of the package).
BASELINE_CODE = ("__init__.py", "baselines", "metrics", "dsp", "sim", "io", "conventions.py", "geometry.py",
                 "method.py", "errors.py", "train/data.py",  # the fold's inputs: train/data's TrainingData
                 "bench/fold.py", "bench/protocol.py", "bench/scoring.py", "bench/methods.py")
# Settings only the trained methods read.
TRAINING_FIELDS = ("epochs", "train_seed", "field", "train_overrides", "flag_overrides", "preset")


def code_hash(paths: tuple[str, ...]) -> str:
    """sha256 over the .py files under ``paths`` (relative to the package), in a fixed order."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for rel in paths:
        p = root / rel
        files = sorted(p.rglob("*.py")) if p.is_dir() else [p]
        for f in files:
            if f.is_file():
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


# BenchConfig fields that only choose which units run.
SELECTION_FIELDS = ("name", "rooms", "splits", "folds_a", "references", "methods", "ablations",
                    "ablation_folds", "ablation_references")


@dataclass(frozen=True)
class BenchConfig:
    """Every setting of one benchmark run; all of it is written into the report."""

    name: str = "full"
    rooms: tuple[str, ...] = ROOMS
    # Rooms of the user's own beyond the built-in ones: name -> OBJ mesh (development rooms, a
    # user's hall); ``rooms`` may name them.
    room_meshes: dict = dc_field(default_factory=dict)
    splits: tuple[str, ...] = ("A", "B", "C")
    seconds: float = 6.0  # simulated audio per capture
    sample_rate: int = 16000
    hrtf: str = "kemar"  # measured ears for the ground truth, independent of the model's spherical head
    sim_seed: int = 0
    n_rays: int = 10000
    epochs: int = 61  # AudioGS, its ablations and the implicit field alike
    train_seed: int = 0
    folds_a: tuple[int, ...] = tuple(range(RING_SIZE))  # held-out ring indices of split A
    references: tuple[str, ...] = REFERENCES  # split A reference settings (split B: close only)
    methods: tuple[str, ...] = METHODS
    ablations: tuple[str, ...] = (*ABLATIONS, *PRESET_METHODS)
    ablation_folds: tuple[int, ...] = (0, 4)  # split A folds (per room) that run the ablations
    ablation_references: tuple[str, ...] = ("close",)
    metrics: tuple[str, ...] = ALL_METRICS
    windows: tuple[str, ...] = ("3s", "1s")
    # The costly metrics (DPAM, DPAM_ears: about 4 s of CPU per second of audio
    # each) on a fixed subset: the main test views of these split A folds, the
    # first dpam_views_b split B test views (by name) and the split C paths
    # named in dpam_paths, on the first dpam_windows windows of each length.
    dpam_folds: tuple[int, ...] = (0, 4)
    dpam_views_b: int = 4
    dpam_paths: tuple[str, ...] = ("dolly_in", "walk_by", "round_corner")
    # Split C's listener paths (those the room has: round_corner needs a part out of sight).
    paths: tuple[str, ...] = PATH_NAMES
    dpam_windows: int = 1
    dpam_lengths: tuple[str, ...] = ("3s", "1s")
    max_test_views_b: int | None = None  # None: all; a smaller number only for tests
    field: FieldSettings = dc_field(default_factory=FieldSettings)
    # Changes to the trainer's and the model's defaults for this run (AudioGS, its
    # ablations, and for the schedule also the implicit field), e.g. {"lr_sh_dc": 0.05}.
    train_overrides: dict = dc_field(default_factory=dict)
    flag_overrides: dict = dc_field(default_factory=dict)
    device: str = "cpu"
    preset: str = DEFAULT_PRESET  # the training configuration "audiogs" and its ablations start from

    def __post_init__(self) -> None:
        for name, mesh in self.room_meshes.items():
            if name in ROOMS or not str(name).isidentifier():
                raise AudioGSError(f"bench room mesh name {name!r}: use a plain name other than {', '.join(ROOMS)}")
            if not Path(mesh).is_file():
                raise AudioGSError(f"bench room {name!r}: mesh file {mesh} not found")
        for r in self.rooms:
            if r not in ROOMS and r not in self.room_meshes:
                raise AudioGSError(f"bench room {r!r} unknown; known: {', '.join([*ROOMS, *self.room_meshes])}")
        for s in self.splits:
            if s not in SPLIT_LAYOUT:
                raise AudioGSError(f"bench split {s!r} unknown; known: {', '.join(SPLIT_LAYOUT)}")
        for name in self.paths:
            if name not in PATH_NAMES:
                raise AudioGSError(f"bench path {name!r} unknown; known: {', '.join(PATH_NAMES)}")
        for m in self.methods:
            if m not in METHODS:
                raise AudioGSError(f"bench method {m!r} unknown; known: {', '.join(METHODS)}")
        for a in self.ablations:
            if a not in ABLATIONS and a not in PRESET_METHODS:
                raise AudioGSError(f"bench ablation {a!r} unknown; known: {', '.join([*ABLATIONS, *PRESET_METHODS])}")
        for ref in (*self.references, *self.ablation_references):
            if ref not in REFERENCES:
                raise AudioGSError(f"bench reference {ref!r} unknown; known: close, view")
        for f in (*self.folds_a, *self.ablation_folds, *self.dpam_folds):
            if not 0 <= f < RING_SIZE:
                raise AudioGSError(f"split A fold {f} out of range 0..{RING_SIZE - 1}")
        missing = set(self.ablation_folds) - set(self.folds_a)
        if self.ablations and missing:
            # Ablations are compared with AudioGS on the same folds.
            raise AudioGSError(f"ablation folds {sorted(missing)} are not among the split A folds {list(self.folds_a)}")
        if self.ablations and "audiogs" not in self.methods:
            raise AudioGSError("ablations need the audiogs method to compare with")
        from audiogs_core.model.flags import ModelFlags
        from audiogs_core.train.settings import TrainSettings

        for name, cls, given in (("train_overrides", TrainSettings, self.train_overrides),
                                 ("flag_overrides", ModelFlags, self.flag_overrides)):
            unknown = set(given) - {f.name for f in fields(cls)}
            if unknown:
                raise AudioGSError(f"bench {name}: unknown {sorted(unknown)}; known: "
                                   f"{', '.join(f.name for f in fields(cls))}")
        self._check_flags()
        if {"epochs", "seed"} & set(self.train_overrides):
            raise AudioGSError("bench train_overrides: set epochs and train_seed as bench settings")
        if self.epochs < 1 or self.seconds <= 0:
            raise AudioGSError(f"bench needs epochs >= 1 and seconds > 0, got {self.epochs}, {self.seconds}")

    def _check_flags(self) -> None:
        """Flags that contradict each other fail here, not hours into a run."""
        from dataclasses import replace

        from audiogs_core.train.presets import get_preset

        try:
            full = replace(get_preset(self.preset).flags, **self.flag_overrides)
            for name in self.ablations:
                if name in ABLATIONS:
                    replace(full, **ABLATIONS[name])
                else:
                    replace(get_preset(PRESET_METHODS[name]).flags, **self.flag_overrides)
        except ValueError as e:
            raise AudioGSError(f"bench model flags: {e}") from None

    def to_dict(self) -> dict:
        d = asdict(self)
        return json.loads(json.dumps(d))  # tuples -> lists, plain JSON types

    @classmethod
    def from_dict(cls, d: dict) -> "BenchConfig":
        known = {f.name for f in fields(cls)}
        kw: dict[str, Any] = {}
        for k, v in d.items():
            if k not in known:
                continue
            if k == "field":
                kw[k] = FieldSettings(**v)
            elif isinstance(v, list):
                kw[k] = tuple(v)
            else:
                kw[k] = v
        return cls(**kw)

    def room_source(self, room: str) -> str:
        """What the simulator builds ``room`` from: a built-in room's name or the mesh file."""
        return str(self.room_meshes.get(room, room))

    def key(self, method: str = "audiogs") -> str:
        """Hash of everything that changes ``method``'s results: these settings, the trainer's and
        model's defaults and the source code that computes its scores. Part files carry it and
        are reused only on a match, so a changed model is never scored with stale parts. A
        baseline that does not train depends on neither the model nor the trainer: its parts
        are kept when only they change."""
        from audiogs_core.model.flags import ModelFlags
        from audiogs_core.train.settings import TrainSettings

        d = self.to_dict()
        # Which units run (rooms, splits, folds, methods) does not change any one
        # unit's result: leaving it out lets a later run with more folds or
        # methods reuse the parts of an earlier one.  The DPAM subset stays in,
        # since it decides what a unit computes.
        for selection in SELECTION_FIELDS:
            d.pop(selection, None)
        if method in NON_LEARNED:
            for training in TRAINING_FIELDS:
                d.pop(training, None)
            d["code"] = code_hash(BASELINE_CODE)
        else:
            d["train_defaults"] = TrainSettings().to_dict()
            d["flag_defaults"] = ModelFlags().to_dict()
            d["code"] = code_hash(RESULT_CODE)
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def steps_per_training(self) -> int:
        """Optimizer steps of one training: epochs x 3 s windows (the last one zero-padded)."""
        return self.epochs * max(1, math.ceil(self.seconds / 3.0 - 1e-9))


def full_config() -> BenchConfig:
    """The full benchmark, sized for about 2 hours on 2 CPU cores (2 jobs x 1 thread).

    Measured on the 2-core development machine while other work kept it busy
    (load about 4), one thread per training, at this size (6 s, 7 train views,
    61 epochs = 122 optimizer steps): one AudioGS training 38 s with the tuned
    preset (56 s with the published settings), the implicit field 96 to 100 s,
    DPAM about 10 s per view on one 3 s and one 1 s window, the other metrics
    about 1 s per view. With 34 AudioGS, 32 ablation/preset and 34
    implicit-field trainings, about 1,000 scored views and about 130 DPAM
    views, that is about 8,800 CPU seconds: about 75 minutes on 2 cores.
    6 s of audio is the shortest the protocol allows (6 to 30 s).
    """
    return BenchConfig()


def quick_config() -> BenchConfig:
    """``--quick``: one room (shoebox), splits A and C in both reference settings, two folds
    and two paths (dolly_in, pan_in_place), 6 s of audio, 3,000 rays, 6 epochs, the ablations
    on one fold, DPAM on one fold's 1 s window.

    Measured at 10 epochs with DPAM on both window lengths: 10.6 minutes on the
    2-core development machine while other work kept it busy (load about 4),
    most of it scoring (DPAM alone about 400 CPU seconds); these settings cut
    about a third of that.
    """
    return BenchConfig(
        name="quick", rooms=("shoebox",), splits=("A", "C"), seconds=6.0, epochs=6,
        folds_a=(0, 4), ablation_folds=(0,), dpam_folds=(0,), dpam_lengths=("1s",),
        paths=("dolly_in", "pan_in_place"), dpam_paths=("dolly_in",),
        # every knot of a path is a microphone of the ray tracer (0.5 s of CPU each per pass
        # at 10,000 rays): fewer rays keep the quick run's simulation to a few minutes
        n_rays=3000,
    )


def shrink(config: BenchConfig, **changes) -> BenchConfig:
    """A copy with some settings changed (tests, command-line overrides)."""
    return replace(config, **changes)


@dataclass(frozen=True, order=True)
class Unit:
    """One method on one fold of one group."""

    split: str
    room: str
    reference: str
    fold: int
    method: str

    @property
    def group(self) -> str:
        return f"{self.split}/{self.room}/{self.reference}"

    @property
    def slug(self) -> str:
        return f"{self.split}-{self.room}-{self.reference}/fold{self.fold}/{self.method}"

    def to_dict(self) -> dict:
        return asdict(self)


def groups(config: BenchConfig) -> list[tuple[str, str, str]]:
    """(split, room, reference) of every group, in report order."""
    out = []
    for split in config.splits:
        refs = config.references if split in ("A", "C") else ("close",)
        for room in config.rooms:
            for ref in refs:
                out.append((split, room, ref))
    return out


def folds_of(config: BenchConfig, split: str) -> tuple[int, ...]:
    return config.folds_a if split == "A" else (0,)


def inert_ablations(config: BenchConfig) -> tuple[str, ...]:
    """The run's ablations that would be full AudioGS trained again: the run's own preset as a
    preset method, or a switch that has no effect in the preset (``tuned`` has SH degree 0, no
    attenuation, so no per-Gaussian decay, no delay and no split field to occlude).  They are
    not run; the report names them."""
    full = replace(get_preset(config.preset).flags, **config.flag_overrides).effective()
    return tuple(a for a in config.ablations if PRESET_METHODS.get(a) == config.preset
                 or (a in ABLATIONS and replace(full, **ABLATIONS[a]).effective() == full))


def run_ablations(config: BenchConfig) -> tuple[str, ...]:
    """The run's ablations that can differ from full AudioGS."""
    inert = inert_ablations(config)
    return tuple(a for a in config.ablations if a not in inert)


def methods_of(config: BenchConfig, split: str) -> tuple[str, ...]:
    """The run's methods that take part in ``split`` (split C: those that can follow a path)."""
    if split == "C":
        return (*(m for m in config.methods if m == "audiogs" or m in PATH_BASELINES),
                *(a for a in run_ablations(config) if a in PATH_PRESET_METHODS))
    return config.methods


def plan_units(config: BenchConfig) -> list[Unit]:
    """Every unit of the run: all methods on all folds, ablations on their folds (split A)."""
    units = []
    for split, room, ref in groups(config):
        for fold in folds_of(config, split):
            for m in methods_of(config, split):
                units.append(Unit(split, room, ref, fold, m))
            if split == "A" and ref in config.ablation_references and fold in config.ablation_folds:
                for a in run_ablations(config):
                    units.append(Unit(split, room, ref, fold, a))
    return units


def captures_needed(config: BenchConfig) -> list[tuple[str, str]]:
    """(room, layout) of every capture the run simulates (splits A and C share the ring's)."""
    out: list[tuple[str, str]] = []
    for split in config.splits:
        for room in config.rooms:
            if (room, SPLIT_LAYOUT[split]) not in out:
                out.append((room, SPLIT_LAYOUT[split]))
    return out


# ---------------------------------------------------------------- folds


@dataclass
class TestView:
    name: str
    subsets: list[str]
    dpam: bool  # scored with the costly metrics (on the fixed window subset)
    path: bool = False  # a listener path of the capture (split C), not a view


@dataclass
class FoldPlan:
    """Which views train and which are scored in one fold (names into the capture)."""

    train: list[str]
    test: list[TestView]
    reference_view: str | None  # None: the close mic
    sample_view: str  # the view whose predictions are kept as audio (first fold of a group)


def facing_away(position, rotation, source) -> bool:
    """True when the head's nose (head -Z) points more than AWAY_DEG from the source, horizontally."""
    fwd = quat_to_matrix(np.asarray(rotation, dtype=np.float64))[:, 2] * -1.0
    to_src = np.asarray(source, dtype=np.float64) - np.asarray(position, dtype=np.float64)
    fwd, to_src = fwd[:2], to_src[:2]
    n = np.linalg.norm(fwd) * np.linalg.norm(to_src)
    if n < 1e-9:
        return False
    angle = math.degrees(math.acos(float(np.clip(np.dot(fwd, to_src) / n, -1.0, 1.0))))
    return angle > AWAY_DEG


def _tags(view_raw: dict) -> list[str]:
    tags = view_raw.get("tags", [])
    return [str(t) for t in tags] if isinstance(tags, list) else []


def ring_order(capture) -> list[str]:
    """Names of the split A ring views in ring order (tag ``ring``, sorted by their number)."""
    raw = {v["name"]: v for v in capture.raw.get("views", [])}
    ring = [v.name for v in capture.views if "ring" in _tags(raw.get(v.name, {}))]
    if len(ring) != RING_SIZE:
        raise AudioGSError(f"capture {capture.folder} has {len(ring)} views tagged 'ring', "
                           f"split A needs {RING_SIZE} (simulate it with --layout ring)")
    return sorted(ring, key=lambda n: int("".join(c for c in n if c.isdigit()) or 0))


def fold_plan(config: BenchConfig, unit: Unit, capture) -> FoldPlan:
    """The train views, scored views and reference of ``unit``'s fold."""
    raw = {v["name"]: v for v in capture.raw.get("views", [])}
    if unit.split == "C":
        ring = ring_order(capture)
        names = [p["name"] for p in capture.raw.get("paths", []) if isinstance(p, dict) and "name" in p]
        if not names:
            raise AudioGSError(f"capture {capture.folder} has no listener paths; split C needs them "
                               "(the bench simulates its ring captures with paths)")
        test = [TestView(n, ["path", n], n in config.dpam_paths, path=True) for n in names]
        ref_view = ring[C_REFERENCE_VIEW] if unit.reference == "view" else None
        return FoldPlan(list(ring), test, ref_view, names[0])
    if unit.split == "A":
        ring = ring_order(capture)
        held = ring[unit.fold]
        train = [n for n in ring if n != held]
        # The reference view rotates with the folds: the ring neighbour before the held-out one.
        ref_view = ring[(unit.fold - 1) % RING_SIZE] if unit.reference == "view" else None
        test = [TestView(held, ["heldout"], unit.fold in config.dpam_folds)]
        for v in capture.views:
            if v.name not in ring and "turned" in _tags(raw.get(v.name, {})):
                test.append(TestView(v.name, ["turned"], False))
        return FoldPlan(train, test, ref_view, held)

    train = [v.name for v in capture.views if v.split == "train"]
    source = capture.sources[0].position if capture.sources else None
    names = sorted(v.name for v in capture.views if v.split == "test")
    if config.max_test_views_b is not None:
        names = names[: config.max_test_views_b]
    test, n_dpam = [], 0
    for name in names:
        v = capture.view(name)
        tags = _tags(raw.get(name, {}))
        subsets = ["turned"] if "turned" in tags else ["test"]
        if "occluded" in tags:
            subsets.append("occluded")
        if "turned" not in tags and source is not None and facing_away(v.pose.position, v.pose.rotation, source):
            subsets.append("away")
        dpam = "test" in subsets and n_dpam < config.dpam_views_b
        n_dpam += int(dpam)
        test.append(TestView(name, subsets, dpam))
    if not train or not test:
        raise AudioGSError(f"capture {capture.folder} has {len(train)} train and {len(test)} test views; "
                           "split B needs both")
    return FoldPlan(train, test, None, test[0].name)
