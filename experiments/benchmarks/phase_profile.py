"""Benchmark: where a network's step loop spends its time, phase by phase (cpu backend).

The script takes the step loop that spikesim generates for the network (:mod:`spikesim.backends.cpu.loop`),
adds a read of the CPU's cycle counter (LLVM's ``readcyclecounter``) at every phase boundary of the
step -- presentations, each neuron group's update, thresholds, each synapse set's pathway, resets, the
end of the step -- and runs that copy in place of the loop.  It prints each phase's share of the cycles
spent inside the loop and, scaled by the wall time, milliseconds per run (per image for Diehl & Cook).
The counters cost some 20 cycles each, so the shares matter more than the absolute figures; the
model functions run exactly as in a normal run (the loop calls the same generated functions).

    python experiments/benchmarks/phase_profile.py song2000 [--duration 100]
    python experiments/benchmarks/phase_profile.py cuba [--duration 1]
    python experiments/benchmarks/phase_profile.py diehl_cook --data ../shared/data/mnist [--images 200] [--evaluate]
        [--start out/diehl_cook/weights.npz]      (training from a trained network: the late epochs)
"""
from __future__ import annotations

import pathlib
import sys
import time
import types

import numpy as np

from spikesim.argtypes import ArgumentParser, existing_dir, existing_file, positive_float, positive_int

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _cycle_counter():
    from llvmlite import ir
    from numba.core import cgutils, types as nt
    from numba.extending import intrinsic

    @intrinsic
    def cycles(typingctx):
        def codegen(context, builder, signature, args):
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), []),
                                                "llvm.readcyclecounter")
            return builder.call(fn, [])
        return nt.int64(), codegen
    return cycles


def instrument(source):
    """(source, labels): the step loop's module with a cycle count added to ``_acc[k]`` for each phase k."""
    source = source.replace("@njit(cache=True,", "@njit(cache=False,")
    source = source.replace("def run_steps(_n0, _n_steps, dt, G, S, M, R, N, P):",
                            "def run_steps(_n0, _n_steps, dt, G, S, M, R, N, P, _acc):")
    start = source.index("    for _step in range(_n0, _n0 + _n_steps):")
    head, body = source[:start], source[start:].split("\n")
    out, labels = [], ["step start"]
    for n, ln in enumerate(body):
        st = ln.strip()
        top = ln.startswith("        ") and not ln.startswith("         ")
        nxt = body[n + 1] if n + 1 < len(body) else ""
        if top and (st.startswith("# ") or st.startswith("_bad = ") or st.startswith("if _step - _lf")
                    or (st.startswith("if _k") and "on_post" in nxt)):
            out.append(f"        _tc = _cycles(); _acc[{len(labels) - 1}] += _tc - _tp; _tp = _tc")
            labels.append(st[2:] if st.startswith("# ") else _phase_name(st, nxt))
        out.append(ln)
    text = "\n".join(out)
    text = text.replace("        t = _step * dt\n", "        t = _step * dt\n        _tp = _cycles()\n", 1)
    text = text.replace("    return _n_steps, -1, -1",
                        f"        _tc = _cycles(); _acc[{len(labels) - 1}] += _tc - _tp\n    return _n_steps, -1, -1")
    return head + text, labels


def _phase_name(st, nxt):
    if st.startswith("_bad = "):
        return "update of group " + st.split("(")[1].split(",")[-1].strip(" )")
    if st.startswith("if _step - _lf"):
        return "on_pre of synapses " + nxt.split("(")[1].split(",")[3].strip()
    return "on_post of synapses " + nxt.split("(")[1].split(",")[3].strip()


class Profiler:
    """Runs every cpu engine made while it is active on an instrumented copy of its step loop."""

    def __init__(self):
        from spikesim.backends.cpu.run import CpuEngine
        self.acc = np.zeros(64, np.int64)
        self.labels = None
        self._compiled = {}
        self._cls, self._init = CpuEngine, CpuEngine.__init__
        cycles = _cycle_counter()
        profiler = self

        def init(engine, cn, *a, **k):
            profiler._init(engine, cn, *a, **k)
            if engine.source not in profiler._compiled:
                src, labels = instrument(engine.source)
                mod = types.ModuleType("spikesim_phase_profile")
                mod._cycles = cycles
                exec(compile(src, "spikesim_phase_profile", "exec"), mod.__dict__)
                profiler._compiled[engine.source] = (mod.run_steps, labels)
            fn, profiler.labels = profiler._compiled[engine.source]
            engine.module = types.SimpleNamespace(run_steps=lambda *args: fn(*args, profiler.acc))
        CpuEngine.__init__ = init

    def close(self):
        self._cls.__init__ = self._init

    def report(self, wall, per, unit):
        total = self.acc.sum()
        print(f"{'phase':34s} {'share':>7s} {unit:>12s}")
        for label, c in zip(self.labels, self.acc):
            if c:
                print(f"{label:34s} {c / total * 100:6.1f}% {c / total * wall / per * 1e3:12.3f}")
        print(f"{'(wall time, all phases)':34s} {'':7s} {wall / per * 1e3:12.3f}")


def main(argv=None):
    p = ArgumentParser(prog="phase_profile.py", description=__doc__.splitlines()[0])
    p.add_argument("experiment", choices=["song2000", "cuba", "diehl_cook"])
    p.add_argument("--duration", type=positive_float, help="seconds (song2000: 100, cuba: 1)")
    p.add_argument("--data", type=existing_dir, help="MNIST folder (diehl_cook)")
    p.add_argument("--images", type=positive_int, default=200, help="Diehl & Cook images (default 200)")
    p.add_argument("--evaluate", action="store_true", help="Diehl & Cook: the frozen network, not training")
    p.add_argument("--start", type=existing_file,
                   help="Diehl & Cook: train from these weights and thresholds (a run's weights.npz: late training)")
    args = p.parse_args(argv)
    from spikesim.units import ms, second
    prof = Profiler()
    try:
        if args.experiment == "diehl_cook":
            if args.data is None:
                p.error("diehl_cook needs --data")
            import diehl_cook as dc
            from spikesim.data.mnist import load_protocol
            X = load_protocol(args.data)[0]
            X = X.reshape(len(X), -1)[:args.images]
            W, th = dc.train(X[:2], progress=False)              # compiles the instrumented loops
            dc.responses(W, th, X[:2], progress=False)
            prof.acc[:] = 0
            t0 = time.perf_counter()
            if args.evaluate:
                dc.responses(W, th, X, progress=False)
            elif args.start:
                with np.load(args.start) as f:
                    W0, th0 = f["weights"], f["theta"]
                net, parts = dc.build(W0.shape[1], images=X, learn=True, weights=W0, theta=th0)
                net.run(parts["P"].max_duration, progress=False)
            else:
                dc.train(X, progress=False)
            prof.report(time.perf_counter() - t0, len(X), "ms/image")
        else:
            mod = __import__(args.experiment)
            net = mod.build()[0]
            net.build()
            net.run(1 * ms, progress=False)
            prof.acc[:] = 0
            duration = args.duration or (100.0 if args.experiment == "song2000" else 1.0)
            t0 = time.perf_counter()
            net.run(duration * second, progress=False)
            prof.report(time.perf_counter() - t0, 1, "ms per run")
    finally:
        prof.close()


if __name__ == "__main__":
    main()
