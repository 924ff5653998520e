"""The benchmark of docs/DESIGN.md §8: protocol, methods, runner and report.

``run_bench(config, out_dir)`` runs it; ``full_config()`` and ``quick_config()``
are the two settings the command line offers (``audiogs bench [--quick]``).
"""

from audiogs_core.bench.protocol import BenchConfig, Unit, full_config, plan_units, quick_config, shrink
from audiogs_core.bench.runner import run_bench

__all__ = ["BenchConfig", "Unit", "full_config", "plan_units", "quick_config", "run_bench", "shrink"]
