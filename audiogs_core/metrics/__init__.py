"""Metrics of the design page, section 7, and the protocol's 150 Hz high-pass.

``highpass``, ``mag`` and ``evaluate`` import numpy, scipy and torch only;
the RT60 estimator and DPAM load their models lazily, on first use.
"""

from audiogs_core.metrics.evaluate import ALL_METRICS, evaluate
from audiogs_core.metrics.highpass import highpass
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.spectral import mag

__all__ = ["ALL_METRICS", "evaluate", "highpass", "mag", "prepare"]
