#!/bin/bash
# Sweep 6: the tuned preset against each of its settings switched back to the
# published value, one at a time, on development captures only (rooms of
# docs/experiments/dev_rooms, simulated with their own seed; the tuning script
# refuses anything that shares a room, seed or view position with the benchmark).
#
#   [ONLY=name,name PART=a] docs/experiments/sweep6_recheck.sh CAPTURES_DIR SEED ROOM...
#
# ONLY runs those variants alone (to share one room between two jobs); PART
# then names the result file's part (s6r_ROOM_sSEED_close_PART.json).
#
# Captures: audiogs simulate --room docs/experiments/dev_rooms/ROOM.obj --hrtf kemar
#           --seed SEED --seconds 6 CAPTURES_DIR/ROOM_sSEED
# Results:  docs/experiments/s6r_ROOM_sSEED_close.json, one thread per run.
set -euo pipefail
cd "$(dirname "$0")/../.."
captures=$1; seed=$2; shift 2
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=$PWD
variants=(
  "tuned:"
  "lr_gain:lr_gain=0.0005"
  "lr_sh_dc:lr_sh_dc=none"
  "init_centre:init_centre=views"
  "init_spread:init_spread=2.5"
  "lr_mu:lr_mu=0.025"
  "loss_terms:loss_terms=mid_side"
  "loss_norm:loss_norm=l2"
  "tail_init:tail_init=fixed"
  "sh_degree:flags.sh_degree=3"
  "attenuation:flags.attenuation=true,flags.max_attenuation=none"
  "delay:flags.delay=true"
  "reverb_tail:flags.reverb_tail=false"
  "mask_range:flags.mask_range=2"
)
args=()
for v in "${variants[@]}"; do
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",${v%%:*},"* ]]; then continue; fi
  args+=(--variant "$v")
done
suffix=${PART:+_$PART}
for room in "$@"; do
  cap="$captures/${room}_s${seed}"
  until [ -f "$cap/capture.json" ]; do sleep 10; done  # simulated by another job
  .venv/bin/python scripts/tune_on_train_views.py "$cap" --validate ring1,ring4,turned_left,turned_right \
    --ref close --preset tuned --metrics MAG,ENV,LRE,RTE,ITDE "${args[@]}" \
    --json "docs/experiments/s6r_${room}_s${seed}_close${suffix}.json"
done
