"""Ground-truth captures from pyroomacoustics (docs/DESIGN.md §8).

Each ear is a microphone (``add_microphone(pos, directivity=...)``) with an
HRIR directivity turned by the head's yaw. All left ears are simulated in one
pass and all right ears in a second pass with the same ``pra.random`` seed.
Both ears of a head sit at the head centre and the HRIRs carry the whole
interaural difference (see ``hrtf``): microphones 0.18 m apart would get
different ray histograms and arrival times, pyroomacoustics would then draw a
different number of random numbers for each ear, and every head after the
first would get two independent reverberant tails. At one point, the random
streams of the two passes stay in step, and each arrival of the tail reaches
both ears through the HRIR pair of its direction. Image sources of order 3 +
ray tracing (full-order image sources with HRIRs exhaust memory), scattering
0.5, air absorption, ray-tracing time >= 1.5 x RT60. The reference is an omni
close mic 0.3 m from the source along +x.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from audiogs_core.conventions import HEAD_RADIUS
from audiogs_core.errors import AudioGSError
from audiogs_core.io.listener_path import ListenerPath, write_path
from audiogs_core.sim import dry as dry_mod
from audiogs_core.sim import hrtf as hrtf_mod
from audiogs_core.sim import layouts as layout_mod
from audiogs_core.sim import paths as path_mod
from audiogs_core.sim import rooms as room_mod

REFERENCE_OFFSET = np.array([0.3, 0.0, 0.0])  # close mic, from the source
RT_FACTOR = 1.5  # ray-tracing time threshold / RT60
MIN_RT_TIME = 0.3  # s
N_RAYS = 10000
TAIL_MARGIN_S = 0.05  # tail sequences run this far past the ray-tracing time (measured: 0.02 s at most)
REFERENCE_PEAK = 0.5  # all outputs share one gain that brings the reference to this peak


def _directivity(bank: hrtf_mod.HrirBank, side: str):
    """A pyroomacoustics MeasuredDirectivity for one ear, facing yaw 0 (+x)."""
    from pyroomacoustics.directivities import MeasuredDirectivity, Rotation3D
    from pyroomacoustics.doa import GridSphere

    grid = GridSphere(cartesian_points=np.ascontiguousarray(bank.directions.T))
    return MeasuredDirectivity(Rotation3D([0.0], "z", degrees=False), grid,
                               np.ascontiguousarray(bank.ear(side)), bank.sample_rate)


def ear_rirs(spec: room_mod.RoomSpec, views: list[layout_mod.ViewSpec], bank: hrtf_mod.HrirBank,
             sample_rate: int, seed: int, rt_time: float, progress=None,
             n_rays: int = N_RAYS, tail_groups: list[int] | None = None,
             ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Room impulse responses: reference [L0], per view left [Lv] and right [Lv].

    Each head is a level head at ``view.position`` turned by ``view.yaw``; the
    HRIR bank (acoustic head frame, see ``hrtf``) carries both ears' cues.
    ``tail_groups`` (one int per head; default: every head its own group)
    names the heads that hear one late tail (``sim.tails``): the knots of one
    listener path.
    """
    import pyroomacoustics as pra
    from pyroomacoustics.directivities import Rotation3D

    from audiogs_core.sim.tails import group_seeds, seeded_tails

    ref_pos = np.asarray(spec.source, dtype=float) + REFERENCE_OFFSET
    groups = list(range(len(views))) if tail_groups is None else list(tail_groups)
    if len(groups) != len(views):
        raise AudioGSError(f"simulator: {len(groups)} tail groups for {len(views)} heads")
    positions = np.array([ref_pos] + [np.asarray(v.position, dtype=float) for v in views])
    out: dict[str, list[np.ndarray]] = {}
    ref = None
    for k, side in enumerate(("left", "right")):
        # The same seed for both passes: identical rays and tail sequences.
        pra.random.seed(int(seed))
        room = room_mod.build_pra_room(spec, sample_rate, rt_time, n_rays)
        room.add_source(np.asarray(spec.source, dtype=float))
        room.add_microphone(ref_pos)
        proto = _directivity(bank, side)
        for v in views:
            d = copy.copy(proto)
            d.set_orientation(Rotation3D([v.yaw], "z", degrees=False))
            room.add_microphone(np.asarray(v.position, dtype=float), directivity=d)
        # the reference is group -1: its own tail
        seeds = group_seeds(seed, positions, [-1] + groups, np.asarray(spec.source, dtype=float), room.c)
        shared = _shared_directions(room, [-1] + groups, bank)
        with seeded_tails(seeds, horizon_s=rt_time + TAIL_MARGIN_S, shared=shared):
            room.compute_rir()
        rirs = [np.asarray(room.rir[m][0], dtype=np.float64) for m in range(len(views) + 1)]
        if ref is None:
            ref = rirs[0]
        out[side] = rirs[1:]
        if progress is not None:
            progress.update(k + 2, 4, stage=f"{side} ears")
    assert ref is not None
    return ref, out["left"], out["right"]


def _shared_directions(room, groups: list[int], bank: hrtf_mod.HrirBank):
    """Trace the rays now (as ``compute_rir`` would) and pool each multi-head tail group's directions."""
    from audiogs_core.sim.tail_sequence import pooled_directions

    if len(set(groups)) == len(groups):
        return None
    room.image_source_model()  # the order compute_rir keeps; it then skips both
    room.ray_tracing()
    histograms, directions, responses = [], [], []
    for m, directivity in enumerate(room.mic_array.directivity):
        # one source: a [bands, bins] histogram per direction, each as long as its own last arrival
        per_direction = [np.asarray(h).sum(axis=0) for h in room.rt_histograms[m][0]]
        hist = np.zeros((len(per_direction), max(h.shape[-1] for h in per_direction)))
        for d, h in enumerate(per_direction):
            hist[d, :h.shape[-1]] = h
        histograms.append(hist)
        if directivity is None:  # the omni reference: one direction, its own group
            directions.append(np.zeros((1, 3)))
        else:
            directions.append(directivity.get_direction_vectors())
        responses.append(np.atleast_2d(room.rt_directional_responses[m]["response"]))
    return pooled_directions(groups, histograms, directions, responses, bank.directions,
                             positions=np.asarray(room.mic_array.R, dtype=np.float64).T)


def convolve(signal: np.ndarray, rir: np.ndarray) -> np.ndarray:
    from scipy.signal import fftconvolve

    return fftconvolve(signal, rir)[: len(signal)]


def measure_rt60(rir: np.ndarray, sample_rate: int) -> float | None:
    """RT60 (s) of an impulse response from the T20 slope of its Schroeder decay."""
    energy = np.cumsum(rir[::-1] ** 2)[::-1]
    if energy[0] <= 0:
        return None
    edc = 10 * np.log10(np.maximum(energy / energy[0], 1e-30))
    i5 = np.flatnonzero(edc <= -5.0)
    i25 = np.flatnonzero(edc <= -25.0)
    if len(i5) == 0 or len(i25) == 0 or i25[0] <= i5[0]:
        return None
    return float(3.0 * (i25[0] - i5[0]) / sample_rate)


def _prepare_out(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise AudioGSError(f"output {out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise AudioGSError(f"output folder {out_dir} is not empty (use --force to overwrite)")
        # Only what a capture of ours holds is removed; anything else is left alone.
        for p in list((out_dir / "audio").glob("*.wav")) if (out_dir / "audio").is_dir() else []:
            p.unlink()
        for name in ("capture.json", "room.obj"):
            if (out_dir / name).is_file():
                (out_dir / name).unlink()
        paths_dir = out_dir / path_mod.PATHS_DIR
        for p in [*paths_dir.glob("*.wav"), *paths_dir.glob("*.json")] if paths_dir.is_dir() else []:
            p.unlink()
    (out_dir / "audio").mkdir(parents=True, exist_ok=True)


def simulate_capture(out_dir: str | os.PathLike, room: str = "shoebox", seconds: float = 8.0,
                     sample_rate: int = 16000, layout: str = "ring", hrtf: str = "sphere",
                     source: str | os.PathLike | None = None, material: str | None = None,
                     seed: int = 0, progress: Any = None, force: bool = False,
                     n_rays: int = N_RAYS, paths: Mapping[str, ListenerPath] | None = None) -> Path:
    """Simulate a capture folder at ``out_dir`` and return its path.

    room: ``shoebox``, ``lshape`` or an OBJ path; layout: ``ring`` or ``grid``;
    hrtf: ``sphere``, ``kemar`` or a SOFA path; source: a dry WAV (default
    espeak-ng speech, procedural when espeak-ng is absent). ``progress`` is an
    object with ``update(step, total, **fields)`` (cli.progress.Progress).
    ``force`` allows a non-empty ``out_dir``; ``n_rays`` (ray-tracing rays) is
    lowered only by tests that need speed over a smooth reverberant tail.
    ``paths`` ({name: listener path}) adds the ground truth along each path,
    simulated in the same two passes as the views (``sim.paths``), written as
    ``paths/NAME.json`` + ``paths/NAME.wav`` and listed under ``paths`` in
    capture.json.
    Deterministic for a seed: two runs give bit-identical files.
    """
    from audiogs_core.io.audio import write_wav
    from audiogs_core.io.capture import write_capture

    if int(sample_rate) <= 0:
        raise AudioGSError(f"sample rate must be positive, got {sample_rate}")
    if not (0 < float(seconds) <= 600):
        raise AudioGSError(f"seconds must be in (0, 600], got {seconds}")
    sample_rate = int(sample_rate)
    out = Path(out_dir)
    spec = room_mod.load_room(str(room), material)
    views = layout_mod.make_layout(layout, spec, seed)
    bank = hrtf_mod.load_hrtf(str(hrtf), sample_rate, HEAD_RADIUS)
    plans = [path_mod.plan_path(name, p, spec, float(seconds)) for name, p in (paths or {}).items()]
    _prepare_out(out, force)

    signal, label = dry_mod.dry_signal(float(seconds), sample_rate, source, seed)
    if progress is not None:
        progress.update(1, 4, stage="dry signal")
    rt60 = room_mod.sabine_rt60(spec)
    rt_time = max(RT_FACTOR * rt60, MIN_RT_TIME)
    heads = views + [h for plan in plans for h in plan.heads]
    groups = list(range(len(views))) + [len(views) + i for i, plan in enumerate(plans) for _ in plan.heads]
    ref_rir, left_rirs, right_rirs = ear_rirs(spec, heads, bank, sample_rate, seed, rt_time,
                                              progress=progress, n_rays=int(n_rays), tail_groups=groups)

    ref = convolve(signal, ref_rir)
    gain = REFERENCE_PEAK / max(float(np.abs(ref).max()), 1e-12)
    write_wav(out / "audio" / "reference.wav", (ref * gain)[None, :], sample_rate)
    view_entries = []
    for v, hl, hr in zip(views, left_rirs, right_rirs):
        audio = np.stack([convolve(signal, hl), convolve(signal, hr)]) * gain
        rel = f"audio/{v.name}.wav"
        write_wav(out / rel, audio, sample_rate)
        view_entries.append({
            "name": v.name, "audio": rel, "offset": 0.0,
            "pose": {"position": _floats(v.position), "rotation": _floats(v.rotation)},
            "split": v.split, "tags": list(v.tags), "yaw_deg": round(float(np.degrees(v.yaw)), 6),
        })
    path_entries = []
    first = len(views)
    for plan in plans:
        last = first + len(plan.heads)
        audio = path_mod.render_ground_truth(plan, signal, left_rirs[first:last], right_rirs[first:last],
                                             sample_rate, np.asarray(spec.source, dtype=float)) * gain
        first = last
        rel = f"{path_mod.PATHS_DIR}/{plan.name}"
        write_path(out / f"{rel}.json", plan.path)
        write_wav(out / f"{rel}.wav", audio, sample_rate)
        path_entries.append({"name": plan.name, "path": f"{rel}.json", "audio": f"{rel}.wav",
                             "start": float(plan.path.start), "knots": len(plan.heads)})
    room_mod.write_room_obj(out / "room.obj", spec.polygons, spec.name)
    ref_pos = np.asarray(spec.source, dtype=float) + REFERENCE_OFFSET
    measured = measure_rt60(ref_rir, sample_rate)
    capture = {
        "format": "audiogs.capture",
        "version": 1,
        "sample_rate": sample_rate,
        "head_radius": HEAD_RADIUS,
        "room": {"mesh": "room.obj"},
        "sources": [{"name": "talker", "position": _floats(spec.source)}],
        "reference": {"audio": "audio/reference.wav", "pose": {"position": _floats(ref_pos)}},
        "views": view_entries,
        **({"paths": path_entries} if path_entries else {}),
        "simulation": {
            "simulator": "pyroomacoustics",
            "room": spec.name if str(room) in room_mod.BUILTIN_ROOMS else str(room),
            "layout": layout,
            "hrtf": str(hrtf),
            "seed": int(seed),
            "seconds": float(seconds),
            "dry_signal": label,
            "materials": list(spec.materials),
            "rt60_estimate": None if measured is None else round(measured, 4),
            "rt60_sabine": round(rt60, 4),
            "ism_order": 3,
            "ray_tracing_time": round(rt_time, 4),
            "n_rays": int(n_rays),
            "scattering": room_mod.SCATTERING,
            "air_absorption": True,
            "gain": gain,
        },
    }
    write_capture(out, capture)
    if progress is not None:
        progress.update(4, 4, stage="written")
    return out


def _floats(v) -> list[float]:
    return [float(x) for x in np.asarray(v, dtype=float).ravel()]
