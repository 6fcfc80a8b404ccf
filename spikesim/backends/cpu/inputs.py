"""CPU kernels for spike sources: Poisson trains and spike generators."""
from numba import njit

from .. import _scalar as S
from ..compiled import NEVER_STEP


@njit(cache=True)
def _advance(n, key, i, draws, log1mp):
    G = S.geometric_steps(S.uniform01(key, i, draws[i]), log1mp)
    draws[i] += 1
    if G >= 1e18:  # p == 0, or so small that the event lies beyond any run
        return NEVER_STEP
    return n + int(G)


@njit(cache=True)
def poisson_spikes(nxt, draws, log1mp, key, n, out):
    """Neurons whose next Poisson event is at step n; draw their following event."""
    k = 0
    for i in range(nxt.size):
        if nxt[i] < n:  # fresh start: first event G-1 steps from now
            nxt[i] = _advance(n - 1, key, i, draws, log1mp[i])
        if nxt[i] == n:
            out[k] = i
            k += 1
            nxt[i] = _advance(n, key, i, draws, log1mp[i])
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
