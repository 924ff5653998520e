"""Metrics of the design page, section 7, and the protocol's 150 Hz high-pass.

``highpass`` and ``mag`` import only numpy, scipy and torch; the RT60
estimator and DPAM load their models lazily, on first use.
"""

from audiogs_core.metrics.highpass import highpass
from audiogs_core.metrics.spectral import mag

__all__ = ["highpass", "mag"]
