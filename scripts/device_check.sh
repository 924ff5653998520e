#!/usr/bin/env bash
# The one prepared script for a lent GPU machine (issue 12): CUDA against the CPU, the speed
# table on both, and torch.profiler tables of the GPU paths.  Writes everything under OUT
# (default: $OUT, else docs/experiments/device); needs a .venv with a CUDA torch there.
#   bash scripts/device_check.sh [OUT]
# Environment (all optional):
#   PYTHON=python3         the interpreter (default: the repo's .venv)
#   CAPTURE=DIR            a capture simulated beforehand (a machine without pyroomacoustics);
#                          else a 6 s shoebox capture is simulated into OUT/capture
#   PRESETS=physical,tuned the presets bench_speed times; profile_speed profiles the first
#   CPU_THREADS=16         also time the CPU alone with this many threads (speed_cpu<N>.json)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-${OUT:-docs/experiments/device}}"
mkdir -p "$out"
py="${PYTHON:-$root/.venv/bin/python}"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"  # audiogs_core where it is not installed
presets="${PRESETS:-physical,tuned}"
{ "$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
  { nvidia-smi || true; } 2>&1 | head -15; grep -m1 "model name" /proc/cpuinfo; nproc; } | tee "$out/env.txt"
capture="${CAPTURE:-}"
if [ -z "$capture" ]; then  # a small capture to train on (the simulator's default room, 6 s)
  capture="$out/capture"
  "$py" -m audiogs_core simulate "$capture" --room shoebox --seconds 6 --force --progress none >/dev/null
fi
# The pyroomacoustics pose is timed only where pyroomacoustics is installed.
sim=""; "$py" -c "import pyroomacoustics" 2>/dev/null || sim="--skip-sim"
"$py" scripts/check_cuda.py "$capture" --epochs 2 2>&1 | tee "$out/check_cuda.txt"
"$py" scripts/bench_speed.py --device cpu,cuda --threads 2 --preset "$presets" $sim --json "$out/speed.json" 2>&1 | tee "$out/speed.txt"
"$py" scripts/profile_speed.py --device cuda --preset "${presets%%,*}" --out "$out" 2>&1 | tee "$out/profile.txt"
if [ -n "${CPU_THREADS:-}" ]; then
  "$py" scripts/bench_speed.py --device cpu --threads "$CPU_THREADS" --preset "$presets" --skip-sim \
    --json "$out/speed_cpu$CPU_THREADS.json" 2>&1 | tee -a "$out/speed.txt"
fi
