"""The same as tailcorr.py with every tail direction drawn uniformly (a test of the cause, not the fix): run from the repository root."""
import sys, runpy
import numpy as np
import pyroomacoustics.simulation.rt as rt
orig = rt.directional_sequence
def uni(t0, times, response, hist, hbs, fs):
    return orig(t0, times, response, np.ones_like(hist), hbs, fs)
rt.directional_sequence = uni
sys.argv = ["x", "kemar"]
runpy.run_path("docs/experiments/s19/tailcorr.py", run_name="__main__")
