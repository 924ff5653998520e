#!/usr/bin/env bash
# The main job on the built-in default: simulate a small room, train, open it
# in Blender through bpy, bake a binaural track along a camera path, and write
# the results and a short report (bootstraps .venv first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh"
cd "$root"
exec "$root/.venv/bin/python" "$root/scripts/demo.py" "$@"
