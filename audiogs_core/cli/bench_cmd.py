"""``audiogs bench [--quick] [--out DIR]``: the benchmark of DESIGN.md §8."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from audiogs_core.cli.progress import Progress
from audiogs_core.errors import AudioGSError

NAME = "bench"
HELP = "run the benchmark (simulated rooms, AudioGS against baselines and ablations)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``audiogs bench``."""
    p.add_argument("--quick", action="store_true",
                   help="one room, two folds, short audio, few epochs (about 5 minutes)")
    p.add_argument("--out", default="bench_out", help="output folder (default bench_out/); reruns resume there")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: one per CPU core on the CPU, 1 on a GPU)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--epochs", type=int, default=None, help="override the training epochs of the chosen setting")
    p.add_argument("--seconds", type=float, default=None, help="override the simulated audio length")
    p.add_argument("--train-setting", action="append", default=[], metavar="KEY=VALUE",
                   help="change a trainer default for AudioGS, the ablations and the implicit field's schedule "
                        "(VALUE is JSON, e.g. lr_sh_dc=0.05); repeatable")
    p.add_argument("--flag", action="append", default=[], metavar="KEY=VALUE",
                   help="change a model flag of full AudioGS (the ablations turn one more), e.g. "
                        "max_attenuation=4; repeatable")
    p.add_argument("--folds", default=None, metavar="I,J,...",
                   help="split A folds (held-out ring indices) to run, e.g. 0,2,4,6 (default: all)")
    p.add_argument("--ablations", default=None, metavar="NAME,...",
                   help="ablations to run (default: all; 'none' for none)")
    p.add_argument("--methods", default=None, metavar="NAME,...",
                   help="methods to run (default: AudioGS and every baseline; audiogs is always kept)")
    p.add_argument("--preset", default=None, help="training configuration of 'audiogs' (default: the product's default preset)")
    p.add_argument("--splits", default=None, metavar="A,B,C",
                   help="run only these splits (A: ring views, B: grid views, C: listener paths)")
    p.add_argument("--rooms", default=None, metavar="ROOM,...",
                   help="rooms to run: shoebox, lshape and OBJ meshes of your own (each named by its file's "
                        "stem), e.g. shoebox,dev/hall.obj (default: shoebox,lshape)")
    p.add_argument("--references", default=None, metavar="close,view",
                   help="split A and C reference settings to run: the close mic, a binaural train view "
                        "(default: both)")
    p.add_argument("--sim-seed", type=int, default=None,
                   help="the room simulator's seed (default 0; development runs use others: new noise, "
                        "new ray paths)")
    p.add_argument("--progress", default="text", choices=["text", "jsonl", "none"])


def parse_assignments(items: list[str], option: str) -> dict:
    """``["a=1", "b=true"]`` -> ``{"a": 1, "b": True}`` (values are JSON, else strings)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AudioGSError(f"{option} needs KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out


def parse_rooms(text: str) -> dict:
    """``"shoebox,dev/hall.obj"`` -> the config's ``rooms`` (OBJ files named by their stem) and
    ``room_meshes`` (name -> absolute path)."""
    rooms: list[str] = []
    meshes: dict[str, str] = {}
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        if item.lower().endswith(".obj"):
            path = Path(item).expanduser().resolve()
            if not path.is_file():
                raise AudioGSError(f"--rooms: mesh {item} not found")
            if path.stem in meshes and meshes[path.stem] != str(path):
                raise AudioGSError(f"--rooms: two meshes named {path.stem!r}; rename one file")
            meshes[path.stem] = str(path)
            item = path.stem
        rooms.append(item)
    if not rooms:
        raise AudioGSError("--rooms needs at least one room")
    return {"rooms": tuple(dict.fromkeys(rooms)), "room_meshes": meshes}


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the benchmark; returns the exit status."""
    from audiogs_core.bench import full_config, quick_config, run_bench, shrink
    from audiogs_core.device import resolve_device

    config = quick_config() if args.quick else full_config()
    changes: dict = {"device": resolve_device(args.device).type}
    if args.epochs is not None:
        if args.epochs < 1:
            raise AudioGSError(f"--epochs must be at least 1, got {args.epochs}")
        changes["epochs"] = args.epochs
    if args.seconds is not None:
        if not 3.0 <= args.seconds <= 600:
            raise AudioGSError(f"--seconds must be in [3, 600] (one 3 s window at least), got {args.seconds:g}")
        changes["seconds"] = args.seconds
    if args.train_setting:
        changes["train_overrides"] = parse_assignments(args.train_setting, "--train-setting")
    if args.flag:
        changes["flag_overrides"] = parse_assignments(args.flag, "--flag")
    if args.folds is not None:
        try:
            folds = tuple(int(f) for f in args.folds.split(","))
        except ValueError:
            raise AudioGSError(f"--folds needs comma-separated ring indices, got {args.folds!r}") from None
        changes["folds_a"] = folds
        changes["ablation_folds"] = tuple(f for f in config.ablation_folds if f in folds) or folds[:1]
        changes["dpam_folds"] = tuple(f for f in config.dpam_folds if f in folds) or folds[:1]
    if args.splits is not None:
        changes["splits"] = tuple(x.strip().upper() for x in args.splits.split(",") if x.strip())
        if "A" not in changes["splits"]:
            changes["ablations"] = ()  # the ablations run on split A folds
    if args.ablations is not None:
        changes["ablations"] = () if args.ablations == "none" else tuple(args.ablations.split(","))
    if args.methods is not None:
        asked = [m.strip() for m in args.methods.split(",") if m.strip()]
        changes["methods"] = ("audiogs", *(m for m in asked if m != "audiogs"))
    if args.rooms is not None:
        changes.update(parse_rooms(args.rooms))
    if args.sim_seed is not None:
        changes["sim_seed"] = args.sim_seed
    if args.references is not None:
        changes["references"] = tuple(x.strip() for x in args.references.split(",") if x.strip())
        if not changes["references"]:
            raise AudioGSError("--references needs close, view or both")
        changes["ablation_references"] = tuple(r for r in config.ablation_references if r in changes["references"])
    if args.preset is not None:
        from audiogs_core.train.presets import get_preset

        get_preset(args.preset)  # a clear error for an unknown name
        changes["preset"] = args.preset
    config = shrink(config, **changes)
    progress = Progress(args.progress, label="bench")
    results = run_bench(config, args.out, progress=progress, jobs=args.jobs, command=_command(args))
    progress.done(out=str(args.out), wall_s=round(results["run"]["wall_s"], 1))
    if args.progress == "text":
        print(f"benchmark written to {args.out}/results.md ({results['run']['wall_s'] / 60:.1f} min)")
        for key, h in results["headline"].items():
            cmp = h["audiogs_vs_best"].get(config.windows[0], {})
            parts = [f"{m} {100 * c['relative']:+.1f}% vs {c['best']}" for m, c in cmp.items()
                     if c.get("relative") is not None]
            print(f"  {key}: AudioGS " + ", ".join(parts))
    return 0


def _command(args: argparse.Namespace) -> str:
    words = ["audiogs", "bench"]
    if args.quick:
        words.append("--quick")
    words += ["--out", str(args.out)]
    for flag in ("jobs", "epochs", "seconds", "folds", "ablations", "methods", "preset", "splits", "rooms",
                 "sim_seed", "references"):
        if getattr(args, flag) is not None:
            words += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if args.device != "cpu":
        words += ["--device", args.device]
    words += [f"--train-setting {x}" for x in args.train_setting] + [f"--flag {x}" for x in args.flag]
    return " ".join(words)
