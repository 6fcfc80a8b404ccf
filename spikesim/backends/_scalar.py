"""The counter-based random stream every backend shares.

Each draw is a pure function of (stream key, element, draw number): the
same numbers on every backend and however a run is split into chunks.
Models' own arithmetic is generated from their equations
(:mod:`spikesim.equations`), not written here.
"""
import math

import numpy as np
from numba import njit


# ---------------------------------------------------------------- random numbers
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True)
def mix64(z):
    """splitmix64 finaliser: a bijective scramble of a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def uniform01(key, i, k):
    """Counter-based uniform draw in (0, 1] for stream ``key``, neuron ``i``, draw ``k``.

    The same (key, i, k) always gives the same number on every backend and
    regardless of how a run is split into chunks.
    """
    h = mix64(key ^ mix64(np.uint64(i) * _GOLDEN + np.uint64(k)))
    return (float(h >> _S11) + 1.0) * _INV53


@njit(cache=True)
def geometric_steps(u, log1mp):
    """Number of steps (>= 1) to the next success of a per-step Bernoulli(p).

    ``u`` is uniform in (0, 1]; ``log1mp = log(1 - p)`` (-inf when p = 1).
    Returns a float so that p = 0 (log1mp = 0) gives +inf.
    """
    if log1mp == 0.0:
        return math.inf
    q = math.log(u) / log1mp
    if q >= 1e18:          # p so small that the event lies beyond any run (also q = inf)
        return math.inf
    return math.floor(q) + 1.0
