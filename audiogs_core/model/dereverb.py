"""A binaural reference split into the talker's direct sound and its own room.

The split field (``model/split_field.py``) poses its reference's sound as the talker's: the direct
part scales it by distance and head. A close mic is that; a binaural recording standing in the
room is not: beyond the critical distance (under a metre in the benchmark's and the development
rooms) most of its energy is the room's, which the direct part would scale by 1/r and give the
sphere's level differences (on development rooms the ears' level difference came out 4-6 dB
wrong), and to which the diffuse part would add a second room.

So a binaural reference (flag ``dereverb_reference``) is split per cell:

* direct: X g, with Lebart, Boucher and Denbigh's late-reverberation gain g (2001, "A new method
  based on spectral subtraction for speech dereverberation"): in an exponentially decaying room
  the late energy of frame n is the energy of frame n - D decayed over those D frames,
  R(f, n) = exp(-2 D hop / tau_f) P(f, n - D), tau_f the room's decay (``room_tau``, read blind
  from the reference by ``train/room_decay.py``; with ``binaural_recorded_room`` the median of
  the train views' blind decays, with which their late sounds are split too), P a local power estimate,
  g = sqrt(max(1 - R / P, floor^2));
* own room: X sqrt(1 - g^2), kept as recorded (a real binaural recording of the room's diffuse
  field, much the same over the room) under the posed direct sound; or, with flag
  ``binaural_recorded_room``, the train views' own late sound split off the same way and summed
  (``train/recorded_room.late_room``): the room as every view recorded it, not one position's.

Both keep each cell's phase (one real gain per cell for both ears): the direct part's interaural
time difference is the reference's, which ``direct.py`` replaces by the pose's. What lies within
D of the sound (the first reflections) stays with the direct part; ``ild_scale`` accounts for
their level differences not being the head's.

X g and X sqrt(1 - g^2) share X's phase, where a recording's direct sound and room are different
sounds that add as powers; flag ``room_power_sum`` has the split field add the two as powers
(``split_field.add_as_powers``).
"""

from __future__ import annotations

import torch

from audiogs_core.model.gaussians import AudioGaussians

LATE_SECONDS = 0.02  # D: reverberation later than this after a sound is the room's
GAIN_FLOOR = 0.25  # -12 dB: the most the late gain turns a cell down (over-subtraction leaves musical noise)
SMOOTH_BINS = 9  # the powers compared are averaged over 9 bins and the 3 frames up to each:
SMOOTH_FRAMES = 3  # one cell's energy is too random a guess of its power (a noise cell's is exponential)


def splits_reference(model: AudioGaussians) -> bool:
    """Whether ``split_reference`` splits this model's reference (binaural, flag on)."""
    return bool(model.reference_binaural and model.flags.dereverb_reference)


def keeps_recorded_room(model: AudioGaussians) -> bool:
    """Whether this model's room holds the train views' recorded room (``train/recorded_room.py``):
    a close mic's split field with flag ``recorded_room``, or a split binaural reference's with
    ``binaural_recorded_room`` too; its reference frames then carry the recording as two more
    channels after the reference's."""
    if not (model.flags.split_field and model.flags.recorded_room):
        return False
    return not model.reference_binaural or (splits_reference(model) and model.flags.binaural_recorded_room)


def split_reference(model: AudioGaussians, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(direct [C, F, L], own room [2, F, L] or None) of the reference's frames [C, F, L].

    A close mic is all direct: (frames, None). A binaural reference with flag
    ``dereverb_reference`` is split as above (``split_late``). With a recorded room
    (``keeps_recorded_room``) the frames hold the reference's channels and then the room's two:
    the reference's direct part and the recorded room. The first D frames have no past to
    subtract; callers give history frames before the ones they output.
    """
    if keeps_recorded_room(model):
        n_ref = 2 if model.reference_binaural else 1
        if frames.shape[0] != n_ref + 2:
            raise ValueError(f"a split field with a recorded room renders from {n_ref + 2} channels "
                             f"(the reference's {n_ref}, then the room's two), got {frames.shape[0]}")
        direct = frames[:n_ref] if n_ref == 1 else split_late(model, frames[:n_ref])[0]
        return direct, frames[n_ref:]
    if not splits_reference(model):
        return frames, None
    return split_late(model, frames)


def split_late(model: AudioGaussians, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(direct, late) [C, F, L] of binaural frames [C, F, L]: X g and X sqrt(1 - g^2), g Lebart's
    ``late_gain`` (one real gain per cell for both ears)."""
    gain = late_gain(model, frames)
    return frames * gain, frames * torch.sqrt((1.0 - gain * gain).clamp_min(0.0))


def late_gain(model: AudioGaussians, frames: torch.Tensor) -> torch.Tensor:
    """[F, L] Lebart's gain: 1 where a cell's power is new, down to GAIN_FLOOR where it is what
    the room's decay (``room_tau``) leaves of the power D frames before."""
    cfg = model.grid.stft
    lag = max(1, round(LATE_SECONDS * cfg.sample_rate / cfg.hop))
    tau = model.room_tau.clamp(1e-3, 5.0).to(frames.device)  # [F]
    decay = torch.exp(-2.0 * lag * (cfg.hop / cfg.sample_rate) / tau)[:, None]  # [F, 1]
    power = smoothed_power((frames.abs() ** 2).mean(dim=0))  # [F, L]
    late = torch.zeros_like(power)
    late[:, lag:] = decay * power[:, :-lag]
    ratio = late / power.clamp_min(1e-20)
    return torch.sqrt((1.0 - ratio).clamp_min(GAIN_FLOOR ** 2))


def smoothed_power(energy: torch.Tensor) -> torch.Tensor:
    """[F, L] ``energy`` [F, L] averaged over SMOOTH_BINS bins about each bin and the SMOOTH_FRAMES
    frames up to each frame (causal in time; edges repeat)."""
    kernel = torch.full((1, 1, SMOOTH_BINS, SMOOTH_FRAMES), 1.0 / (SMOOTH_BINS * SMOOTH_FRAMES),
                        dtype=energy.dtype, device=energy.device)
    padded = torch.nn.functional.pad(energy[None, None], (SMOOTH_FRAMES - 1, 0, SMOOTH_BINS // 2, SMOOTH_BINS // 2),
                                     mode="replicate")
    return torch.nn.functional.conv2d(padded, kernel)[0, 0]
