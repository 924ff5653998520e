"""Every operator driven headless in real Blender (bpy wheel), source-tree add-on."""

from __future__ import annotations

import pytest

from _bl_run import assert_check, check_names, run_driver

pytestmark = pytest.mark.blender
DRIVER = "bl_operators.py"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_driver(DRIVER, tmp_path_factory.mktemp("bl_operators"))


@pytest.mark.parametrize("check", check_names(DRIVER))
def test_inside_blender(results, check):
    assert_check(results, check)
