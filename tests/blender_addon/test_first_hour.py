"""A new user's first hour, driven headless in real Blender (bpy wheel)."""

from __future__ import annotations

import pytest

from _bl_run import assert_check, check_names, run_driver

pytestmark = pytest.mark.blender
DRIVER = "bl_first_hour.py"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_driver(DRIVER, tmp_path_factory.mktemp("bl_first_hour"), timeout=400)


@pytest.mark.parametrize("check", check_names(DRIVER))
def test_inside_blender(results, check):
    assert_check(results, check)
