"""Benchmark: building dense random connectivity (issue 23, item 5).

Times ``Network.build()`` of one Synapses object on a group of ``n`` neurons
for ``connect(p=1.0)``, ``connect(p=0.9)``, ``connect(in_degree=n-1,
autapses=False)`` and, for reference, the usual sparse density
``connect(p=0.02)``; prints one line per case (seconds, synapses).

    python experiments/benchmarks/connect_dense.py [--n 2000]
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))    # this checkout's spikesim


def build_time(n, seed=1, **rule):
    from spikesim import Network, NeuronGroup, Synapses
    G = NeuronGroup(n)
    S = Synapses(G, G, weight=1e-4).connect(**rule)
    t0 = time.perf_counter()
    Network(G, S, seed=seed).build()
    return time.perf_counter() - t0, len(S)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args(argv)
    n = args.n
    build_time(10, p=0.5)          # imports and first compilations outside the timings
    for rule in (dict(p=1.0), dict(p=0.9), dict(in_degree=n - 1, autapses=False), dict(in_degree=n // 2),
                 dict(p=0.02)):
        s, count = build_time(n, **rule)
        print(f"n={n} {rule}: {s:.3f} s, {count} synapses", flush=True)


if __name__ == "__main__":
    main()
