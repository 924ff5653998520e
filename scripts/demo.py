"""The main job: the whole AudioGS story on a built-in default, end to end.

    bash scripts/demo.sh [--out DIR] [--epochs N] [--seconds S] [--device D] [--force]
    .venv/bin/python scripts/demo.py ...            (the same, without the bootstrap)

1. simulate a small room (shoebox, eight binaural listeners on a ring, a
   spherical head) into ``DIR/capture``;
2. in Blender (the ``bpy`` wheel, add-on registered from this repository):
   import the capture and train a model through the add-on's engine job into
   ``DIR/model``;
3. load the Audio Gaussians, animate a camera orbiting the source (always
   facing it; the camera frame is the listener's head frame) over the
   recording, and bake its binaural track to ``DIR/orbit.wav`` (a sound strip
   in the sequencer);
4. render ``DIR/demo.png`` (Workbench: the room as a wireframe, the Gaussians
   as points, the orbit as a ring) and save ``DIR/demo.blend``;
5. score the held-out view (and the two turned heads) against the baselines
   and write ``DIR/report.md``, ``DIR/report.json`` and ``DIR/listen.html``
   (players and spectrograms of the recording, AudioGS and each baseline).

An existing non-empty DIR is an error unless ``--force``, which replaces the
demo's own outputs (and only those) in it. Exit status 0 on success; on
failure 1 (2 for bad arguments) with one line on stderr (``--debug``: the
traceback too).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the core and the add-on from this source tree
    sys.path.insert(0, str(ROOT))

from audiogs_core.errors import AudioGSError  # noqa: E402

# The built-in default scene.
ROOM, LAYOUT, HRTF, SEED = "shoebox", "ring", "sphere", 0
DEFAULT_SECONDS = 6.0
ORBIT_RADIUS = 1.5  # m, around the source
ORBIT_HEIGHT = 1.6  # m, the ears' height
DISPLAY_POINTS = 20000  # Gaussians shown (the loudest)
RENDER_SIZE = (640, 480)
METRICS = ("MAG", "ENV", "LRE", "ITDE", "RTE")
WINDOW = "3s"  # the AudioGS metric window (design section 7)
HELD_OUT_VIEW = "ring0"
ORBIT_CAMERA = "Orbit"
OVERVIEW_CAMERA = "Overview"

# What the demo writes into DIR (all that --force removes).
OUTPUTS = ("capture", "model", "demo.blend", "demo.blend1", "orbit.wav", "demo.png",
           "report.md", "report.json", "listen.html", "listen")


class DemoError(Exception):
    """A failure of the demo: one line that says what went wrong."""


@dataclass
class Run:
    """What the stages found out, for the report."""

    out: Path
    seconds: float
    epochs: int
    device: str
    timings: dict[str, float] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.out / name


def log(msg: str) -> None:
    print(msg, flush=True)


# ----------------------------------------------------------------------------
# arguments and the output folder


def parse_args(argv: list[str]) -> argparse.Namespace:
    from audiogs_core.train.presets import DEFAULT_PRESET, get_preset

    p = argparse.ArgumentParser(
        prog="demo.py",
        description="Simulate a room, train AudioGS, bake a binaural orbit in Blender, render and report.")
    p.add_argument("--out", default="demo_out", help="output folder (default: demo_out)")
    p.add_argument("--epochs", type=int, default=get_preset(DEFAULT_PRESET).settings.epochs,
                   help="training epochs (default: the default preset's, %(default)s)")
    p.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                   help="length of the simulated recording (default %(default)s)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where the engine trains and the metrics render")
    p.add_argument("--force", action="store_true",
                   help="replace the demo's outputs in an existing, non-empty output folder")
    p.add_argument("--debug", action="store_true", help="print tracebacks")
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error(f"--epochs must be at least 1, got {args.epochs}")
    if not 3.0 <= args.seconds <= 600.0:  # at least one 3 s metric window
        p.error(f"--seconds must be in [3, 600], got {args.seconds:g}")
    return args


def prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise DemoError(f"output {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise DemoError(f"output folder {out} is not empty (use --force to replace the demo's files in it)")
        for name in OUTPUTS:
            p = out / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)


# ----------------------------------------------------------------------------
# 1. simulation


def simulate(run: Run) -> Path:
    from audiogs_core.cli.progress import Progress
    from audiogs_core.sim.simulate import simulate_capture

    capture = run.path("capture")
    log(f"[1/5] simulating a {ROOM} room, {run.seconds:g} s, {LAYOUT} of listeners -> {capture}")
    t0 = time.monotonic()
    simulate_capture(capture, room=ROOM, seconds=run.seconds, layout=LAYOUT, hrtf=HRTF, seed=SEED,
                     progress=Progress("text", label="simulate"))
    run.timings["simulate_s"] = time.monotonic() - t0
    return capture


# ----------------------------------------------------------------------------
# 2-4. Blender


def call_op(what: str, op, **kwargs) -> None:
    """Run an operator; its ERROR report (a RuntimeError from bpy.ops) becomes one line.
    (Long jobs print one progress line per epoch or frame on stderr.)"""
    try:
        result = op(**kwargs)
    except RuntimeError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        msg = lines[0] if lines else "failed"
        raise DemoError(f"{what}: {msg.removeprefix('Error: ')}") from exc
    if "FINISHED" not in result:
        raise DemoError(f"{what}: the operator returned {sorted(result)}")


def start_blender():
    """bpy with an empty scene and the add-on registered from the source tree."""
    try:
        import bpy
    except ImportError as exc:
        raise DemoError(f"bpy is not available ({exc}): run scripts/bootstrap.sh") from exc
    bpy.ops.wm.read_homefile(use_empty=True)
    import blender_addon

    blender_addon.register()
    return bpy, blender_addon


def train_in_blender(bpy, run: Run, capture: Path) -> Path:
    model = run.path("model")
    log(f"[2/5] Blender: importing the capture, training {run.epochs} epochs -> {model}")
    call_op("import capture", bpy.ops.audiogs.import_capture, filepath=str(capture))
    t0 = time.monotonic()
    call_op("train", bpy.ops.audiogs.train, model_dir=str(model), epochs=run.epochs, device=run.device)
    run.timings["train_s"] = time.monotonic() - t0
    return model


def bake_orbit(bpy, run: Run, model: Path) -> None:
    scene = bpy.context.scene
    log(f"[3/5] Blender: Gaussians, a camera orbiting the source, binaural bake -> {run.path('orbit.wav')}")
    call_op("load Gaussians", bpy.ops.audiogs.load_gaussians, model_dir=str(model),
            max_points=DISPLAY_POINTS)
    from audiogs_core.io.model_folder import read_model_folder

    meta = read_model_folder(model).meta
    fps = scene.render.fps / scene.render.fps_base
    # The import ended the frame range at the last whole frame inside the recording.
    a, b = scene.frame_start, scene.frame_end
    call_op("add orbit", bpy.ops.audiogs.add_orbit, radius=ORBIT_RADIUS, height=ORBIT_HEIGHT,
            camera_name=ORBIT_CAMERA)
    cam = scene.objects[ORBIT_CAMERA]
    from audiogs_core.io.capture import load_capture

    centre = load_capture(run.path("capture")).sources[0].position  # what the orbit circles
    t0 = time.monotonic()
    call_op("bake", bpy.ops.audiogs.bake, listener=cam.name, filepath=str(run.path("orbit.wav")))
    run.timings["bake_s"] = time.monotonic() - t0
    from audiogs_core.io.audio import read_wav

    audio, rate = read_wav(run.path("orbit.wav"))
    run.facts["orbit"] = {
        "camera": cam.name, "frame_start": a, "frame_end": b, "fps": fps,
        "expected_seconds": (b - a + 1) / fps, "seconds": audio.shape[1] / rate,
        "sample_rate": rate, "channels": int(audio.shape[0]),
        "radius_m": ORBIT_RADIUS, "height_m": ORBIT_HEIGHT,
        "centre": [round(float(c), 4) for c in centre],
    }
    g = scene.objects.get("AudioGS Gaussians")
    run.facts["gaussians"] = {"shown": len(g.data.vertices) if g is not None else 0,
                              "total": int(meta["K"]) * int(meta["F"]),
                              "K": int(meta["K"]), "F": int(meta["F"])}
    run.facts["training"] = {k: meta.get("training", {}).get(k) for k in ("seconds", "steps", "device")}
    run.facts["training"]["epochs"] = len(meta.get("training", {}).get("epoch_loss", []))
    losses = meta.get("training", {}).get("epoch_loss") or [None]
    run.facts["training"]["final_loss"] = losses[-1]


def render_png(bpy, run: Run) -> None:
    """Workbench render through the add-on's overview camera (the import already
    draws the room as a wireframe and the listeners as coloured markers)."""
    scene = bpy.context.scene
    log(f"[4/5] Blender: rendering {run.path('demo.png')}, saving {run.path('demo.blend')}")
    scene.render.resolution_x, scene.render.resolution_y = RENDER_SIZE
    call_op("add overview camera", bpy.ops.audiogs.add_overview)
    cam = scene.objects[OVERVIEW_CAMERA]
    scene.render.engine = "BLENDER_WORKBENCH"
    listener = scene.camera
    scene.camera = cam
    tmp = run.path(".demo.render.png")
    scene.render.filepath = str(tmp)
    t0 = time.monotonic()
    try:
        result = bpy.ops.render.render(write_still=True)
    finally:
        scene.camera = listener  # the .blend opens looking through the listener
    run.timings["render_s"] = time.monotonic() - t0
    if "FINISHED" not in result or not tmp.is_file():
        raise DemoError(f"render: Blender wrote no image ({sorted(result)})")
    os.replace(tmp, run.path("demo.png"))
    scene.render.filepath = "//demo.png"
    run.facts["render"] = {"camera": cam.name, "engine": "BLENDER_WORKBENCH",
                           "size": list(RENDER_SIZE)}


def save_blend(bpy, run: Run) -> None:
    path = run.path("demo.blend")
    # Blender writes a temporary file and renames it; sound paths are stored
    # relative to the file (the bake next to it), so the folder can move whole.
    result = bpy.ops.wm.save_as_mainfile(filepath=str(path), check_existing=False, copy=False)
    if "FINISHED" not in result or not path.is_file():
        raise DemoError(f"could not save {path}")


# ----------------------------------------------------------------------------
# 5. metrics and report


def evaluate_views(run: Run, capture: Path, model: Path) -> tuple[dict, dict]:
    """Section-7 metrics (3 s windows) of the model and the non-learned baselines
    on the capture's test views, {view: {method: {metric: value}}}, and what was
    heard, {view: {"target" and each method: [2, T]}}."""
    import numpy as np

    from audiogs_core.baselines import NEEDS_SOURCES, NON_LEARNED, BaselineInputs, build_baseline
    from audiogs_core.io.capture import load_capture, load_capture_audio
    from audiogs_core.method import Method
    from audiogs_core.metrics.evaluate import evaluate
    from audiogs_core.renderer import ModelMethod, load_model
    from audiogs_core.train.data import training_data_from_capture
    from audiogs_core.device import resolve_device

    log(f"[5/5] scoring the test views against the baselines -> {run.path('report.md')}, "
        f"{run.path('listen.html')}")
    t0 = time.monotonic()
    loaded = load_model(model, resolve_device(run.device))
    cap = load_capture(capture)
    audio = load_capture_audio(cap)
    inputs = BaselineInputs.from_training(training_data_from_capture(cap, audio))
    methods: dict[str, Method] = {"audiogs": ModelMethod(loaded)}
    for name in NON_LEARNED:
        if name in NEEDS_SOURCES and inputs.sources.shape[0] == 0:
            continue
        methods[name] = build_baseline(name, inputs)
    n = min(loaded.reference.shape[1], audio.num_samples)
    scores: dict = {}
    heard: dict = {}
    for v in cap.test_views():
        target = audio.views[v.name][:, :n]
        heard[v.name] = {"target": target}
        for name, method in methods.items():
            pred = np.asarray(method.predict(v.pose.position, v.pose.rotation))[:, :n]
            heard[v.name][name] = pred
            scores.setdefault(v.name, {})[name] = evaluate(
                pred, target, audio.sample_rate, metrics=METRICS, windows=[WINDOW])[WINDOW]
    run.timings["eval_s"] = time.monotonic() - t0
    if HELD_OUT_VIEW not in scores:
        raise DemoError(f"the capture has no test view {HELD_OUT_VIEW!r}")
    run.facts["sample_rate"] = audio.sample_rate
    return scores, heard


def write_listen_page(run: Run, scores: dict, heard: dict) -> None:
    """listen.html: each test view's recording next to AudioGS and the baselines."""
    from audiogs_core.listen_page import ListenItem, write_listen_page as write_page

    items = [ListenItem(title=f"{'held-out' if v == HELD_OUT_VIEW else 'turned head'} view {v}",
                        audio=heard[v], sample_rate=run.facts["sample_rate"], metrics=scores[v],
                        note=f"metrics over {WINDOW.removesuffix('s')} s windows")
             for v in sorted(heard, key=lambda v: (v != HELD_OUT_VIEW, v))]
    write_page(run.out, items, title="AudioGS demo: listen")


def table(scores: dict) -> list[str]:
    """A Markdown table, one row per method; the best (lowest) value of each metric in bold."""
    from audiogs_core.metrics.registry import unit_suffix

    best = {m: min((s[m] for s in scores.values() if m in s), default=None) for m in METRICS}
    rows = ["| method | " + " | ".join(m + unit_suffix(m) for m in METRICS) + " |",
            "|---|" + "---:|" * len(METRICS)]
    for method, s in scores.items():
        cells = []
        for m in METRICS:
            if m not in s:
                cells.append("-")
            else:
                text = f"{s[m]:.4f}"
                cells.append(f"**{text}**" if s[m] == best[m] else text)
        rows.append(f"| {method} | " + " | ".join(cells) + " |")
    return rows


def files_of(run: Run) -> dict[str, str]:
    names = {"capture": "capture", "model": "model", "blend": "demo.blend", "wav": "orbit.wav",
             "png": "demo.png", "report_md": "report.md", "report_json": "report.json",
             "listen": "listen.html"}
    return {k: str(run.path(v).resolve()) for k, v in names.items()}


def write_report(run: Run, scores: dict) -> None:
    from audiogs_core import __version__
    from audiogs_core.io.atomic import atomic_write_json, atomic_write_text
    from audiogs_core.metrics.evaluate import mean_scores

    turned = [v for v in scores if v != HELD_OUT_VIEW]
    orbit, tr, g = run.facts["orbit"], run.facts["training"], run.facts["gaussians"]
    files = files_of(run)
    lines = [
        "# AudioGS demo",
        "",
        f"A simulated {ROOM} room ({run.seconds:g} s of speech, {LAYOUT} of binaural listeners, "
        f"spherical head, seed {SEED}); audiogs_core {__version__}.",
        "",
        f"**Training:** {tr['epochs']} epochs, {run.timings['train_s']:.1f} s wall "
        f"({tr['seconds']:.1f} s in the trainer, device {tr['device']}), final loss "
        f"{tr['final_loss']:.4g}; {g['total']} Gaussians ({g['K']} x {g['F']}), "
        f"the {g['shown']} loudest shown in Blender.",
        "",
        f"## Held-out view {HELD_OUT_VIEW} ({WINDOW.removesuffix('s')} s windows, lower is better)",
        "",
        *table(scores[HELD_OUT_VIEW]),
    ]
    if turned:
        lines += ["", f"## Turned heads ({', '.join(turned)}: test-only views on the ring, "
                  "heads turned 90 degrees from the source; mean)", "",
                  *table(mean_scores([scores[v] for v in turned]))]
    lines += [
        "",
        "MAG, ENV, LRE, RTE, ITDE as in design section 7 (ITDE: the project's own spatial "
        "metric; RTE from the project's blind RT60 estimator). Baselines: input (reference "
        "copied to both ears), nearest_view, mean_view, dsp.",
        "",
        "## Orbit bake",
        "",
        f"Camera `{orbit['camera']}` circling the source once (radius {orbit['radius_m']:g} m, "
        f"height {orbit['height_m']:g} m), frames {orbit['frame_start']}-{orbit['frame_end']} at "
        f"{orbit['fps']:g} fps = {orbit['expected_seconds']:.3f} s; the WAV has "
        f"{orbit['channels']} channels at {orbit['sample_rate']} Hz, {orbit['seconds']:.3f} s "
        f"(bake {run.timings['bake_s']:.1f} s).",
        "",
        "## Files",
        "",
        *[f"- {k}: `{v}`" for k, v in files.items()],
        "",
        "## Timings (s)",
        "",
        *[f"- {k.removesuffix('_s')}: {v:.1f}" for k, v in run.timings.items()],
        "",
    ]
    report = {
        "format": "audiogs.demo", "core_version": __version__,
        "scene": {"room": ROOM, "layout": LAYOUT, "hrtf": HRTF, "seed": SEED, "seconds": run.seconds},
        "held_out_view": HELD_OUT_VIEW, "window": WINDOW, "metrics": list(METRICS),
        "views": scores, "training": tr, "gaussians": g, "orbit": orbit,
        "render": run.facts.get("render"), "timings_s": run.timings, "files": files,
    }
    atomic_write_json(run.path("report.json"), report)
    atomic_write_text(run.path("report.md"), "\n".join(lines))


# ----------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    run = Run(out=out, seconds=args.seconds, epochs=args.epochs, device=args.device)
    addon = None
    t_all = time.monotonic()
    try:
        prepare_out(out, args.force)
        capture = simulate(run)
        bpy, addon = start_blender()
        model = train_in_blender(bpy, run, capture)
        bake_orbit(bpy, run, model)
        render_png(bpy, run)
        save_blend(bpy, run)
        scores, heard = evaluate_views(run, capture, model)
        write_listen_page(run, scores, heard)
        run.timings["total_s"] = time.monotonic() - t_all
        write_report(run, scores)
    except (DemoError, AudioGSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"demo.py: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, the traceback on --debug
        if args.debug:
            traceback.print_exc()
        print(f"demo.py: error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1
    finally:
        if addon is not None:
            try:
                addon.unregister()  # also stops timers that could hang bpy at exit
            except Exception:  # noqa: BLE001 - leaving anyway
                pass
    log(f"\ndone in {run.timings['total_s']:.0f} s:")
    for k, v in files_of(run).items():
        log(f"  {k:12s} {v}")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # bpy 4.5.15 can hang at interpreter exit (design section 9); all is written
    # and flushed, so leave without finalisation.
    os._exit(code)
