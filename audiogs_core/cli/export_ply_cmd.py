"""``audiogs export-ply MODEL OUT.ply``: the Gaussians as a PLY point cloud."""

from __future__ import annotations

import argparse

from audiogs_core.io.model_folder import read_model_folder
from audiogs_core.io.ply import write_ply

NAME = "export-ply"
HELP = "write a model's Gaussians as a PLY point cloud (x, y, z, energy, decay, time, frequency)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``audiogs export-ply``."""
    parser.add_argument("model", help="model folder (model.json, gaussians.safetensors)")
    parser.add_argument("out", help="output .ply file")


def run(args: argparse.Namespace) -> int:
    """Write the model's Gaussians as a PLY point cloud; returns the exit status.

    numpy + safetensors only: no torch needed to export.
    """
    model = read_model_folder(args.model)
    write_ply(args.out, model)
    print(f"wrote {model.K * model.F} Gaussians (K={model.K}, F={model.F}) to {args.out}")
    return 0
