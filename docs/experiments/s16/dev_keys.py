"""The development benchmark's part keys (dev_bench.sh's settings) under this checkout's code."""
import sys
from audiogs_core.bench import full_config, shrink
from audiogs_core.cli.bench_cmd import parse_rooms
dev = sys.argv[1]
config = full_config()
folds = (0, 4)
config = shrink(config, device="cpu", folds_a=folds,
                ablation_folds=tuple(f for f in config.ablation_folds if f in folds) or folds[:1],
                dpam_folds=tuple(f for f in config.dpam_folds if f in folds) or folds[:1],
                splits=("A", "C"), ablations=(), methods=("audiogs", "input", "nearest_view", "idw_mix", "mean_view", "dsp"),
                sim_seed=103, **parse_rooms(f"{dev}/devbox.obj,{dev}/devell.obj"))
print(config.key("mean_view"))
