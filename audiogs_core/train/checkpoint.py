"""Atomic training checkpoints: parameters, Adam state and loop position.

Tensors go to ``checkpoint.safetensors`` and the rest to ``checkpoint.json``
(written last, so a checkpoint is complete when its JSON names it).  Nothing
is pickled.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_path, atomic_write_json

TENSORS = "checkpoint.safetensors"
STATE = "checkpoint.json"


def save_checkpoint(folder: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, state: dict) -> None:
    """Write parameters, buffers, Adam moments and the loop ``state`` atomically (JSON last)."""
    names = {id(p): n for n, p in model.named_parameters()}
    tensors = {f"param/{n}": p.detach().cpu().contiguous() for n, p in model.named_parameters()}
    # Buffers too: some are chosen at the start of training (the split field's ild_scale), which
    # a resumed run does not repeat.
    tensors.update({f"buffer/{n}": b.detach().cpu().contiguous() for n, b in model.named_buffers()})
    steps = {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            st = optimizer.state.get(p)
            if not st:
                continue
            name = names[id(p)]
            tensors[f"adam/{name}/exp_avg"] = st["exp_avg"].detach().cpu().contiguous()
            tensors[f"adam/{name}/exp_avg_sq"] = st["exp_avg_sq"].detach().cpu().contiguous()
            steps[name] = float(st["step"])
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / TENSORS) as tmp:
        save_file(tensors, str(tmp))
    atomic_write_json(folder / STATE, {**state, "adam_steps": steps})


def has_checkpoint(folder: Path) -> bool:
    """Whether ``folder`` holds a complete checkpoint."""
    return (folder / STATE).is_file() and (folder / TENSORS).is_file()


def load_checkpoint(folder: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    """Restore parameters, buffers and Adam state in place; returns the saved loop state."""
    try:
        state = json.loads((folder / STATE).read_text())
        tensors = load_file(str(folder / TENSORS))
    except (OSError, ValueError) as exc:
        raise AudioGSError(f"cannot read the checkpoint in {folder}: {exc}") from exc
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, p in params.items():
            key = f"param/{name}"
            if key not in tensors or tensors[key].shape != p.shape:
                raise AudioGSError(f"checkpoint in {folder} does not match this model (tensor {name})")
            p.copy_(tensors[key])
        for name, b in model.named_buffers():  # absent from checkpoints written before buffers were kept
            key = f"buffer/{name}"
            if key in tensors and tensors[key].shape == b.shape:
                b.copy_(tensors[key])
    for group in optimizer.param_groups:
        for p in group["params"]:
            name = next(n for n, q in params.items() if q is p)
            if name in state.get("adam_steps", {}):
                optimizer.state[p] = {
                    "step": torch.tensor(state["adam_steps"][name]),
                    "exp_avg": tensors[f"adam/{name}/exp_avg"].to(p.device),
                    "exp_avg_sq": tensors[f"adam/{name}/exp_avg_sq"].to(p.device),
                }
    return state


def remove_checkpoint(folder: Path) -> None:
    """Delete the checkpoint files of ``folder`` (absent ones are fine)."""
    for name in (STATE, TENSORS):
        (folder / name).unlink(missing_ok=True)
