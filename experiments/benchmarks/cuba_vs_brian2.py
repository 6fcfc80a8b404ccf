"""Benchmark: the CUBA network (4000 neurons, 1 s) in spikesim and in Brian2, side by side.

One invocation builds the network once in spikesim, hands the identical
connectivity and initial state to Brian2, and times:

* spikesim, cpu backend (JIT cache warm: a short warm-up run first);
* Brian2, cython runtime target (second run, so compilation is excluded);
* Brian2, cpp_standalone (its own simulation time from last_run_info.txt);
* ``spikesim run cuba`` as a whole process (median of --repeats runs, after one warm-up);
* memory of the static synapses in bytes per synapse.

Each Brian2 variant runs in its own subprocess (devices cannot be switched
back within one process).  Prints a table and writes ``--out/result.json``.

    spikesim bench cuba                # or: python experiments/benchmarks/cuba_vs_brian2.py
"""
from __future__ import annotations

import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from spikesim.argtypes import ArgumentParser, output_dir, positive_float, positive_int
from spikesim.argtypes import seed as seed_type

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _spikesim(n, duration, seed):
    import cuba
    from spikesim.units import ms, second
    net, P, M = cuba.build(n, seed)
    net.build()
    syn = [o for o in net.objects if type(o).__name__ == "Synapses"]
    conn = dict(v0=P.v.copy(), ie=syn[0].i, je=syn[0].j, ii=syn[1].i, ji=syn[1].j)
    net.store()
    net.run(1 * ms, progress=False)          # JIT warm-up (cache load)
    net.restore()
    t0 = time.perf_counter()
    net.run(duration * second, progress=False)
    sim = time.perf_counter() - t0
    bytes_per_syn = sum(s.memory_bytes() for s in syn) / sum(len(s) for s in syn)
    return dict(sim_s=sim, n_spikes=M.num_spikes, n_synapses=int(sum(len(s) for s in syn)),
                bytes_per_synapse=bytes_per_syn, i=M.i, t=M.t), conn


BRIAN2_SCRIPT = r'''
import json, sys, time, numpy as np
from brian2 import *
mode, conn_path, duration, workdir = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
c = np.load(conn_path)
if mode == "cpp_standalone":
    set_device("cpp_standalone", directory=workdir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0
else:
    prefs.codegen.target = "cython"
defaultclock.dt = 0.1*ms
taum = 20*ms; taue = 5*ms; taui = 10*ms; Vt = -50*mV; Vr = -60*mV; El = -49*mV
eqs = """
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""
P = NeuronGroup(len(c["v0"]), eqs, threshold="v>Vt", reset="v = Vr", refractory=5*ms, method="exact")
P.v = c["v0"]*volt
we = (60*0.27/10)*mV; wi = (-20*4.5/10)*mV
Ce = Synapses(P, P, on_pre="ge += we"); Ce.connect(i=c["ie"], j=c["je"])
Ci = Synapses(P, P, on_pre="gi += wi"); Ci.connect(i=c["ii"], j=c["ji"])
M = SpikeMonitor(P)
net = Network(P, Ce, Ci, M)
if mode == "cpp_standalone":
    net.run(duration*second)
    t0 = time.perf_counter()
    device.build(directory=workdir, compile=True, run=True)
    total = time.perf_counter() - t0
    sim = device._last_run_time
else:
    net.store()
    net.run(0.1*ms)            # compiles the code objects
    net.restore()
    t0 = time.perf_counter()
    net.run(duration*second)
    sim = time.perf_counter() - t0
    total = sim
np.savez(workdir + "/spikes.npz", i=np.asarray(M.i), t=np.asarray(M.t/second))
print(json.dumps(dict(sim_s=float(sim), total_s=float(total), n_spikes=int(M.num_spikes))))
'''


def _brian2(mode, conn_path, duration, workdir):
    script = pathlib.Path(workdir) / "run_brian2.py"
    script.write_text(BRIAN2_SCRIPT)
    out = subprocess.run([sys.executable, str(script), mode, str(conn_path), str(duration), str(workdir)],
                         capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    sp = np.load(pathlib.Path(workdir) / "spikes.npz")
    res["i"], res["t"] = sp["i"], sp["t"]
    return res


def _cli_wall(repeats):
    cmd = [sys.executable, "-m", "spikesim.cli", "run", "cuba", "--quiet", "--out", tempfile.mkdtemp()]
    subprocess.run(cmd, check=True, capture_output=True)   # warm the JIT cache
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), walls


def _same(a, b):
    return a["i"].size == b["i"].size and np.array_equal(a["i"], b["i"]) and np.allclose(a["t"], b["t"], atol=1e-9)


def main(argv=None):
    p = ArgumentParser(prog="spikesim bench cuba", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=positive_int, default=4000)
    p.add_argument("--duration", type=positive_float, default=1.0)
    p.add_argument("--seed", type=seed_type, default=1)
    p.add_argument("--repeats", type=positive_int, default=5, help="whole-process runs of 'spikesim run cuba'")
    p.add_argument("--skip-standalone", action="store_true")
    p.add_argument("--out", type=output_dir, default=pathlib.Path("out/bench_cuba"))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    ours, conn = _spikesim(args.n, args.duration, args.seed)
    work = pathlib.Path(tempfile.mkdtemp(prefix="spikesim_bench_"))
    np.savez(work / "conn.npz", **conn)
    rows = [("spikesim cpu", ours)]
    print("running Brian2 (cython runtime) ...", flush=True)
    (work / "cy").mkdir()
    rows.append(("Brian2 cython", _brian2("cython", work / "conn.npz", args.duration, work / "cy")))
    if not args.skip_standalone:
        print("running Brian2 (cpp_standalone; compiling takes a minute) ...", flush=True)
        (work / "sa").mkdir()
        rows.append(("Brian2 cpp_standalone", _brian2("cpp_standalone", work / "conn.npz", args.duration,
                                                      work / "sa")))
    wall, walls = _cli_wall(args.repeats) if args.n == 4000 and args.duration == 1.0 else (None, [])
    print(f"\nCUBA, {args.n} neurons, {ours['n_synapses']} synapses, {args.duration:g} s biological time, "
          f"dt 0.1 ms")
    print(f"{'engine':24s} {'sim time (s)':>12s} {'spikes':>8s} {'spikesim / engine':>18s} {'same spikes':>12s}")
    result = dict(n=args.n, duration_s=args.duration, n_synapses=ours["n_synapses"],
                  bytes_per_synapse=ours["bytes_per_synapse"], engines={})
    for name, r in rows:
        ratio = ours["sim_s"] / r["sim_s"]
        same = _same(ours, r)
        print(f"{name:24s} {r['sim_s']:12.3f} {r['n_spikes']:8d} {ratio:18.2f} {str(same):>12s}")
        result["engines"][name] = dict(sim_s=r["sim_s"], n_spikes=r["n_spikes"], ratio_spikesim_over=ratio,
                                       identical_spikes=bool(same))
    print(f"\nmemory: {ours['bytes_per_synapse']:.2f} bytes per static synapse (connectivity arrays)")
    if wall is not None:
        print(f"'spikesim run cuba' whole process, JIT cache warm: median {wall:.2f} s wall "
              f"(runs: {', '.join(f'{w:.2f}' for w in walls)})")
        result["cli_wall_s_median"], result["cli_wall_s"] = wall, walls
    (args.out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
