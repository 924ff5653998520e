"""Capture folders (DESIGN.md §3): ``capture.json`` plus the files it names.

The schema module of ``audiogs.capture``: the only code that reads or writes
capture.json. ``load_capture`` validates the JSON and every rule of §3 and
raises one AudioGSError naming the key and the file; ``capture_dict`` builds
a capture from plain values and ``write_capture`` validates and writes one;
``load_capture_audio`` reads and aligns the recordings on the shared
timeline. None needs torch or scipy (scipy only when resampling is asked for).
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Sequence

import numpy as np

from audiogs_core.conventions import HEAD_RADIUS
from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_write_json, json_default
from audiogs_core.io.audio import read_wav
from audiogs_core.io.audio import resample as resample_audio
from audiogs_core.io.json_checks import JsonChecker, read_json, short_repr, type_name

CAPTURE_FORMAT = "audiogs.capture"
CAPTURE_VERSION = 1
CAPTURE_FILE = "capture.json"
SPLITS = ("train", "test")
MAX_LENGTH_MISMATCH_S = 0.1  # after offsets, end times may differ by this much


# ----------------------------------------------------------------------------
# data classes


@dataclass
class Pose:
    """A position [3] (float64, metres) and an optional unit quaternion [4] wxyz
    rotating head-frame vectors into the world (None: no orientation known)."""

    position: np.ndarray
    rotation: np.ndarray | None = None


@dataclass
class HeadPose:
    """A listener's full pose: position [3] and unit quaternion [4] wxyz (head -> world)."""

    position: np.ndarray
    rotation: np.ndarray


@dataclass
class Source:
    """A known source: its name and position [3] (float64, metres)."""

    name: str
    position: np.ndarray  # [3] float64


@dataclass
class Reference:
    """The recording every view is rendered from, with its pose when known."""

    audio: Path  # absolute (folder / relative path)
    pose: Pose | None = None


@dataclass
class View:
    """A binaural recording with the listener's pose, its split and offset."""

    name: str
    audio: Path  # absolute (folder / relative path)
    offset: float  # seconds on the shared timeline where the file starts
    pose: HeadPose
    split: str  # one of SPLITS


@dataclass
class PathTruth:
    """A listener path with its ground truth (``paths`` in capture.json, written by the simulator):
    the path file and the binaural recording over its span (first to last frame time)."""

    name: str
    path: Path  # absolute: a path.json
    audio: Path  # absolute: [2, n] WAV


@dataclass
class Capture:
    """A validated capture.json: paths absolute, poses as numpy, ``raw`` the JSON as read."""

    folder: Path
    sample_rate: int
    head_radius: float
    room_mesh: Path | None
    sources: list[Source]
    reference: Reference
    views: list[View]
    raw: dict = field(default_factory=dict)  # the JSON as read, unknown keys kept
    paths: list[PathTruth] = field(default_factory=list)

    def train_views(self) -> list[View]:
        """The views with split ``train``, in file order."""
        return [v for v in self.views if v.split == "train"]

    def test_views(self) -> list[View]:
        """The views with split ``test``, in file order."""
        return [v for v in self.views if v.split == "test"]

    def path_truth(self, name: str) -> PathTruth:
        for p in self.paths:
            if p.name == name:
                return p
        raise AudioGSError(f"capture {self.folder} has no listener path named {name!r} "
                           f"(paths: {', '.join(p.name for p in self.paths) or 'none'})")

    def view(self, name: str) -> View:
        """The view called ``name``; an unknown name is an error listing the views."""
        for v in self.views:
            if v.name == name:
                return v
        names = ", ".join(v.name for v in self.views)
        raise AudioGSError(f"capture {self.folder} has no view named {name!r} (views: {names})")


@dataclass
class CaptureAudio:
    """Recordings aligned on the shared timeline, all of the same length T."""

    sample_rate: int
    reference: np.ndarray  # [C, T] float32, C = 1 (close mic) or 2 (binaural)
    views: dict[str, np.ndarray]  # name -> [2, T] float32 (0 = left, 1 = right)

    @property
    def num_samples(self) -> int:
        return int(self.reference.shape[1])

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate


# ----------------------------------------------------------------------------
# parsing


def _resolve_path(chk: JsonChecker, folder: Path, value: Any, key: str) -> Path:
    """A path relative to the capture folder that stays inside it."""
    rel = chk.string(value, key)
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).is_absolute() \
            or PureWindowsPath(rel).drive:
        raise chk.error(key, f"must be a path relative to the capture folder, got absolute {rel!r}")
    joined = folder / rel
    root = folder.resolve()
    # resolve() follows symlinks, so a link inside the folder pointing outside
    # is caught as well as '../x.wav'.
    target = joined.resolve()
    if target != root and root not in target.parents:
        raise chk.error(key, f"path {rel!r} escapes the capture folder {folder}")
    return joined


def _parse_pose(chk: JsonChecker, value: Any, key: str) -> Pose:
    """A pose whose rotation may be absent (the reference's)."""
    obj = chk.object(value, key)
    position = chk.vector(chk.get(obj, "position", key), f"{key}.position", 3)
    rot_value = chk.get(obj, "rotation", key, required=False)
    rotation = None if rot_value is None else chk.quaternion(rot_value, f"{key}.rotation")
    return Pose(position=position, rotation=rotation)


def _parse_head_pose(chk: JsonChecker, value: Any, key: str) -> HeadPose:
    """A view's pose: the rotation is required."""
    obj = chk.object(value, key)
    position = chk.vector(chk.get(obj, "position", key), f"{key}.position", 3)
    rot_value = chk.get(obj, "rotation", key)
    if rot_value is None:
        raise chk.error(f"{key}.rotation", "is required (a view's head orientation)")
    return HeadPose(position=position, rotation=chk.quaternion(rot_value, f"{key}.rotation"))


def parse_capture(obj: Any, json_file: str | os.PathLike, folder: str | os.PathLike) -> Capture:
    """Validate a capture dict (as read from ``json_file``) against DESIGN.md §3."""
    chk = JsonChecker(json_file)
    folder = Path(folder).absolute()
    if not isinstance(obj, dict):
        raise AudioGSError(f"{chk.file}: must hold a JSON object, got {type_name(obj)}")
    chk.header(obj, CAPTURE_FORMAT, CAPTURE_VERSION)

    sample_rate = chk.integer(chk.get(obj, "sample_rate", ""), "sample_rate")
    if sample_rate <= 0:
        raise chk.error("sample_rate", f"must be positive, got {sample_rate}")
    head_radius = chk.positive(chk.get(obj, "head_radius", "", required=False,
                                       default=HEAD_RADIUS), "head_radius")

    room_mesh = None
    room = chk.get(obj, "room", "", required=False)
    if room is not None:
        room = chk.object(room, "room")
        room_mesh = _resolve_path(chk, folder, chk.get(room, "mesh", "room"), "room.mesh")

    sources: list[Source] = []
    src_list = chk.get(obj, "sources", "", required=False, default=[])
    for i, s in enumerate(chk.list(src_list, "sources")):
        key = f"sources[{i}]"
        s = chk.object(s, key)
        sources.append(Source(
            name=chk.string(chk.get(s, "name", key), f"{key}.name"),
            position=chk.vector(chk.get(s, "position", key), f"{key}.position", 3),
        ))

    ref_obj = chk.object(chk.get(obj, "reference", ""), "reference")
    ref_pose_value = chk.get(ref_obj, "pose", "reference", required=False)
    reference = Reference(
        audio=_resolve_path(chk, folder, chk.get(ref_obj, "audio", "reference"), "reference.audio"),
        pose=None if ref_pose_value is None
        else _parse_pose(chk, ref_pose_value, "reference.pose"),
    )

    view_list = chk.list(chk.get(obj, "views", ""), "views")
    if not view_list:
        raise chk.error("views", "must hold at least one view")
    views: list[View] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(view_list):
        key = f"views[{i}]"
        v = chk.object(v, key)
        name = chk.string(chk.get(v, "name", key), f"{key}.name")
        if name in seen:
            raise chk.error(f"{key}.name", f"duplicates the name {name!r} of views[{seen[name]}]")
        seen[name] = i
        split = chk.get(v, "split", key, required=False, default="train")
        if split not in SPLITS:
            raise chk.error(f"{key}.split", f"must be {' or '.join(map(repr, SPLITS))}, got {short_repr(split)}")
        views.append(View(
            name=name,
            audio=_resolve_path(chk, folder, chk.get(v, "audio", key), f"{key}.audio"),
            offset=chk.number(chk.get(v, "offset", key, required=False, default=0.0),
                              f"{key}.offset"),
            pose=_parse_head_pose(chk, chk.get(v, "pose", key), f"{key}.pose"),
            split=split,
        ))

    paths: list[PathTruth] = []
    for i, pt in enumerate(chk.list(chk.get(obj, "paths", "", required=False, default=[]), "paths")):
        key = f"paths[{i}]"
        pt = chk.object(pt, key)
        name = chk.string(chk.get(pt, "name", key), f"{key}.name")
        if any(p.name == name for p in paths):
            raise chk.error(f"{key}.name", f"duplicates the path name {name!r}")
        paths.append(PathTruth(name, _resolve_path(chk, folder, chk.get(pt, "path", key), f"{key}.path"),
                               _resolve_path(chk, folder, chk.get(pt, "audio", key), f"{key}.audio")))

    return Capture(folder=folder, sample_rate=sample_rate, head_radius=head_radius,
                   room_mesh=room_mesh, sources=sources, reference=reference, views=views,
                   raw=copy.deepcopy(obj), paths=paths)


def capture_json_path(folder_or_json_path: str | os.PathLike) -> Path:
    """``capture.json`` inside a folder, or the given JSON file itself."""
    p = Path(folder_or_json_path)
    return p / CAPTURE_FILE if p.is_dir() else p


def load_capture(folder_or_json_path: str | os.PathLike) -> Capture:
    """Read and validate a capture (a folder holding capture.json, or the JSON file)."""
    json_path = capture_json_path(folder_or_json_path)
    if not json_path.is_file():
        where = Path(folder_or_json_path)
        if where.is_dir():
            raise AudioGSError(f"no {CAPTURE_FILE} in capture folder {where}")
        raise AudioGSError(f"capture not found: {where}")
    return parse_capture(read_json(json_path), json_path, json_path.parent)


def view_dict(name: str, audio: str, position: Sequence[float], rotation: Sequence[float],
              split: str = "train", offset: float = 0.0) -> dict:
    """One entry of a capture's ``views``: ``audio`` relative to the capture folder,
    ``position`` [3] metres, ``rotation`` [4] wxyz head -> world."""
    return {"name": name, "audio": audio, "offset": float(offset),
            "pose": {"position": _floats(position), "rotation": _floats(rotation)}, "split": split}


def capture_dict(sample_rate: int, reference_audio: str, views: Sequence[dict], *,
                 reference_position: Sequence[float] | None = None,
                 reference_rotation: Sequence[float] | None = None,
                 sources: Sequence[tuple[str, Sequence[float]]] = (),
                 room_mesh: str | None = None, head_radius: float | None = None) -> dict:
    """A capture.json dict of format ``audiogs.capture`` version 1, not yet validated.

    ``views`` are ``view_dict`` entries; paths are relative to the capture
    folder; the reference pose holds a rotation only with a position;
    ``sources`` are (name, position [3]) pairs. ``write_capture`` validates it.
    """
    reference: dict[str, Any] = {"audio": reference_audio}
    if reference_position is not None:
        reference["pose"] = {"position": _floats(reference_position)}
        if reference_rotation is not None:
            reference["pose"]["rotation"] = _floats(reference_rotation)
    out: dict[str, Any] = {"format": CAPTURE_FORMAT, "version": CAPTURE_VERSION,
                           "sample_rate": int(sample_rate)}
    if head_radius is not None:
        out["head_radius"] = float(head_radius)
    if room_mesh is not None:
        out["room"] = {"mesh": room_mesh}
    out["sources"] = [{"name": name, "position": _floats(pos)} for name, pos in sources]
    out["reference"] = reference
    out["views"] = [dict(v) for v in views]
    return out


def _floats(values: Sequence[float] | np.ndarray) -> list[float]:
    return [float(x) for x in np.asarray(values, dtype=np.float64).ravel()]


def write_capture(folder: str | os.PathLike, capture_dict: dict) -> Capture:
    """Validate ``capture_dict`` and write it as ``folder/capture.json`` (atomically).

    The dict is validated before anything is written (paths relative to
    ``folder``), so an invalid capture never reaches disk. Returns the Capture.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / CAPTURE_FILE
    # Round-trip through JSON text so that what is validated is what is stored
    # (tuples and numpy arrays become lists).
    try:
        obj = json.loads(json.dumps(capture_dict, allow_nan=True, default=json_default))
    except (TypeError, ValueError) as exc:
        raise AudioGSError(f"capture for {json_path} is not JSON-serialisable: {exc}") from exc
    capture = parse_capture(obj, json_path, folder)
    atomic_write_json(json_path, obj)
    return capture


def _rel(capture: Capture, path: Path) -> str:
    try:
        return Path(path).relative_to(capture.folder).as_posix()
    except ValueError:
        return Path(os.path.relpath(Path(path).absolute(), capture.folder)).as_posix()


def _pose_dict(pose: Pose | HeadPose, base: dict | None = None) -> dict:
    out = dict(base or {})
    out["position"] = [float(x) for x in pose.position]
    if pose.rotation is not None:
        out["rotation"] = [float(x) for x in pose.rotation]
    else:
        out.pop("rotation", None)
    return out


def capture_to_dict(capture: Capture) -> dict:
    """The capture as a JSON-ready dict with paths relative to its folder.

    Unknown keys of the JSON it was read from (``capture.raw``) are kept.
    """
    out = copy.deepcopy(capture.raw) if isinstance(capture.raw, dict) else {}
    out["format"] = CAPTURE_FORMAT
    out["version"] = CAPTURE_VERSION
    out["sample_rate"] = int(capture.sample_rate)
    out["head_radius"] = float(capture.head_radius)
    if capture.room_mesh is not None:
        room = dict(out.get("room") or {})
        room["mesh"] = _rel(capture, capture.room_mesh)
        out["room"] = room
    else:
        out.pop("room", None)
    out["sources"] = [{"name": s.name, "position": [float(x) for x in s.position]}
                      for s in capture.sources]
    ref = dict(out.get("reference") or {})
    ref["audio"] = _rel(capture, capture.reference.audio)
    if capture.reference.pose is not None:
        ref["pose"] = _pose_dict(capture.reference.pose, ref.get("pose"))
    else:
        ref.pop("pose", None)
    out["reference"] = ref
    raw_views = {v.get("name"): v for v in (out.get("views") or []) if isinstance(v, dict)}
    views = []
    for v in capture.views:
        d = dict(raw_views.get(v.name) or {})
        d.update(name=v.name, audio=_rel(capture, v.audio), offset=float(v.offset),
                 pose=_pose_dict(v.pose, d.get("pose")), split=v.split)
        views.append(d)
    out["views"] = views
    if capture.paths:
        raw_paths = {p.get("name"): p for p in (out.get("paths") or []) if isinstance(p, dict)}
        out["paths"] = [{**raw_paths.get(p.name, {}), "name": p.name, "path": _rel(capture, p.path),
                         "audio": _rel(capture, p.audio)} for p in capture.paths]
    else:
        out.pop("paths", None)
    return out


# ----------------------------------------------------------------------------
# audio


def _read_at_rate(path: Path, sample_rate: int, resample: bool) -> np.ndarray:
    audio, rate = read_wav(path)
    if rate != sample_rate:
        if not resample:
            raise AudioGSError(
                f"{path} has sample rate {rate} Hz but the capture's sample_rate is "
                f"{sample_rate} Hz (ask for resampling, e.g. --resample, or fix the file)"
            )
        audio = resample_audio(audio, rate, sample_rate)
    return audio


def _shift(audio: np.ndarray, shift: int) -> np.ndarray:
    """Place ``audio`` [C, T] on the timeline: drop the head (shift < 0) or pad zeros."""
    if shift < 0:
        return audio[:, -shift:]
    if shift > 0:
        pad = np.zeros((audio.shape[0], shift), dtype=audio.dtype)
        return np.concatenate([pad, audio], axis=1)
    return audio


def load_capture_audio(capture: Capture, resample: bool = False) -> CaptureAudio:
    """Read every recording of ``capture`` and align them on the shared timeline.

    The timeline starts at the reference's first sample; sample i of a view
    sits at ``offset + i / sample_rate`` (offsets rounded to whole samples).
    After the offsets, end times may differ by at most 0.1 s; everything is
    cut to the shortest. Files at another rate are an error unless
    ``resample`` (then they are resampled to ``capture.sample_rate``).
    """
    sr = int(capture.sample_rate)
    ref = _read_at_rate(capture.reference.audio, sr, resample)
    if ref.shape[0] not in (1, 2):
        raise AudioGSError(
            f"reference {capture.reference.audio} has {ref.shape[0]} channels; "
            "it must be mono (close mic) or binaural (2 channels)"
        )
    aligned: dict[str, np.ndarray] = {}
    files: dict[str, Path] = {"\0reference": capture.reference.audio}
    for v in capture.views:
        audio = _read_at_rate(v.audio, sr, resample)
        if audio.shape[0] != 2:
            raise AudioGSError(
                f"view {v.name!r}: {v.audio} has {audio.shape[0]} channel(s); "
                "binaural required (2 channels: left, right)"
            )
        shifted = _shift(audio, int(round(v.offset * sr)))
        if shifted.shape[1] == 0:
            raise AudioGSError(
                f"view {v.name!r}: {v.audio} ends before the timeline starts "
                f"(offset {v.offset} s, length {audio.shape[1] / sr:.3f} s)"
            )
        aligned[v.name] = shifted
        files[v.name] = v.audio

    lengths = {"\0reference": ref.shape[1], **{k: a.shape[1] for k, a in aligned.items()}}
    shortest = min(lengths, key=lambda k: lengths[k])
    longest = max(lengths, key=lambda k: lengths[k])
    spread = (lengths[longest] - lengths[shortest]) / sr
    # One sample of slack for the rounding of offsets.
    if spread > MAX_LENGTH_MISMATCH_S + 1.0 / sr:
        raise AudioGSError(
            f"recordings differ in length by {spread:.3f} s after offsets (at most "
            f"{MAX_LENGTH_MISMATCH_S} s allowed): shortest {files[shortest]} ends at "
            f"{lengths[shortest] / sr:.3f} s, longest {files[longest]} ends at "
            f"{lengths[longest] / sr:.3f} s"
        )
    n = lengths[shortest]
    return CaptureAudio(
        sample_rate=sr,
        reference=np.ascontiguousarray(ref[:, :n], dtype=np.float32),
        views={k: np.ascontiguousarray(a[:, :n], dtype=np.float32) for k, a in aligned.items()},
    )
