#!/usr/bin/env python3
"""Build the Blender extension zip: ``dist/audiogs-<version>.zip``.

Stages ``blender_manifest.toml`` + the ``blender_addon/`` package + a wheel of
``audiogs_core`` (``pip wheel --no-deps`` of this repository) + the
``safetensors`` wheels of every supported platform (never torch or numpy:
Blender ships numpy, torch is the user's), then runs Blender's own extension
validator and builder (``blender_ext.py`` from the ``bpy`` wheel).

    python scripts/build_extension.py [--out-dir dist] [--platforms all|current|P1,P2]

When a platform's safetensors wheel cannot be downloaded (no network), the
build falls back to the current platform only and says so; the zip then
declares that one platform.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "blender_manifest.toml"
ADDON_DIR = ROOT / "blender_addon"

# Blender 4.5 embeds Python 3.11; safetensors ships abi3 wheels for it.
BLENDER_PYTHON = "3.11"
# Blender platform name -> the pip --platform tag to download for it.
PLATFORM_TAGS = {
    "linux-x64": "manylinux_2_17_x86_64",
    "macos-arm64": "macosx_11_0_arm64",
    "macos-x64": "macosx_10_12_x86_64",
    "windows-x64": "win_amd64",
    "windows-arm64": "win_arm64",
}
# Packages that must never end up in the extension.
FORBIDDEN_WHEELS = ("torch", "numpy")


class BuildError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[build_extension] {msg}", flush=True)


def core_version() -> str:
    """``audiogs_core.__version__`` read from the source (no import needed)."""
    text = (ROOT / "audiogs_core" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
    if not m:
        raise BuildError("audiogs_core/__init__.py has no __version__")
    return m.group(1)


def current_platform() -> str:
    """This machine as a Blender platform name (e.g. linux-x64)."""
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform)
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "arm64": "arm64", "aarch64": "arm64"}.get(machine)
    if system is None or arch is None:
        raise BuildError(f"unsupported build platform {sys.platform}/{machine}")
    return f"{system}-{arch}"


def find_blender_ext(explicit: str | None) -> Path:
    """Blender's extension CLI inside the installed bpy wheel (not imported: bpy is slow)."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise BuildError(f"--blender-ext {p} does not exist")
        return p
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("the bpy wheel is not installed: pip install bpy==4.5.15, or pass --blender-ext")
    for loc in spec.submodule_search_locations:
        hits = sorted(Path(loc).glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
        if hits:
            return hits[-1]
    raise BuildError("blender_ext.py not found inside the bpy wheel")


def valid_tags_file(blender_ext: Path) -> Path | None:
    """Blender's list of valid tags (``_bpy_internal/extensions/tags.py``) next to the CLI."""
    scripts = blender_ext.parents[3]
    p = scripts / "modules" / "_bpy_internal" / "extensions" / "tags.py"
    return p if p.is_file() else None


def run(cmd: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        raise BuildError(f"{what} failed (exit {proc.returncode}):\n" + "\n".join(tail))
    return proc


def build_core_wheel(dest: Path) -> Path:
    """``pip wheel --no-deps`` of this repository into ``dest``."""
    with tempfile.TemporaryDirectory(prefix="audiogs-core-wheel-") as tmp:
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "-q", "-w", tmp, str(ROOT)], "pip wheel of audiogs_core")
        wheels = sorted(Path(tmp).glob("audiogs_core-*.whl"))
        if len(wheels) != 1:
            raise BuildError(f"expected one audiogs_core wheel, got {[w.name for w in wheels]}")
        target = dest / wheels[0].name
        shutil.copy2(wheels[0], target)
    return target


def safetensors_requirement() -> str:
    """Pin safetensors to the version this interpreter has (reproducible builds)."""
    try:
        from importlib.metadata import version

        return f"safetensors=={version('safetensors')}"
    except Exception:  # noqa: BLE001 - not installed: take the newest
        return "safetensors"


def download_wheel(requirement: str, platform_tag: str | None, cache: Path) -> Path | None:
    """One binary wheel of ``requirement`` for ``platform_tag`` (None: this machine)."""
    target = cache / (platform_tag or "current")
    target.mkdir(parents=True, exist_ok=True)
    name = requirement.split("==")[0]
    pin = requirement.split("==")[1] if "==" in requirement else None
    cached = [w for w in sorted(target.glob(f"{name}-*.whl"))
              if pin is None or w.name.startswith(f"{name}-{pin}-")]
    if cached:
        return cached[-1]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "-q", "-d", str(target), requirement]
    if platform_tag is not None:
        cmd += ["--platform", platform_tag, "--python-version", BLENDER_PYTHON,
                "--implementation", "cp"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return None
    got = sorted(target.glob(f"{name}-*.whl"))
    return got[-1] if got else None


def repack_installed(dist_name: str, dest: Path) -> Path | None:
    """Last resort offline: rebuild a wheel of an installed distribution from its RECORD."""
    from importlib import metadata

    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        return None
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines()
            if line.startswith("Tag:")]
    if not tags or not dist.files:
        return None
    version = dist.version
    out = dest / f"{dist_name}-{version}-{tags[0]}.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in dist.files:
            src = Path(dist.locate_file(f))
            if src.is_file() and "__pycache__" not in f.parts:
                zf.write(src, f.as_posix())
    return out


def gather_safetensors(platforms: list[str], dest: Path, cache: Path) -> list[str]:
    """Copy a safetensors wheel per platform into ``dest``; return the platforms covered.

    Falls back to the current platform (download, else a repack of the
    installed distribution) when any platform's wheel cannot be had.
    """
    req = safetensors_requirement()
    got: dict[str, Path] = {}
    for plat in platforms:
        wheel = download_wheel(req, PLATFORM_TAGS[plat], cache)
        if wheel is None:
            got = {}
            break
        got[plat] = wheel
    if not got:
        here = current_platform()
        log(f"note: could not download {req} for every platform ({', '.join(platforms)}); "
            f"falling back to the current platform only ({here})")
        wheel = download_wheel(req, PLATFORM_TAGS.get(here), cache) or \
            download_wheel(req, None, cache) or repack_installed("safetensors", cache)
        if wheel is None:
            raise BuildError(f"no safetensors wheel for {here}: none downloadable, none installed")
        got = {here: wheel}
    for wheel in sorted(set(got.values())):
        shutil.copy2(wheel, dest / wheel.name)
    return sorted(got)


def staged_manifest(text: str, wheels: list[str], platforms: list[str]) -> str:
    """The root manifest plus the build-time keys, inserted before the first table."""
    extra = ("wheels = [\n" + "".join(f'  "{w}",\n' for w in wheels) + "]\n"
             + "platforms = [" + ", ".join(f'"{p}"' for p in platforms) + "]\n\n")
    m = re.search(r"^\[", text, re.M)
    if m is None:
        return text.rstrip("\n") + "\n\n" + extra
    return text[:m.start()] + extra + text[m.start():]


def stage(stage_dir: Path, platforms: list[str], cache: Path) -> dict:
    if not (ADDON_DIR / "__init__.py").is_file():
        raise BuildError(f"{ADDON_DIR}/__init__.py missing")
    manifest_text = MANIFEST.read_text(encoding="utf-8")
    manifest = tomllib.loads(manifest_text)
    version = core_version()
    if manifest.get("version") != version:
        raise BuildError(f"blender_manifest.toml version {manifest.get('version')!r} differs "
                         f"from audiogs_core.__version__ {version!r}")
    shutil.copytree(ADDON_DIR, stage_dir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache"))
    wheels_dir = stage_dir / "wheels"
    wheels_dir.mkdir()
    build_core_wheel(wheels_dir)
    covered = gather_safetensors(platforms, wheels_dir, cache)
    wheel_names = sorted(w.name for w in wheels_dir.glob("*.whl"))
    for name in wheel_names:
        if name.split("-")[0].lower() in FORBIDDEN_WHEELS:
            raise BuildError(f"refusing to bundle {name}")
    (stage_dir / "blender_manifest.toml").write_text(
        staged_manifest(manifest_text, [f"./wheels/{n}" for n in wheel_names], covered),
        encoding="utf-8")
    return {"id": manifest["id"], "version": version, "wheels": wheel_names,
            "platforms": covered}


def blender_ext_cmd(blender_ext: Path, sub: str, *args: str) -> list[str]:
    cmd = [sys.executable, str(blender_ext), sub, *args]
    tags = valid_tags_file(blender_ext)
    if tags is not None:
        cmd.append(f"--valid-tags={tags}")
    return cmd


def build(out_dir: Path, platforms: list[str], cache: Path, blender_ext: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="audiogs-ext-stage-") as tmp:
        stage_dir = Path(tmp) / "audiogs"
        info = stage(stage_dir, platforms, cache)
        log(f"staged {info['id']} {info['version']}: wheels {', '.join(info['wheels'])}; "
            f"platforms {', '.join(info['platforms'])}")
        run(blender_ext_cmd(blender_ext, "validate", str(stage_dir)), "blender_ext validate")
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{info['id']}-{info['version']}.zip"
        tmp_out = Path(tmp) / out.name
        run(blender_ext_cmd(blender_ext, "build", "--source-dir", str(stage_dir),
                            "--output-filepath", str(tmp_out)), "blender_ext build")
        run(blender_ext_cmd(blender_ext, "validate", str(tmp_out)), "blender_ext validate (zip)")
        # Move in two steps so a reader never sees a half-copied zip in out_dir.
        partial = out.with_name(f".{out.name}.partial")
        shutil.move(str(tmp_out), partial)
        os.replace(partial, out)
    return out


def parse_platforms(value: str) -> list[str]:
    if value == "all":
        return list(PLATFORM_TAGS)
    if value == "current":
        return [current_platform()]
    names = [p.strip() for p in value.split(",") if p.strip()]
    for p in names:
        if p not in PLATFORM_TAGS:
            raise BuildError(f"unknown platform {p!r} (known: {', '.join(PLATFORM_TAGS)})")
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=str(ROOT / "dist"), help="where the zip goes (default dist/)")
    ap.add_argument("--platforms", default="all",
                    help=f"all, current, or a comma list of {', '.join(PLATFORM_TAGS)}")
    ap.add_argument("--cache-dir", default=str(ROOT / "build" / "wheel_cache"),
                    help="downloaded wheels are kept here between builds")
    ap.add_argument("--blender-ext", default=None, help="path of blender_ext.py (default: from bpy)")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = ap.parse_args(argv)
    try:
        out = build(Path(args.out_dir), parse_platforms(args.platforms), Path(args.cache_dir),
                    find_blender_ext(args.blender_ext))
    except (BuildError, subprocess.TimeoutExpired) as exc:
        print(f"build_extension: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"zip": str(out)}))
    else:
        log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
