"""GPU check: the cuda backend against the cpu backend, then CUDA timings for CUBA at growing sizes.

One script, a few minutes on a GPU machine:

1. CUBA, 4000 neurons, 1 s: cuda float64 must give the cpu backend's spike train
   (atomic accumulation may change last bits; the script reports the first
   divergence if any), and cuda float32 spike counts within 2 % of float64.
2. CUBA at 4k, 40k, 400k and 1M neurons (80 synapses per neuron, 1 s): simulation
   times on cuda (float32) and cpu, their ratio, synaptic events per second.

(song2000 and STDP on the GPU need plasticity on the cuda backend, not written yet.)

    python experiments/benchmarks/gpu_check.py [--sizes 4000,40000,400000,1000000] [--cpu-max 400000]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def run(n, backend, dtype="float64", duration=1.0, seed=1):
    import cuba
    from spikesim.units import ms
    net, P, M = cuba.build(n, seed)
    net.cuda_dtype = dtype
    net.build()
    net.store()
    net.run(1 * ms, backend=backend, progress=False)      # compile / warm up
    net.restore()
    t0 = time.perf_counter()
    net.run(duration, backend=backend, progress=False)
    sim = time.perf_counter() - t0
    n_syn = sum(len(s) for s in net.objects if type(s).__name__ == "Synapses")
    return dict(sim_s=sim, n_spikes=M.num_spikes, i=M.i, step=M.step, n_syn=n_syn,
                events=float(M.num_spikes) * n_syn / n)


def main(argv=None):
    import numpy as np
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="4000,40000,400000,1000000")
    ap.add_argument("--cpu-max", type=int, default=400000, help="largest size also run on the cpu backend")
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/gpu_check"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from numba import cuda
    print("device:", cuda.get_current_device().name.decode() if hasattr(cuda.get_current_device().name, "decode")
          else cuda.get_current_device().name, flush=True)
    res = {"check": {}, "timing": []}
    cpu = run(4000, "cpu")
    g64 = run(4000, "cuda", "float64")
    g32 = run(4000, "cuda", "float32")
    same = np.array_equal(cpu["i"], g64["i"]) and np.array_equal(cpu["step"], g64["step"])
    first = None
    if not same:
        k = int(np.argmax((cpu["step"][:min(len(cpu["step"]), len(g64["step"]))] !=
                           g64["step"][:min(len(cpu["step"]), len(g64["step"]))])))
        first = float(cpu["step"][k] * 1e-4)
    rel32 = abs(g32["n_spikes"] - g64["n_spikes"]) / max(g64["n_spikes"], 1)
    print(f"CUBA 4000, 1 s: cpu {cpu['n_spikes']} spikes, cuda float64 {g64['n_spikes']} "
          f"(identical train: {same}{'' if same else f', first divergence {first} s'}), "
          f"cuda float32 {g32['n_spikes']} ({100 * rel32:.2f} % from float64; tolerance 2 %)", flush=True)
    res["check"] = dict(identical_float64=bool(same), first_divergence_s=first, n_cpu=cpu["n_spikes"],
                        n_cuda64=g64["n_spikes"], n_cuda32=g32["n_spikes"], float32_rel_diff=rel32)
    print(f"\n{'neurons':>9s} {'synapses':>11s} {'cuda f32 (s)':>13s} {'cpu (s)':>9s} {'cpu/cuda':>9s} "
          f"{'events/s (cuda)':>16s}", flush=True)
    for n in (int(x) for x in args.sizes.split(",")):
        g = run(n, "cuda", "float32")
        c = run(n, "cpu") if n <= args.cpu_max else None
        ratio = c["sim_s"] / g["sim_s"] if c else float("nan")
        print(f"{n:9d} {g['n_syn']:11d} {g['sim_s']:13.3f} {c['sim_s'] if c else float('nan'):9.3f} "
              f"{ratio:9.1f} {g['events'] / g['sim_s']:16.3e}", flush=True)
        res["timing"].append(dict(n=n, n_syn=g["n_syn"], cuda_s=g["sim_s"], cpu_s=c["sim_s"] if c else None,
                                  ratio=ratio, events_per_s=g["events"] / g["sim_s"]))
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
