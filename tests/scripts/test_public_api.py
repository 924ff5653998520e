"""Scripts call the public API: no script imports a private name (a leading
underscore anywhere in the imported path) or the add-on's modules; the add-on is
driven through bpy.ops.audiogs.* after ``blender_addon.register()``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "scripts").glob("*.py"))


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_imports_only_public_names(script):
    names = _imports(ast.parse(script.read_text(encoding="utf-8")))
    private = [n for n in names if any(part.startswith("_") and part != "__future__"
                                       and not (part.startswith("__") and part.endswith("__"))
                                       for part in n.split("."))]
    addon_internals = [n for n in names if n.startswith("blender_addon.")]
    assert not private and not addon_internals, (private, addon_internals)
