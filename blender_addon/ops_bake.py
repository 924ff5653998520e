"""Binaural bake along an animated listener (``audiogs.bake``), design section 9.

Frame mapping: t = (frame - audio_start_frame) / fps with fps = render.fps /
render.fps_base; frames A..B cover (B - A + 1) / fps seconds, so the path runs
from t(A) to t(B + 1). The listener's world matrix is sampled per (sub-)frame
with scale removed and positions in metres (``unit_settings.scale_length``).
The engine renders the WAV at the asked rate (default the scene's audio rate)
and a sound strip is added, or the previous one of this listener replaced, at
frame A.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import bpy
from bpy.props import IntProperty, StringProperty

from audiogs_core.errors import AudioGSError
from audiogs_core.io.model_folder import MODEL_JSON, read_model_json
from audiogs_core.io.wav_header import wav_info

from ._typing import OpResult
from . import engine, preferences, properties
from .engine import EngineConfig, EngineError, EngineJob
from .modal_job import EngineJobOperator, print_progress
from .scene_io import AddonError, frame_time, sample_listener, scene_fps

STRIP_LISTENER = "audiogs_listener"  # custom property on baked strips
TIME_TOLERANCE_S = 1e-4


@dataclass
class BakePlan:
    """Everything decided before the engine runs (nothing in the scene changed yet)."""

    scene: bpy.types.Scene
    listener: str
    frame_start: int
    frame_end: int
    out_path: Path
    sample_rate: int
    model_dir: Path
    duration: float  # (B - A + 1) / fps seconds
    tmp_dir: Path
    path_file: Path
    frames: int = 0
    hrtf: str = ""  # the engine's --hrtf: sphere, kemar or an absolute .sofa path ("": the model's)
    extra: dict = field(default_factory=dict)

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp_dir, ignore_errors=True)


def read_model_meta(model_dir: Path) -> dict:
    """model.json of a model folder, validated (no tensors are read)."""
    if not model_dir.is_dir():
        raise AddonError(f"model folder not found: {model_dir}: train a model first "
                         "or choose its folder (AudioGS sidebar > Train > Model)")
    json_path = model_dir / MODEL_JSON
    if not json_path.is_file():
        raise AddonError(f"no {MODEL_JSON} in {model_dir}: not a trained model folder")
    try:
        return read_model_json(model_dir)
    except AudioGSError as exc:  # its message names the file and the key
        raise AddonError(str(exc)) from exc


def resolve_listener(scene: bpy.types.Scene, name: str) -> bpy.types.Object:
    if name:
        obj: bpy.types.Object | None = scene.objects.get(name)
        if obj is None:
            raise AddonError(f"no object named {name!r} in scene {scene.name!r} to use as listener")
        return obj
    st = properties.settings(scene)
    if st.listener is not None:
        return st.listener
    if scene.camera is None:
        raise AddonError("no listener: set the scene camera or choose a listener object")
    return scene.camera


def file_name_part(name: str) -> str:
    """``name`` usable in a file name on every system: letters of any script kept
    (bpy.path.clean_name would turn "Kamera Süd" into "Kamera_S_d")."""
    bad = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
    cleaned = "".join("_" if c in bad or c.isspace() else c for c in name).strip("._")
    return cleaned or "listener"


def default_output(scene: bpy.types.Scene, listener: str) -> Path:
    if not bpy.data.filepath:
        raise AddonError("save the .blend first (the WAV goes next to it) or choose an output file "
                         "(AudioGS sidebar > Bake > Output)")
    blend = Path(bpy.data.filepath)
    return blend.parent / f"{blend.stem}_{file_name_part(listener)}_audiogs.wav"


def check_output(filepath: str, scene: bpy.types.Scene, listener: str) -> Path:
    """The WAV to write: ``filepath`` (a missing .wav is added), else next to the .blend.
    A folder or another extension is an error, not silently renamed."""
    if not filepath:
        return default_output(scene, listener)
    out = Path(bpy.path.abspath(filepath))
    if filepath.endswith(("/", "\\")) or out.is_dir():
        raise AddonError(f"output {out} is a folder: choose a .wav file in it "
                         "(AudioGS sidebar > Bake > Output)")
    if out.suffix == "":
        out = out.with_name(out.name + ".wav")
    elif out.suffix.lower() != ".wav":
        raise AddonError(f"output {out.name} has the extension {out.suffix}: the bake writes "
                         "WAV files, name it .wav")
    if not out.parent.is_dir():
        raise AddonError(f"the output's folder {out.parent} does not exist: create it or "
                         "choose another output")
    return out


def check_sample_rate(rate: int) -> int:
    lo, hi = properties.MIN_SAMPLE_RATE, properties.MAX_SAMPLE_RATE
    if not lo <= rate <= hi:
        raise AddonError(f"sample rate {rate} Hz is outside {lo}-{hi} Hz: choose one in that range "
                         "(AudioGS sidebar > Bake > Sample Rate)")
    return rate


def check_hrtf(value: str, meta: dict) -> str:
    """The ``--hrtf`` of a bake: "" (the model's), sphere, kemar or a .sofa file made absolute."""
    value = value.strip()
    if not value:
        return ""
    if value not in properties.HRTF_NAMES:
        value = bpy.path.abspath(value)
        if not Path(value).is_file():
            raise AddonError(f"HRTF file not found: {value}: choose a .sofa file, or type sphere or "
                             "kemar (AudioGS sidebar > Bake > HRTF)")
    if value != "sphere" and not meta.get("flags", {}).get("split_field"):
        raise AddonError(f"HRTF {Path(value).name}: only a model trained with the Physical preset has "
                         "ears to change: retrain with it or clear AudioGS sidebar > Bake > HRTF")
    return value


def plan_bake(scene: bpy.types.Scene, listener: str = "", frame_start: int | None = None,
              frame_end: int | None = None, filepath: str = "", sample_rate: int = 0,
              substeps: int | None = None, model_dir: str = "", hrtf: str | None = None) -> BakePlan:
    """Validate a bake and write its listener path; raises AddonError saying what to fix.
    ``hrtf`` None: the Bake panel's HRTF."""
    st = properties.settings(scene)
    model_str = model_dir or st.model_dir
    if not model_str:
        raise AddonError("no model: train one or choose a model folder (AudioGS sidebar > Train > Model)")
    model = Path(bpy.path.abspath(model_str))
    meta = read_model_meta(model)
    obj = resolve_listener(scene, listener)
    a = scene.frame_start if frame_start is None else int(frame_start)
    b = scene.frame_end if frame_end is None else int(frame_end)
    if b < a:
        raise AddonError(f"frame range {a}..{b} is empty: the end frame must not precede the start")
    fps = scene_fps(scene)
    start = st.audio_start_frame
    t0, t1 = frame_time(a, start, fps), frame_time(b + 1, start, fps)
    recording = float(meta["duration"])
    if t0 < -TIME_TOLERANCE_S:
        raise AddonError(f"frame {a} lies before the recording, which starts at frame {start} "
                         "(Audio Start Frame): bake from a later frame or move the audio start")
    if t1 > recording + TIME_TOLERANCE_S:
        last = start + int(recording * fps + TIME_TOLERANCE_S) - 1
        raise AddonError(f"frames {a}..{b} run to {t1:.3f} s but the recording lasts "
                         f"{recording:.3f} s: end the bake at frame {last} or earlier")
    rate = check_sample_rate(int(sample_rate) or int(st.bake_sample_rate)
                             or int(scene.render.ffmpeg.audio_mixrate))
    out = check_output(filepath or st.bake_path, scene, obj.name)
    head = check_hrtf(st.bake_hrtf if hrtf is None else hrtf, meta)
    steps = st.bake_substeps if substeps is None else int(substeps)
    times, positions, rotations = sample_listener(scene, obj, a, b, start, steps)
    tmp = Path(tempfile.mkdtemp(prefix="audiogs-bake-"))
    path_file = tmp / "path.json"
    from audiogs_core.io.listener_path import ListenerPath, write_path

    write_path(path_file, ListenerPath(times=times, positions=positions, rotations=rotations))
    return BakePlan(scene=scene, listener=obj.name, frame_start=a, frame_end=b, out_path=out,
                    sample_rate=rate, model_dir=model, duration=(b - a + 1) / fps,
                    tmp_dir=tmp, path_file=path_file, frames=len(times), hrtf=head)


def bake_job(plan: BakePlan, config: EngineConfig) -> EngineJob:
    """The engine job of a planned bake; progress counted in frames."""
    return EngineJob(config, render_args(plan, config.device), label="bake", unit="frame",
                     units=plan.frame_end - plan.frame_start + 1)


def render_args(plan: BakePlan, device: str) -> list[str]:
    args = ["render", str(plan.model_dir), "--out", str(plan.out_path), "--path",
            str(plan.path_file), "--sample-rate", str(plan.sample_rate), "--device", device]
    return args + (["--hrtf", plan.hrtf] if plan.hrtf else [])


def _free_channel(se: bpy.types.SequenceEditor, start: int, end: int) -> int:
    """The lowest channel with no strip overlapping frames [start, end)."""
    for ch in range(1, 129):
        if all(s.channel != ch or s.frame_final_end <= start or s.frame_final_start >= end
               for s in se.strips_all):
            return ch
    return 128


def finish_bake(plan: BakePlan) -> bpy.types.Strip:
    """Add the sound strip (replacing this listener's previous one) and record the bake."""
    if not plan.out_path.is_file():
        raise EngineError(f"the engine reported success but wrote no {plan.out_path}")
    try:
        info = wav_info(plan.out_path)
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc
    rate, channels, seconds = info.sample_rate, info.channels, info.seconds
    scene = plan.scene
    se = scene.sequence_editor or scene.sequence_editor_create()
    for old in [s for s in se.strips_all if s.get(STRIP_LISTENER) == plan.listener]:
        sound = getattr(old, "sound", None)
        se.strips.remove(old)
        if sound is not None and sound.users == 0:
            bpy.data.sounds.remove(sound)
    end = plan.frame_end + 1
    channel = _free_channel(se, plan.frame_start, end)
    strip = se.strips.new_sound(f"AudioGS {plan.listener}", str(plan.out_path), channel,
                                plan.frame_start)
    strip[STRIP_LISTENER] = plan.listener
    st = properties.settings(scene)
    st.last_bake_path = str(plan.out_path)
    st.last_bake_info = (f"{plan.listener}, frames {plan.frame_start}-{plan.frame_end}, "
                         f"{seconds:.2f} s, {rate} Hz, {channels} ch")
    return strip


def execute_plan(plan: BakePlan, config: EngineConfig, quiet: bool = False) -> bpy.types.Strip:
    """Render a planned bake, blocking, and add its strip; always cleans the plan up."""
    try:
        job = bake_job(plan, config)
        job.start()
        job.wait(None if quiet else
                 (lambda ev: print_progress(job) if ev.get("event") == "progress" else None))
        return finish_bake(plan)
    finally:
        plan.cleanup()


def bake(scene: bpy.types.Scene, config: EngineConfig, listener: str = "",
         frame_start: int | None = None, frame_end: int | None = None, filepath: str = "",
         sample_rate: int = 0, substeps: int | None = None, model_dir: str = "",
         quiet: bool = False, hrtf: str | None = None) -> bpy.types.Strip:
    """The whole bake, blocking (headless, scripts). Raises AddonError/EngineError."""
    plan = plan_bake(scene, listener, frame_start, frame_end, filepath, sample_rate,
                     substeps, model_dir, hrtf)
    return execute_plan(plan, config, quiet)


class AUDIOGS_OT_bake(EngineJobOperator):
    """Render the binaural sound along the listener's animation and add it as a sound strip"""

    bl_idname = "audiogs.bake"
    bl_label = "Bake Binaural Audio"
    bl_options = {"REGISTER"}

    listener: StringProperty(  # type: ignore[valid-type]
        name="Listener", description="Object used as the listener's head (empty: the scene camera)")
    frame_start: IntProperty(  # type: ignore[valid-type]
        name="Start Frame", options={"SKIP_SAVE"},
        description="First frame of the bake (unset: the scene's start frame)")
    frame_end: IntProperty(  # type: ignore[valid-type]
        name="End Frame", options={"SKIP_SAVE"},
        description="Last frame of the bake, included (unset: the scene's end frame)")
    filepath: StringProperty(  # type: ignore[valid-type]
        name="Output", description="WAV to write (empty: next to the .blend)", subtype="FILE_PATH")
    sample_rate: IntProperty(  # type: ignore[valid-type]
        name="Sample Rate", default=0, min=0,
        description="Output rate in Hz, 8000-192000 (0 or unset: the Bake panel's, else the "
        "scene's audio rate)")
    substeps: IntProperty(  # type: ignore[valid-type]
        name="Sub-frames", default=1, min=1, max=16,
        description="Listener samples per frame (unset: the Bake panel's)")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.scene is None or not properties.settings(context.scene).model_dir:
            cls.poll_message_set("Train or load a model first")
            return False
        return True

    def _plan(self, context: bpy.types.Context) -> tuple[BakePlan, EngineConfig] | None:
        is_set = self.properties.is_property_set
        try:
            python, device = preferences.engine_settings(context)
            plan = plan_bake(context.scene, self.listener,
                             self.frame_start if is_set("frame_start") else None,
                             self.frame_end if is_set("frame_end") else None,
                             self.filepath, self.sample_rate,
                             self.substeps if is_set("substeps") else None)
        except AddonError as exc:
            self.report({"ERROR"}, str(exc))
            return None
        try:
            config = engine.prepare(python, device)
        except EngineError as exc:
            plan.cleanup()
            self.report({"ERROR"}, str(exc))
            return None
        return plan, config

    def _finisher(self, plan: BakePlan):
        def finish(done: dict) -> str:
            try:
                strip = finish_bake(plan)
            finally:
                plan.cleanup()
            return f"Baked {plan.out_path} (strip {strip.name!r} at frame {plan.frame_start})"
        return finish

    def execute(self, context: bpy.types.Context) -> OpResult:
        planned = self._plan(context)
        if planned is None:
            return {"CANCELLED"}
        plan, config = planned
        job = bake_job(plan, config)
        result = self.run_blocking(job, self._finisher(plan))
        plan.cleanup()
        return result

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OpResult:
        if bpy.app.background or context.window is None:
            return self.execute(context)
        planned = self._plan(context)
        if planned is None:
            return {"CANCELLED"}
        plan, config = planned
        job = bake_job(plan, config)
        result = self.run_modal(context, "bake", job, self._finisher(plan), abort=plan.cleanup)
        if "RUNNING_MODAL" not in result:
            plan.cleanup()
        return result


CLASSES = (AUDIOGS_OT_bake,)
