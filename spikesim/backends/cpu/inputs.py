"""CPU kernels for spike sources: Poisson trains on an event calendar, and spike generators.

A Poisson neuron's next spike is drawn as a geometric waiting time in
steps (one counter-based uniform per spike; see :mod:`.._scalar`), and kept
on a calendar: a ring of ``H`` buckets, one per step of the current window
of ``H`` steps, each a linked list of the neurons due then, and a "far" list
of neurons due in a later window (moved into the buckets when their window
starts).  A step costs O(1) plus O(spikes), however many inputs are silent.
The spikes are those of one Bernoulli(rate*dt) trial per neuron and step.
"""
import numpy as np
from numba import njit

from .. import _scalar as S

NEVER_STEP = 2 ** 62         # a Poisson neuron with rate 0
HORIZON = 4096               # calendar window in steps (a power of two)


#: the per-step kernels below are inlined into the step loop (see spikesim.equations.render.CPU_JIT)
STEP_JIT = dict(cache=True, forceinline=True)


@njit(**STEP_JIT)
def _draw_next(n, key, i, draws, log1mp):
    """Step of neuron i's next spike after step n (NEVER_STEP when its rate is 0)."""
    G = S.geometric_steps(S.uniform01(key, i, draws[i]), log1mp)
    draws[i] += 1
    if G >= 1e18:
        return NEVER_STEP
    return n + int(G)


@njit(**STEP_JIT)
def _insert(i, nxt, head, link, far, far_n, window_end):
    """File neuron i under its next spike: its step's bucket in this window, else the far list."""
    x = nxt[i]
    if x < window_end:
        b = x & (head.size - 1)
        link[i] = head[b]
        head[b] = i
    elif x < NEVER_STEP:
        far[far_n[0]] = i
        far_n[0] += 1


@njit(cache=True)
def calendar_build(n0, nxt, draws, log1mp, key, head, link, far, far_n):
    """Start a run at step n0: draw the first spike of neurons starting afresh, fill the calendar.

    ``head.size`` (the window, :data:`HORIZON`) must be a power of two.
    """
    H = head.size
    if H & (H - 1):
        raise ValueError("the calendar's window must be a power of two")
    head[:] = -1
    far_n[0] = 0
    window_end = (n0 // H + 1) * H
    for i in range(nxt.size):
        if nxt[i] < n0:                  # fresh start: the first spike G-1 steps from now
            nxt[i] = _draw_next(n0 - 1, key, i, draws, log1mp[i])
        _insert(i, nxt, head, link, far, far_n, window_end)


@njit(**STEP_JIT)
def poisson_spikes(n, nxt, draws, log1mp, key, head, link, far, far_n, out):
    """The neurons whose spike is due at step n, in index order; each draws its next spike."""
    b = n & (head.size - 1)
    window_end = n - b + head.size
    if b == 0 and far_n[0] > 0:          # a new window: bring its far events into the buckets
        m = far_n[0]
        far_n[0] = 0
        for q in range(m):
            _insert(far[q], nxt, head, link, far, far_n, window_end)
    i = head[b]
    head[b] = -1
    k = 0
    while i >= 0:                        # take the bucket's list, in index order (it is short: insertion)
        c = k - 1
        while c >= 0 and out[c] > i:
            out[c + 1] = out[c]
            c -= 1
        out[c + 1] = i
        k += 1
        i = link[i]
    for q in range(k):
        i = out[q]
        nxt[i] = _draw_next(n, key, i, draws, log1mp[i])
        _insert(i, nxt, head, link, far, far_n, window_end)
    return k


@njit(**STEP_JIT)
def generator_spikes(ev_step, ev_idx, cursor, n, out):
    """Events of a spike generator at step n (events are sorted by step, then index)."""
    c = cursor[0]
    while c < ev_step.size and ev_step[c] < n:
        c += 1
    k = 0
    while c < ev_step.size and ev_step[c] == n:
        out[k] = ev_idx[c]
        k += 1
        c += 1
    cursor[0] = c
    return k
