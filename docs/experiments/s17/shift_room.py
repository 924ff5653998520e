"""A copy of a model folder with its recorded room (room.wav) delayed N samples: shift_room.py SRC DST N"""
import sys, shutil, numpy as np
from pathlib import Path
from audiogs_core.io.audio import read_wav, write_wav
src, dst, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
if dst.exists(): shutil.rmtree(dst)
shutil.copytree(src, dst)
x, sr = read_wav(dst / "room.wav")
y = np.zeros_like(x); y[:, n:] = x[:, :x.shape[1] - n]
write_wav(dst / "room.wav", y, sr)
