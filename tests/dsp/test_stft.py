import pytest
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import OverlapAdd, istft, stft


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


def _torch_istft(spec, s, length):
    dtype = torch.float64 if spec.dtype == torch.complex128 else torch.float32
    flat = spec.reshape(-1, *spec.shape[-2:])
    out = torch.istft(flat, s.n_fft, s.hop, s.win, torch.hamming_window(s.win, periodic=True, dtype=dtype),
                      center=True, length=length)
    return out.reshape(*spec.shape[:-2], length)


@pytest.mark.parametrize("sr", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("trim", [0, 7, 301])
def test_istft_gives_torch_istft_values_for_any_spectrogram(sr, trim):
    # Not a round trip: a spectrogram no signal has (each frame phase-shifted, noise added),
    # where only the exact least-squares overlap-add agrees with torch.istft.
    s = stft_settings(sr)
    g = torch.Generator().manual_seed(sr + trim)
    x = torch.randn(2, 3, sr // 3, generator=g)
    spec = stft(x, s)
    spec = spec * torch.polar(torch.ones(()), torch.tensor(0.7)) + 0.05 * torch.randn(spec.shape, generator=g,
                                                                                         dtype=spec.dtype)
    length = x.shape[-1] - trim
    ours, theirs = istft(spec, s, length), _torch_istft(spec, s, length)
    assert ours.shape == (2, 3, length)
    assert torch.max(torch.abs(ours - theirs)) < 1e-5 * torch.max(torch.abs(theirs))


def test_istft_reads_a_frame_major_spectrogram_and_keeps_its_gradient():
    s = stft_settings(16000)
    g = torch.Generator().manual_seed(3)
    frame_major = torch.randn(2, 40, s.n_freq, dtype=torch.complex128, generator=g).requires_grad_()
    weights = torch.randn(2, 39 * s.hop, dtype=torch.float64, generator=g)
    ours = istft(frame_major.transpose(1, 2), s, 39 * s.hop)
    theirs = _torch_istft(frame_major.transpose(1, 2).contiguous(), s, 39 * s.hop)
    assert torch.allclose(ours, theirs, atol=1e-12)
    grad_ours, = torch.autograd.grad((ours * weights).sum(), frame_major)
    grad_theirs, = torch.autograd.grad((theirs * weights).sum(), frame_major)
    assert torch.allclose(grad_ours, grad_theirs, atol=1e-9)


def test_overlap_add_of_chunks_in_any_order_is_the_whole_inverse():
    s = stft_settings(48000)
    x = torch.randn(2, 48000, generator=torch.Generator().manual_seed(5))
    spec = stft(x, s).transpose(1, 2)  # [2, N, F] frame-major
    n = spec.shape[1]
    ola = OverlapAdd(s, n, x.shape[-1], 2, "cpu", torch.float32)
    for a in (60, 0, 17, 90):  # chunks of uneven sizes, out of order
        b = {0: 17, 17: 60, 60: 90, 90: n}[a]
        ola.add(spec[:, a:b], a)
    assert torch.max(torch.abs(ola.result() - x)) < 1e-5
