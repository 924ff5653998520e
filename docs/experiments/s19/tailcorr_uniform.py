"""tailcorr.py with every tail direction drawn uniformly (a test of the cause, not the fix). It means
something at commit ef3e25a, before the fix: since then a path's knots no longer go through
pyroomacoustics' directional_sequence, and this prints what tailcorr.py prints."""
import runpy
from pathlib import Path
import numpy as np
import pyroomacoustics.simulation.rt as rt

drawn = rt.directional_sequence
rt.directional_sequence = lambda t0, times, response, hist, hbs, fs: drawn(t0, times, response, np.ones_like(hist), hbs, fs)
runpy.run_path(str(Path(__file__).with_name("tailcorr.py")), run_name="__main__")
