"""The header of a RIFF/WAVE file: sample rate, channels and duration.

Standard library only: Blender's Python has no soundfile, and exporting a
capture needs no more than the header (``io/audio.py`` reads the samples).
"""

from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from audiogs_core.errors import AudioGSError


@dataclass(frozen=True)
class WavInfo:
    """What the header says: rate (Hz), channels and seconds (NaN when the data size is unknown)."""

    sample_rate: int
    channels: int
    seconds: float


def wav_info(path: str | os.PathLike) -> WavInfo:
    """Read the ``fmt `` and ``data`` chunk headers of a WAV (RIFF or RF64) file.

    Raises AudioGSError for a file that cannot be read, is not a WAV or has no
    valid format chunk.
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
                raise AudioGSError(f"{p} is not a WAV file")
            rate = channels = block = 0
            data_bytes = -1
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    break
                cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(size)
                    if len(fmt) < 14:
                        break
                    channels, rate = struct.unpack("<HI", fmt[2:8])
                    block = struct.unpack("<H", fmt[12:14])[0]
                    if size % 2:
                        fh.read(1)
                elif cid == b"data":
                    data_bytes = size
                    break
                else:
                    fh.seek(size + (size % 2), 1)  # chunks are padded to even sizes
    except OSError as exc:
        raise AudioGSError(f"cannot read audio file {p}: {exc}") from exc
    if rate <= 0 or channels <= 0:
        raise AudioGSError(f"{p} has no valid WAV format chunk")
    seconds = data_bytes / (block * rate) if data_bytes >= 0 and block > 0 else math.nan
    return WavInfo(int(rate), int(channels), float(seconds))
