#!/bin/bash
# The benchmark's protocol on development rooms (issue 9): rooms devbox and devell
# (docs/experiments/dev_rooms/), simulator seed 103 (the benchmark's is 0), the benchmark's reduced
# run otherwise (split A folds 0 and 4, split C, both reference settings, the copying baselines and
# dsp, no ablations). Nothing here shares a room, a position or a pose with the benchmark.
#
#   docs/experiments/dev_bench.sh OUT TAG [audiogs bench options, e.g. --flag x=true]
#
# TAG "base" simulates the captures and scores the baselines; any other TAG starts from a copy of
# OUT/base (its captures and the baselines' parts are reused: a changed model trains AudioGS
# again). The mesh paths are part of the settings: a clone that runs a code variant keeps the
# first checkout's (DEV_ROOMS=/that/checkout/docs/experiments/dev_rooms, PYTHON=its .venv/bin/python).
# Tables: python docs/experiments/dev_bench_compare.py OUT/base OUT/TAG ... [--rooms]
set -e
root="$(cd "$(dirname "$0")/../.." && pwd)"
out=$1; tag=$2; shift 2
dev="${DEV_ROOMS:-$root/docs/experiments/dev_rooms}"
rooms="$dev/devbox.obj,$dev/devell.obj"
cd "$root"  # python -m puts the working directory first on the path: this checkout's code runs
if [ "$tag" != base ] && [ ! -d "$out/$tag" ]; then
  cp -r "$out/base" "$out/$tag"
fi
PYTHONPATH="$root" "${PYTHON:-$root/.venv/bin/python}" -m audiogs_core bench --out "$out/$tag" --jobs 2 --folds 0,4 --ablations none \
    --methods input,nearest_view,idw_mix,mean_view,dsp --splits A,C --rooms "$rooms" --sim-seed 103 \
    --progress none "$@"
