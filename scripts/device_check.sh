#!/usr/bin/env bash
# The one prepared script for a lent GPU machine (issue 12): CUDA against the CPU, the speed
# table on both, and torch.profiler tables of the GPU paths.  Writes everything under OUT
# (default: $OUT, else docs/experiments/device); needs a .venv with a CUDA torch there.
#   bash scripts/device_check.sh [OUT]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-${OUT:-docs/experiments/device}}"
mkdir -p "$out"
py="${PYTHON:-$root/.venv/bin/python}"
"$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" | tee "$out/env.txt"
# A small capture to train on (the simulator's default room, 6 s).
"$py" -m audiogs_core simulate "$out/capture" --room shoebox --seconds 6 --force --progress none >/dev/null
"$py" scripts/check_cuda.py "$out/capture" --epochs 2 2>&1 | tee "$out/check_cuda.txt"
"$py" scripts/bench_speed.py --device cpu,cuda --threads 2 --json "$out/speed.json" 2>&1 | tee "$out/speed.txt"
"$py" scripts/profile_speed.py --device cuda --out "$out" 2>&1 | tee "$out/profile.txt"
