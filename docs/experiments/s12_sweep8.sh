#!/bin/bash
# Sweep 8 (issue 9): the split field with a binaural reference, on development captures only
# (rooms devbox/devell, simulator seed 103: docs/experiments/s7_dev_paths_sim.py writes them to
# /work/devpaths). Each capture gets a twin whose reference is its ring2 view (binaural, known pose).
# Raw JSON in docs/experiments/s12/; tables: python docs/experiments/s12_table.py FILE.json ...
set -e
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
EXP=${EXP:-/work/exp}
for room in devbox devell; do
  [ -d /work/devpaths/${room}_s103_view ] || .venv/bin/python docs/experiments/s12_view_reference.py \
      /work/devpaths/${room}_s103 /work/devpaths/${room}_s103_view --view ring2
  for ref in close view; do
    cap=/work/devpaths/${room}_s103$([ $ref = view ] && echo _view)
    for preset in tuned physical; do
      .venv/bin/python docs/experiments/s12_train_eval.py $cap $EXP/models/${room}_${ref}_${preset} \
          --preset $preset --json $EXP/s12/${room}_${ref}_${preset}.json --baselines
    done
  done
done
