"""Benchmark: the first run of a model never seen before, against Brian2 cpp_standalone's build.

A network of 1000 quadratic integrate-and-fire neurons driven by 100
Poisson inputs (0.1 s) is written with a coefficient drawn at random, so
that no cache holds its kernels.  Timed, each in a fresh process:

* spikesim: the whole process (import, build, code generation and numba
  compilation of the model and its loop, the run); the package's own
  kernels come from the cache, as after any earlier run;
* the same process again (warm cache);
* Brian2 cpp_standalone: generating and compiling the project, and its run
  (``device.build``), for the same equations.

    python experiments/benchmarks/cold_model.py
"""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

SPIKESIM = r'''
import sys, time
t0 = time.perf_counter()
from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses
from spikesim.units import ms, mV, Hz
c = float(sys.argv[1])
G = NeuronGroup(1000, f"dv/dt = ({c!r}/mV*(v - El)*(v - vc) + ge)/tau : volt (unless refractory)\ndge/dt = -ge/tau_e : volt",
                threshold="v > v_peak", reset="v = El", refractory=2 * ms, method="euler",
                El=-65 * mV, vc=-50 * mV, v_peak=-30 * mV, tau=10 * ms, tau_e=5 * ms, v=-65 * mV)
inp = PoissonGroup(100, rates=20 * Hz)
S = Synapses(inp, G, "w : volt", on_pre="ge += w", w=4 * mV).connect(p=0.1)
M = SpikeMonitor(G)
Network(inp, G, S, M, seed=1).run(100 * ms, progress=False)
print(M.num_spikes, time.perf_counter() - t0)
'''

BRIAN2 = r'''
import sys, time
from brian2 import *
c, workdir = float(sys.argv[1]), sys.argv[2]
set_device("cpp_standalone", directory=workdir, build_on_run=False)
El = -65*mV; vc = -50*mV; v_peak = -30*mV; tau = 10*ms; tau_e = 5*ms
G = NeuronGroup(1000, f"dv/dt = ({c!r}/mV*(v - El)*(v - vc) + ge)/tau : volt (unless refractory)\ndge/dt = -ge/tau_e : volt",
                threshold="v > v_peak", reset="v = El", refractory=2*ms, method="euler")
G.v = El
inp = PoissonGroup(100, rates=20*Hz)
S = Synapses(inp, G, "w : volt", on_pre="ge += w"); S.connect(p=0.1); S.w = 4*mV
M = SpikeMonitor(G)
run(100*ms)
t0 = time.perf_counter()
device.build(directory=workdir, compile=True, run=True)
print(M.num_spikes, time.perf_counter() - t0)
'''


def _timed(code: str, *args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, out.stdout.strip().splitlines()[-1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=None, help="seed of the random coefficient (default: fresh)")
    ap.add_argument("--skip-brian2", action="store_true")
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/bench_cold_model"))
    args = ap.parse_args(argv)
    c = 0.04 * (1 + 0.01 * np.random.default_rng(args.seed).random())
    res = {"coefficient": c}
    cold, line = _timed(SPIKESIM, repr(c))
    res["spikesim_cold_s"] = cold
    print(f"spikesim, new model (cold): {cold:.2f} s whole process ({line.split()[0]} spikes)", flush=True)
    warm, _ = _timed(SPIKESIM, repr(c))
    res["spikesim_warm_s"] = warm
    print(f"spikesim, same model again (warm): {warm:.2f} s whole process", flush=True)
    if not args.skip_brian2:
        with tempfile.TemporaryDirectory(prefix="spikesim_cold_b2_") as work:
            total, line = _timed(BRIAN2, repr(c), work)
        build = float(line.split()[1])
        res.update(brian2_process_s=total, brian2_build_s=build)
        print(f"Brian2 cpp_standalone: device.build {build:.2f} s ({total:.2f} s whole process, "
              f"{line.split()[0]} spikes)", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
