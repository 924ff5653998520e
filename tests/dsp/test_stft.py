import pytest
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import istft, stft


def test_settings_of_the_protocol():
    s = stft_settings(16000)
    assert (s.n_fft, s.hop, s.win, s.n_freq) == (512, 160, 400, 257)
    s48 = stft_settings(48000)
    assert (s48.n_fft, s48.hop, s48.win) == (2048, 480, 1200)


@pytest.mark.parametrize("sr", [16000, 48000])
def test_matches_torch_stft_and_round_trips(sr):
    s = stft_settings(sr)
    x = torch.randn(3, 2, sr // 2 + 17, generator=torch.Generator().manual_seed(1))
    spec = stft(x, s)
    ref = torch.stft(x.reshape(-1, x.shape[-1]), s.n_fft, s.hop, s.win,
                     torch.hamming_window(s.win, periodic=True), center=True, pad_mode="constant",
                     return_complex=True)
    assert spec.shape == (3, 2, s.n_freq, x.shape[-1] // s.hop + 1)
    assert torch.allclose(spec.reshape(ref.shape), ref)
    back = istft(spec, s, x.shape[-1])
    assert torch.max(torch.abs(back - x)) < 1e-5
