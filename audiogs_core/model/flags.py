"""Switches of the AudioGS representation; each one is an ablation in the benchmark."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class ModelFlags:
    """The switches of the representation (DESIGN.md §4); every field is an ablation."""

    attenuation: bool = True  # off: g = 1
    sh_degree: int = 3  # 0 = no directionality
    phase: bool = True  # off: reference phase only (no ITD, no delay)
    delay: bool = True  # off: propagation delay delta = 0
    side: bool = True  # off: mono only, side term D = 0
    per_gaussian_decay: bool = True  # off: one learned alpha for all Gaussians
    max_attenuation: float | None = None  # bound on g = (r_ref / r)^alpha; None: unbounded (published)
    # A learned per-frequency reverberant tail added (in energy) to the
    # reference magnitude before masking: a close mic lacks the room's
    # reverberation, which no bounded mask can paint into its quiet frames.
    reverb_tail: bool = False
    # Upper bound of the mono mask m = R sigmoid(s - ln(R - 1)): 1 at s = 0
    # for every R; R = 2 is the published 2 sigmoid(s).
    mask_range: float = 2.0
    # Scale each cell's ITD by its direct amplitude fraction under the
    # reverberant tail (|X| / sqrt(|X|^2 + tail)): reverberation reaches the
    # head from every direction and carries no ITD of the source; only with
    # reverb_tail.
    diffuse_itd: bool = False
    # Direct and diffuse parts (DESIGN.md §4, "Direct and diffuse"): the
    # direct sound physically posed from one source position (distance law,
    # true delay, head model, occlusion by the room) under the Gaussians'
    # pose-independent per-cell mask, plus the tail as a decorrelated diffuse
    # field; only with reverb_tail (the tail is the diffuse part).
    split_field: bool = False
    near_distance: float = 0.3  # m: the distance law's bound near the head (a talker is no point source)
    occlusion: bool = True  # with split_field and a room mesh: the direct sound goes round corners
    # With split_field and a binaural reference: its own room taken out before the direct part
    # poses it (model/dereverb.py); off in folders written before it existed.
    dereverb_reference: bool = False
    # With split_field and a close-mic reference (a binaural one: binaural_recorded_room too): the
    # room is the train views' recordings less the talker's direct sound (train/recorded_room.py,
    # the model folder's room.wav), the synthetic room only what the views carry beyond it; off in
    # folders written before it existed.
    recorded_room: bool = False
    # With split_field, recorded_room and a binaural reference split by dereverb_reference: its
    # own room replaced by the train views' late sound, summed (train/recorded_room.py late_room,
    # the model folder's room.wav); off in folders written before it existed.
    binaural_recorded_room: bool = False
    # With split_field and a close-mic reference: the room's level falls with the listener's
    # distance from the talker, its decay having run on by the time the direct sound arrives
    # (Barron and Lee's revised theory, model/diffuse.py room_distance_gain); off in folders
    # written before it existed.
    room_distance: bool = False
    # With split_field, a close-mic reference and a room mesh (as occlusion reads it): the
    # talker's first-order reflections off the room's faces posed as the direct sound is, each
    # from its image source (model/reflections.py); off in folders written before it existed.
    early_reflections: bool = False
    # With split_field, a binaural reference split by dereverb_reference and a room mesh: the
    # direct part (the direct sound and its first 20 ms of reflections) falls with distance as
    # both together do, not as 1/r alone (model/early_energy.py); off in folders written before
    # it existed.
    early_energy: bool = False
    # With split_field and a binaural reference split by dereverb_reference: its own room and the
    # posed direct part add as powers in every cell, as a recording's direct sound and room do, not
    # as the amplitudes of two shares of one sound (model/split_field.py add_as_powers); off in
    # folders written before it existed.
    room_power_sum: bool = False
    # With split_field and a binaural reference: the direct part keeps each ear's magnitude (the
    # reference's own level difference and ear colouring), changed by the head model's gain at the
    # listener's pose over that at the reference's, not their mean under the head's gains
    # (model/direct.py); off in folders written before it existed.
    ear_magnitudes: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.sh_degree <= 3:
            raise ValueError(f"sh_degree must be 0..3, got {self.sh_degree}")
        if not self.mask_range > 1.0:
            raise ValueError(f"mask_range must be above 1, got {self.mask_range}")
        if self.diffuse_itd and not self.reverb_tail:
            raise ValueError("diffuse_itd needs reverb_tail (the direct share comes from the tail)")
        if self.split_field and not self.reverb_tail:
            raise ValueError("split_field needs reverb_tail (the tail is the diffuse part)")
        if self.split_field and self.sh_degree != 0:
            raise ValueError("split_field needs sh_degree 0 (the direct part's direction is the head model's)")
        if not self.near_distance > 0.0:
            raise ValueError(f"near_distance must be positive, got {self.near_distance}")

    def effective(self) -> "ModelFlags":
        """These flags with the switches that have no effect set to their defaults: the
        per-Gaussian decay without attenuation (the decay is never read), occlusion without the
        split field (only its direct sound goes round corners), the reference's dereverberation
        the recorded room and the room's distance law without it, a binaural reference's recorded
        room without the recorded room and the dereverberation, the first reflections without the
        split field's room mesh (flag occlusion), the early energy's law without
        the room mesh or the reference's dereverberation, the own room's power sum without the
        dereverberation, the ears' own magnitudes without the split field.  Flags with equal ``effective()``
        train and render the same model."""
        return replace(self,
                       per_gaussian_decay=self.per_gaussian_decay if self.attenuation else True,
                       occlusion=self.occlusion if self.split_field else True,
                       dereverb_reference=self.dereverb_reference if self.split_field else False,
                       recorded_room=self.recorded_room if self.split_field else False,
                       binaural_recorded_room=(self.binaural_recorded_room if self.split_field and self.recorded_room
                                               and self.dereverb_reference else False),
                       room_distance=self.room_distance if self.split_field else False,
                       early_reflections=self.early_reflections if self.split_field and self.occlusion else False,
                       early_energy=(self.early_energy if self.split_field and self.occlusion
                                     and self.dereverb_reference else False),
                       room_power_sum=self.room_power_sum if self.split_field and self.dereverb_reference else False,
                       ear_magnitudes=self.ear_magnitudes if self.split_field else False)

    def to_dict(self) -> dict:
        """The flags as stored in model.json."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelFlags":
        """Flags from a dict; unknown keys are ignored, missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})
