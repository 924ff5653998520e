"""Train the blind RT60 estimator of the RTE metric (DESIGN.md §7).

Simulates reverberant clips in random shoebox rooms (pyroomacoustics, fixed
seeds: one set to train on, one to pick the best epoch, one held out to
report), trains the small CNN of ``audiogs_core.metrics.rt60`` on
log1p|STFT| of random 1 to 3 s crops (the metric scores 3 s and 1 s windows)
and writes the weights as safetensors plus a JSON of the settings and the
held-out mean absolute errors next to them.

    python scripts/train_rt60.py [--train-clips 800] [--epochs 30] [--threads 2]

Runs in about ten minutes on two CPU cores (simulation about 2.5 min, then
5 to 20 s an epoch, 30 epochs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiogs_core.io.atomic import atomic_path, atomic_write_json  # noqa: E402
from audiogs_core.metrics.rt60 import WEIGHTS_PATH, RT60Net, features  # noqa: E402
from audiogs_core.metrics.rt60_sim import simulate_clips  # noqa: E402

FRAMES_PER_SECOND = 100  # hop 160 at 16 kHz


def featurise(clips: np.ndarray, batch: int = 64) -> torch.Tensor:
    """[N, T] float32 clips -> [N, 257, frames] float32 features."""
    out = [features(torch.from_numpy(clips[i:i + batch])) for i in range(0, len(clips), batch)]
    return torch.cat(out)


def mae(net: RT60Net, feats: torch.Tensor, labels: torch.Tensor, seconds: float) -> float:
    """Mean absolute error on the first ``seconds`` of every clip."""
    frames = int(seconds * FRAMES_PER_SECOND) + 1
    with torch.no_grad():
        pred = torch.cat([net(feats[i:i + 64, :, :frames]) for i in range(0, len(feats), 64)])
    return float((pred.double() - labels).abs().mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-clips", type=int, default=800)
    ap.add_argument("--val-clips", type=int, default=120)
    ap.add_argument("--test-clips", type=int, default=120)
    ap.add_argument("--seed", type=int, default=20260)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--minutes", type=float, default=15.0,
                    help="safety cap on the training loop's wall-clock time")
    ap.add_argument("--cache", type=Path, default=None,
                    help="an .npz to keep the simulated clips in between runs")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()
    sets = {}
    cached = dict(np.load(args.cache)) if args.cache and args.cache.is_file() else {}
    for name, n, offset in (("train", args.train_clips, 0), ("val", args.val_clips, 1),
                            ("test", args.test_clips, 2)):
        key = f"{name}_{args.seed + offset}_{n}"
        if key + "_clips" in cached:
            clips, labels = cached[key + "_clips"], cached[key + "_labels"]
        else:
            clips, labels = simulate_clips(args.seed + offset, n)
            cached[key + "_clips"], cached[key + "_labels"] = clips, labels
        sets[name] = (featurise(clips), torch.from_numpy(labels))
        print(f"{name}: {n} clips, RT60 {labels.min():.2f}-{labels.max():.2f} s "
              f"(mean {labels.mean():.2f}), {time.time() - t0:.0f} s", flush=True)
    t_sim = time.time() - t0
    if args.cache:
        with atomic_path(args.cache) as tmp, open(tmp, "wb") as f:
            np.savez(f, **cached)

    feats, labels = sets["train"]
    net = RT60Net()
    last = net.head[-1]
    assert isinstance(last, torch.nn.Linear)
    with torch.no_grad():
        last.bias.fill_(float(labels.mean()))  # start at the mean label
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    gen = torch.Generator().manual_seed(args.seed)
    best_val, best_epoch = float("inf"), -1
    best_state: dict[str, torch.Tensor] = {}
    t_train = time.time()
    epochs_run = 0
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(feats), generator=gen)
        total = 0.0
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            # a random 1 to 3 s crop per batch: the metric scores both window lengths
            seconds = float(torch.randint(1, 4, (1,), generator=gen))
            frames = int(seconds * FRAMES_PER_SECOND) + 1
            start = int(torch.randint(0, feats.shape[-1] - frames + 1, (1,), generator=gen))
            pred = net(feats[idx, :, start:start + frames])
            loss = (pred.double() - labels[idx]).abs().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        epochs_run = epoch + 1
        net.eval()
        val = 0.5 * (mae(net, *sets["val"], 3.0) + mae(net, *sets["val"], 1.0))
        if val < best_val:  # keep the epoch that does best on the validation rooms
            best_val, best_epoch = val, epoch
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        print(f"epoch {epoch + 1}: train L1 {total / len(feats):.4f}, val MAE {val:.4f} "
              f"({time.time() - t_train:.0f} s)", flush=True)
        if time.time() - t_train > args.minutes * 60:
            print("time budget reached", flush=True)
            break
    net.load_state_dict(best_state)
    net.eval()
    result = {
        "val_mae_s": best_val, "best_epoch": best_epoch + 1, "epochs_run": epochs_run,
        "test_mae_3s_s": mae(net, *sets["test"], 3.0),
        "test_mae_1s_s": mae(net, *sets["test"], 1.0),
    }
    print(json.dumps(result), flush=True)

    from safetensors.torch import save_file

    config = json.dumps(net.config)
    with atomic_path(args.out) as tmp:
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(tmp),
                  metadata={"config": config, "format": "audiogs.rt60_estimator"})
        tmp.chmod(0o644)  # safetensors creates the file afresh with mode 0600
    import pyroomacoustics

    # where the files went and the clip cache do not change the result: not recorded
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "cache")}
    atomic_write_json(args.out.with_suffix(".json"), {
        "format": "audiogs.rt60_estimator", "model": net.config,
        "n_parameters": sum(p.numel() for p in net.parameters()),
        "settings": settings,
        "data": "pyroomacoustics %s shoebox rooms 3-12 x 3-9 x 2.4-4.5 m, Sabine target RT60 "
                "0.2-1.2 s, image sources order 3 + ray tracing, label = measured T30 RT60 of the "
                "RIR; dry signals espeak-ng speech (60%%) and noise bursts; 3 s clips at 16 kHz, "
                "high-passed at 150 Hz" % pyroomacoustics.__version__,
        "result": result,
        "seconds": {"simulation": round(t_sim), "total": round(time.time() - t0)},
        "torch": torch.__version__,
    })
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
