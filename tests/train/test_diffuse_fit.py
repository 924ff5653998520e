"""Starting the split field: the direct-to-room balance and the room's coherence."""

import numpy as np
import pytest

from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.metrics.highpass import highpass
from audiogs_core.train import diffuse_fit
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.dsp.stft import band_of_bins
from audiogs_core.train.diffuse_fit import choose_direct_balance, start_split
from audiogs_core.train.presets import get_preset
from audiogs_core.train.tail_fit import OCTAVE_CENTRES, start_tail
from audiogs_core.train.trainer import build_model


@pytest.fixture(scope="module")
def started(freefield_capture):
    capture = load_capture(freefield_capture)
    td = training_data_from_capture(capture, load_capture_audio(capture))
    model = build_model(td, get_preset("physical").flags)
    reference = highpass(td.reference, td.sample_rate)
    views = np.stack([highpass(v, td.sample_rate) for v in td.view_audio])
    start_tail(model, reference, views, td.stft)
    # a close mic's split field renders from the reference and the views' recorded room after it
    reference = start_split(model, td, reference, views, td.stft)
    assert reference.shape[0] == 3
    return td, model, reference, views


def test_the_direct_part_starts_at_the_close_mics_level_scaled_by_distance(started):
    td, model, _, _ = started
    # the reference 0.3 m from the source, the train views 1.38 m on average: 20 log10(0.3 / 1.38)
    r0 = np.linalg.norm(td.view_positions - td.source_positions[0], axis=1).mean()
    assert float(model.direct_distance) == pytest.approx(r0, rel=1e-5)
    assert np.allclose(model.gain_db.detach().numpy(), 20 * np.log10(0.3 / r0), atol=1e-3)


def test_the_balance_takes_per_band_the_offset_with_the_lowest_error(started):
    td, model, reference, views = started
    bands = band_of_bins(np.arange(257) * 31.25, OCTAVE_CENTRES)
    calls = []

    def bin_error():
        offset = float(np.median(model.gain_db.detach().numpy())) - 20 * np.log10(0.3 / float(model.direct_distance))
        calls.append(offset)
        # band 2 (500 Hz) is best at -9 dB, every other band at 0 dB
        return np.where(bands == 2, np.abs(offset + 9.0), np.abs(offset)) + 1.0

    tail_before = model.tail_db.clone()
    best = choose_direct_balance(model, td, reference, views, td.stft, bin_error)
    assert sorted(round(c) for c in calls) == sorted(diffuse_fit.DIRECT_OFFSETS_DB)
    assert np.all(best[bands == 2] == -9.0) and np.all(best[bands != 2] == 0.0)
    gain = model.gain_db.detach().numpy() - 20 * np.log10(0.3 / float(model.direct_distance))
    assert np.allclose(gain[bands == 2], -9.0, atol=1e-3) and np.allclose(gain[bands != 2], 0.0, atol=1e-3)
    # a quieter direct part leaves more of the views' energy to the room
    assert float((model.tail_db - tail_before)[bands == 2].mean()) > 3.0


def test_the_transfer_balance_puts_the_direct_part_at_the_level_the_close_mic_measures(started):
    # direct_level "transfer": no search; the direct part starts at the close mic's measured transfer
    # to the views. Ears recorded 6 dB hotter (an uncalibrated pair) start it 6 dB higher, per bin,
    # beyond the search's candidates; the free-field views' direct sound is near physics' level.
    td, model, reference, views = started
    physical = 20 * np.log10(0.3 / float(model.direct_distance))

    def no_search():
        raise AssertionError("the transfer balance renders no candidates")

    offset = choose_direct_balance(model, td, reference, views, td.stft, no_search, "transfer")
    assert offset.shape == (257,) and np.all(np.isfinite(offset))
    assert np.allclose(model.gain_db.detach().numpy() - physical, offset, atol=1e-3)
    speech = slice(4, 128)  # 125 Hz - 4 kHz: where the dry signal has its energy
    assert abs(float(np.median(offset[speech]))) < 3.0
    hotter = choose_direct_balance(model, td, reference, 2.0 * views, td.stft, no_search, "transfer")
    assert np.allclose(hotter[speech] - offset[speech], 20 * np.log10(2.0), atol=0.05)
    assert float(hotter[speech].max()) > max(diffuse_fit.DIRECT_OFFSETS_DB) + 3.0


def test_the_ild_scale_takes_per_band_the_scale_with_the_lowest_error(started):
    _, model, _, _ = started
    bands = band_of_bins(np.arange(257) * 31.25, OCTAVE_CENTRES)
    seen = []

    def ild_error():
        scale = float(model.ild_scale[0])
        assert np.all(model.ild_scale.numpy() == scale)  # each candidate is tried everywhere at once
        seen.append(scale)
        return np.where(bands == 3, np.abs(scale - 0.25), np.abs(scale - 1.0))  # 1 kHz wants 0.25

    best = diffuse_fit.choose_ild_scale(model, ild_error)
    assert seen == list(diffuse_fit.ILD_SCALES)
    assert np.all(best[bands == 3] == 0.25) and np.all(best[bands != 3] == 1.0)
    assert np.array_equal(model.ild_scale.numpy(), best.astype(np.float32))


def test_the_ild_error_is_the_level_difference_missed_per_band_and_view():
    freqs = np.arange(257) * 31.25
    bands = band_of_bins(freqs, OCTAVE_CENTRES)
    view = np.ones((2, 2, 257))
    pred = view.copy()
    pred[0, 0, bands == 4] *= 10 ** 0.3  # view 0's left ear 3 dB too loud at 2 kHz
    err = diffuse_fit.band_ild_error(pred, view, freqs)
    assert err[bands == 4].sum() == pytest.approx(3.0, rel=1e-6)
    assert np.allclose(err[bands != 4], 0.0)
