"""DPAM: the CDPAM perceptual distance (docs/DESIGN.md §7).

Wraps ``cdpam`` 0.0.6 with the protocol's preparation: each signal averaged
over its two channels, resampled to 22.05 kHz, scaled by 32768 and rounded
(cdpam's 16-bit convention), then ``CDPAM.forward(g, p)``.

cdpam's own constructor cannot be used as shipped: it calls ``torch.load``
without ``weights_only`` on a checkpoint that needs full unpickling (refused
by torch >= 2.6's default), and its audio loader uses ``np.float``, removed
from numpy. So the model is built here from cdpam's classes with the same
settings, its checkpoint loaded once and cached.
"""

from __future__ import annotations

import pickle

import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch

DPAM_SAMPLE_RATE = 22050
_lock = threading.Lock()
_model: Any = None


def _checkpoint_path() -> Path:
    import cdpam

    return Path(cdpam.__file__).resolve().parent / "CDPAM_trained" / "scratchJNDdefault_best_model.pth"


def load_cdpam() -> Any:
    """A ready ``cdpam.CDPAM`` on the CPU, built once and cached."""
    global _model
    with _lock:
        if _model is not None:
            return _model
        import warnings

        with warnings.catch_warnings():
            # cdpam imports numpy.matlib, which warns on import; not ours to fix
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            from cdpam.cdpam import CDPAM
            from cdpam.models import FINnet

        device = torch.device("cpu")
        # The constructor arguments of CDPAM.__init__ in cdpam 0.0.6.
        net = FINnet(dev=device, encoder_layers=16, encoder_filters=64, ndim=[16, 6],
                     classif_dp=0.05, classif_BN=0, classif_act="no", input_size=512)
        # The cdpam wheel's checkpoint is an old-protocol pickle that torch's
        # weights-only loader cannot parse ("unsupported operand"); it is read
        # with an unpickler that admits only the two globals a state dict
        # needs, so it cannot run code either.
        state = torch.load(_checkpoint_path(), map_location="cpu", weights_only=False,
                           pickle_module=_StateDictPickle)["state"]
        net.load_state_dict(state)
        net.eval()
        model = CDPAM.__new__(CDPAM)  # skip the constructor's unsafe load
        model.device = device
        model.model = net
        _model = model
        return _model


class _StateDictUnpickler(pickle.Unpickler):
    """Unpickles tensors in (ordered) dicts and nothing else."""

    _ALLOWED = {("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2")}

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the cdpam checkpoint")


class _StateDictPickle:
    """The ``pickle_module`` torch.load uses for the cdpam checkpoint."""

    Unpickler = _StateDictUnpickler

    @staticmethod
    def load(file, **kwargs):  # the checkpoint's header records, read with the same restriction
        return _StateDictUnpickler(file, **kwargs).load()


def to_cdpam_input(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """[2, T] binaural at ``sample_rate`` -> [1, T'] float32 mono at 22.05 kHz in 16-bit units."""
    from audiogs_core.io.audio import resample

    mono = np.asarray(x, dtype=np.float64).mean(axis=0)
    mono = resample(mono, int(sample_rate), DPAM_SAMPLE_RATE, dtype=np.float64)
    return np.round(mono * 32768.0).astype(np.float32)[None, :]


def dpam(p: np.ndarray, g: np.ndarray, sample_rate: int) -> float:
    """DPAM of prepared ``p``, ``g`` [2, T] (CDPAM distance of the mono downmixes, target first)."""
    model = load_cdpam()
    with torch.no_grad():
        dist = model.forward(to_cdpam_input(g, sample_rate), to_cdpam_input(p, sample_rate))
    return float(dist.reshape(-1)[0])


def dpam_ears(p: np.ndarray, g: np.ndarray, sample_rate: int) -> float:
    """DPAM_ears of prepared ``p``, ``g`` [2, T]: CDPAM on the left and on the right channel
    (no downmix, which cannot hear interaural differences), mean of the two."""
    return float(np.mean([dpam(p[[ear, ear]], g[[ear, ear]], sample_rate) for ear in (0, 1)]))
