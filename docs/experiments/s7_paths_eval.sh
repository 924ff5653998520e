#!/bin/bash
# Split-C-style scoring on development rooms (seed 103, rooms devbox/devell, no benchmark pose).
cd /work/main
export OMP_NUM_THREADS=1
for room in devbox devell; do
  cap=/work/devpaths/${room}_s103
  for preset in ${PRESETS:-tuned physical}; do
    out=/work/exp/models/${room}_${preset}${TAG}
    [ -f $out/model.json ] || .venv/bin/audiogs train $cap --out $out --preset $preset --progress none --device cpu
    .venv/bin/audiogs eval $out $cap --views none --paths --baselines --metrics MAG,ICE --json /work/exp/paths_${room}_${preset}${TAG}.json --progress none > /work/exp/paths_${room}_${preset}${TAG}.txt 2>&1
  done
done
