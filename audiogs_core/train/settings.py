"""Training settings (DESIGN.md §5); every value is a setting."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class TrainSettings:
    """Every setting of training (DESIGN.md §5); the defaults are the published ones."""

    epochs: int = 61
    window_s: float = 3.0
    seed: int = 0
    lr_mu: float = 2.5e-2
    lr_sh: float = 5e-4
    lr_sh_dc: float | None = None  # constant SH term; None: lr_sh (published)
    lr_q: float = 5e-4
    lr_decay: float = 5e-5
    lr_itd: float = 5e-4
    lr_gain: float = 5e-4
    lr_tail_db: float = 0.1  # reverberant tail level (dB), only with flag reverb_tail
    lr_tail_tau: float = 0.01  # its log time constant
    # Where the tail starts (only with flag reverb_tail): "fixed" (-20 dB, RT60
    # 0.55 s at every frequency) or "fit" (per octave band, from the train
    # views' energy decay; see tail_fit).
    tail_init: str = "fixed"
    lr_gamma: float = 0.95  # multiply every lr_step_epochs
    lr_step_epochs: int = 5
    grad_clip: float = 1.0
    sh_freeze_fraction: float = 0.1  # SH frozen for round(fraction * epochs) epochs
    side_weight: float = 2.0
    phase_weight: float = 0.05
    # Magnitude terms of the loss: "mid_side" (published: |S(l+r)| and
    # |S(l-r)|, the second weighted by side_weight) or "ears" (|S(l)| and
    # |S(r)|, what MAG scores); and their norm, "l2" (published) or "l1" (MAG's).
    loss_terms: str = "mid_side"
    loss_norm: str = "l2"
    checkpoint_every_s: float = 60.0
    # Where the Gaussians start: "views" (published: mean train-view position),
    # "reference" (the reference position, when known), "source" (the
    # capture's first source, when given) or "auto" (source, else a mono
    # reference's position, else views); and the spread around it (m).
    init_centre: str = "views"
    init_spread: float = 2.5
    # After the last epoch: "none" (published) or "energy": gain_db is corrected per bin so the
    # rendered train views carry the views' energy. An L1 magnitude fit sits near the median
    # of a reverberant (Rayleigh-like) magnitude, about 1.6 dB below its energy; what a
    # listener (and LEVEL) hears is the energy.
    final_level: str = "none"
    # A close mic's recorded room (flag recorded_room): "sum" (the train views' rooms summed, each
    # bin at their mean energy) or "mean" (each cell at the views' mean magnitude, under the
    # summed rooms' phase, each bin at their mean energy): less of any one position's fine
    # structure, which no listener elsewhere hears (train/recorded_room.py).
    room_magnitude: str = "sum"
    # A close mic's direct level at the train views (split field): "search" (per octave band, the
    # offset from physics' level whose train views fit best) or "transfer" (the close mic's
    # measured transfer to the views, per bin; train/diffuse_fit.measured_offset).
    direct_level: str = "search"
    # A close mic's recorded room starts this long after the direct sound (s, 0 to 0.05): what
    # the views keep of the talker's onsets then follows the posed direct sound instead of
    # sounding with it, from the views' directions (train/recorded_room.py).
    room_start_s: float = 0.0
    # What a close mic's recorded room loses of each view: "frame" (what the close mic's same
    # frame predicts: the direct sound and all a frame holds round it) or "response" (the direct
    # sound's and the posed first reflections' windows of the close mic's measured impulse
    # response to the view; train/recorded_room.without_arrivals).
    room_removal: str = "frame"

    def to_dict(self) -> dict:
        """The settings as stored in model.json and checkpoints."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainSettings":
        """Settings from a dict; unknown keys are ignored, missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @property
    def sh_freeze_epochs(self) -> int:
        return int(round(self.sh_freeze_fraction * self.epochs))
