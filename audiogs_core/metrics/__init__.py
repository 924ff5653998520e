"""Metrics (docs/DESIGN.md §7; each registered once in ``metrics.registry``) and the 150 Hz high-pass.

``highpass``, ``mag`` and ``evaluate`` import numpy, scipy and torch only;
the RT60 estimator and DPAM load their models lazily, on first use.
"""

from audiogs_core.metrics.evaluate import evaluate
from audiogs_core.metrics.highpass import highpass
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.registry import ALL_METRICS
from audiogs_core.metrics.spectral import mag

__all__ = ["ALL_METRICS", "evaluate", "highpass", "mag", "prepare"]
