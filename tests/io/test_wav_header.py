import math
import struct

import numpy as np
import pytest
from _io_helpers import SR, noise

from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import write_wav
from audiogs_core.io.wav_header import wav_info


def test_header_of_a_written_wav(tmp_path):
    path = tmp_path / "a.wav"
    write_wav(path, noise(2, 0.75), SR)
    info = wav_info(path)
    assert (info.sample_rate, info.channels) == (SR, 2)
    assert info.seconds == pytest.approx(0.75)


def _pcm16(path, rate, channels, frames, extra_chunk: bytes = b""):
    data = np.zeros(frames * channels, dtype="<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra_chunk
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def test_odd_sized_chunks_before_the_data_are_skipped(tmp_path):
    path = tmp_path / "b.wav"
    _pcm16(path, 44100, 1, 4410, extra_chunk=b"LIST" + struct.pack("<I", 3) + b"abc" + b"\0")
    info = wav_info(path)
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert info.seconds == pytest.approx(0.1)


def test_unknown_data_size_gives_nan(tmp_path):
    path = tmp_path / "c.wav"
    _pcm16(path, 16000, 2, 10)
    path.write_bytes(path.read_bytes()[:-(40 + 8)])  # cut the data chunk off
    assert math.isnan(wav_info(path).seconds)


def test_bad_files_are_clear_errors(tmp_path):
    with pytest.raises(AudioGSError, match="cannot read audio file"):
        wav_info(tmp_path / "missing.wav")
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(AudioGSError, match="is not a WAV file"):
        wav_info(text)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"RIFF" + struct.pack("<I", 4) + b"WAVE")
    with pytest.raises(AudioGSError, match="no valid WAV format chunk"):
        wav_info(empty)
