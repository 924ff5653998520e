"""Type names for mypy (fake-bpy-module stubs); plain ``set`` at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems

    OpResult = set[OperatorReturnItems]
else:
    OpResult = set
