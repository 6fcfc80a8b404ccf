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
HORIZON = 4096               # calendar window in steps


@njit(cache=True)
def _draw_next(n, key, i, draws, log1mp):
    """Step of neuron i's next spike after step n (NEVER_STEP when its rate is 0)."""
    G = S.geometric_steps(S.uniform01(key, i, draws[i]), log1mp)
    draws[i] += 1
    if G >= 1e18:
        return NEVER_STEP
    return n + int(G)


@njit(cache=True)
def _insert(i, nxt, head, link, far, far_n, window_end):
    if nxt[i] >= NEVER_STEP:
        return
    if nxt[i] < window_end:
        b = nxt[i] % head.size
        link[i] = head[b]
        head[b] = i
    else:
        far[far_n[0]] = i
        far_n[0] += 1


@njit(cache=True)
def calendar_build(n0, nxt, draws, log1mp, key, head, link, far, far_n):
    """Start a run at step n0: draw the first spike of neurons starting afresh, fill the calendar."""
    H = head.size
    head[:] = -1
    far_n[0] = 0
    window_end = (n0 // H + 1) * H
    for i in range(nxt.size):
        if nxt[i] < n0:                  # fresh start: the first spike G-1 steps from now
            nxt[i] = _draw_next(n0 - 1, key, i, draws, log1mp[i])
        _insert(i, nxt, head, link, far, far_n, window_end)


@njit(cache=True)
def poisson_spikes(n, nxt, draws, log1mp, key, head, link, far, far_n, out):
    """The neurons whose spike is due at step n, in index order; each draws its next spike."""
    H = head.size
    window_end = (n // H + 1) * H
    if n % H == 0 and far_n[0] > 0:      # a new window: bring its far events into the buckets
        m = far_n[0]
        far_n[0] = 0
        for q in range(m):
            _insert(far[q], nxt, head, link, far, far_n, window_end)
    b = n % H
    i = head[b]
    head[b] = -1
    k = 0
    while i >= 0:
        nx = link[i]
        out[k] = i
        k += 1
        i = nx
    # index order (the lists are short: insertion sort)
    for a in range(1, k):
        x = out[a]
        c = a - 1
        while c >= 0 and out[c] > x:
            out[c + 1] = out[c]
            c -= 1
        out[c + 1] = x
    for q in range(k):
        i = out[q]
        nxt[i] = _draw_next(n, key, i, draws, log1mp[i])
        _insert(i, nxt, head, link, far, far_n, window_end)
    return k


@njit(cache=True)
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
