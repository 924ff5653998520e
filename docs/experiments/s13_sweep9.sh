#!/bin/bash
# Sweep 9 (issue 9): a close mic's room from the train views' recordings, and the room's level
# falling with distance, on development captures only (rooms devbox/devell, simulator seed 103:
# docs/experiments/s7_dev_paths_sim.py and s12_view_reference.py write them to /work/devpaths).
# Raw JSON in docs/experiments/s13/; tables: python docs/experiments/s12_table.py FILE.json ...
#
# The kept variants run from the committed code: the default preset (physical, with flags
# recorded_room and room_distance: "phys9"), and room_distance on its own ("rd"). The variants of
# how the views' room is taken out of them ("rr*", "rrdir", "rrls" = phys9) were code variants
# measured in the working tree before the commit that kept one (BENCHMARKS.md, sweep 9, names them).
set -e
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
EXP=${EXP:-/work/exp}
for room in devbox devell; do
  cap=/work/devpaths/${room}_s103
  .venv/bin/python docs/experiments/s12_train_eval.py $cap $EXP/models/${room}_close_phys9 \
      --json $EXP/s13/${room}_close_phys9.json
  .venv/bin/python docs/experiments/s12_train_eval.py $cap $EXP/models/${room}_close_rd \
      --set flags.recorded_room=false --json $EXP/s13/${room}_close_rd.json
  # a binaural reference is unchanged (its room keeps its level: model/diffuse.falls_with_distance;
  # the fall was measured on it before that restriction, docs/experiments/s13/*_view_rd.json)
  .venv/bin/python docs/experiments/s12_train_eval.py ${cap}_view $EXP/models/${room}_view_phys9 \
      --json $EXP/s13/${room}_view_phys9.json
  .venv/bin/audiogs eval $EXP/models/${room}_close_phys9 $cap --views test --metrics DPAM,DPAM_ears \
      --json $EXP/s13/dpam_${room}_close_rrls.json --progress none
done
