"""Benchmark: the cost of one ``exp`` in compiled spikesim code, and a check that it is the C library's.

Three ways of taking ``exp`` of 400 arguments (a neuron update's row), each in a numba loop run
20,000 times, best of 7, in nanoseconds per value:

* ``libm call``: ``math.exp`` in the loop, a call of the C library per value;
* ``functions.exp``: spikesim's scalar ``exp`` (the inlined core of :mod:`spikesim.equations.exp_libm`
  where this machine's check allows it, else the library's call);
* ``functions.exp_row``: the row at once (one vectorised loop of the core where allowed).

It then compares spikesim's values with ``math.exp`` on 4 million arguments over the whole
range (every bit must agree) and prints whether the core is in use on this machine.

    python experiments/benchmarks/exp_speed.py
"""
import math
import sys
import time

import numpy as np
from numba import njit

from spikesim.equations import exp_libm
from spikesim.equations import functions as F


@njit
def _libm(a, out, reps):
    for _ in range(reps):
        for i in range(a.size):
            out[i] = math.exp(a[i])


@njit
def _scalar(a, out, reps):
    for _ in range(reps):
        for i in range(a.size):
            out[i] = F.exp(a[i])


@njit
def _row(a, out, reps):
    for _ in range(reps):
        out[:] = a
        F.exp_row(out)


def _best(fn, a, out, reps=20_000, rounds=7):
    fn(a, out, 1)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(a, out, reps)
        best = min(best, time.perf_counter() - t0)
    return best / reps / a.size * 1e9


def main():
    print(f"exp_libm core in use on this machine: {F.LIBM_CORE}")
    rng = np.random.default_rng(0)
    a = rng.uniform(-0.2, 0.0, 400)          # exponential-Euler arguments: -dt/tau (1 + g)
    out = np.empty_like(a)
    for name, fn in (("libm call", _libm), ("functions.exp", _scalar), ("functions.exp_row", _row)):
        print(f"{name:18s} {_best(fn, a, out):6.2f} ns per value")
    x = np.concatenate([rng.uniform(-745.5, 709.7, 2_000_000), rng.uniform(-2, 2, 2_000_000)])
    mine, ref = np.empty_like(x), np.empty_like(x)
    _scalar(x, mine, 1)
    _libm(x, ref, 1)
    row = np.empty_like(x)
    _row(x, row, 1)
    same = np.array_equal(mine.view(np.uint64), ref.view(np.uint64)) and \
        np.array_equal(row.view(np.uint64), ref.view(np.uint64))
    print(f"same bits as the C library on {x.size:,} arguments: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
