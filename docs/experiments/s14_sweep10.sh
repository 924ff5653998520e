#!/bin/bash
# Sweep 10 (issue 9): a binaural reference's room as the train views recorded it, on development
# captures only (rooms devbox/devell, simulator seed 103, binaural reference = train view ring2:
# docs/experiments/s7_dev_paths_sim.py and s12_view_reference.py write them to /work/devpaths).
# Raw JSON in docs/experiments/s14/; tables: python docs/experiments/s12_table.py FILE.json ...
#
# The chosen variant runs from the committed code: the default preset with flag
# binaural_recorded_room ("brlp"), against the default preset ("base": the reference's own late
# sound as its room). The flag then failed on the benchmark and is off in every preset. The other variants (the views' room by the
# least-squares prediction from the reference or its direct part, "brr*"; the late sounds summed
# without the phase turns, "brl"; with the room's fall with distance, "brld"; a beamformed close
# mic, "bf"; the phase turns on a close mic's room, "close_p") were code variants measured in the
# working tree before the commit that kept one (BENCHMARKS.md, sweep 10, names them).
set -e
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
EXP=${EXP:-/work/exp}
for room in devbox devell; do
  cap=/work/devpaths/${room}_s103_view
  .venv/bin/python docs/experiments/s12_train_eval.py $cap $EXP/models/s14_${room}_view_base \
      --json $EXP/s14/${room}_view_base.json
  .venv/bin/python docs/experiments/s12_train_eval.py $cap $EXP/models/s14_${room}_view_brlp \
      --set flags.binaural_recorded_room=true --json $EXP/s14/${room}_view_brlp.json
  for tag in base brlp; do
    .venv/bin/audiogs eval $EXP/models/s14_${room}_view_$tag $cap --views test --metrics DPAM,DPAM_ears \
        --json $EXP/s14/dpam_${room}_view_$tag.json --progress none
  done
done
