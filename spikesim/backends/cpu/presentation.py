"""Kernels of a :class:`~spikesim.model.presentation.Presentation`: phase changes and spike counts.

The cpu step loop calls :func:`advance` at the first step of every phase
and :func:`count_spikes` after the counted group's threshold; the
reference and cuda backends call the same :func:`advance` from Python
between phases (records: see :mod:`spikesim.backends.records`).
"""
import math

from numba import njit

from .inputs import calendar_build

# state slots and phases: spikesim.model.presentation
PHASE, NEXT_CHANGE, NEXT_ITEM, N_ITEMS, BLOCKS, SHOW_STEPS, REST_STEPS, MIN_SPIKES = range(8)
NOT_STARTED, SHOWING, RESTING, DONE = 0, 1, 2, 3


@njit(cache=True, forceinline=True)
def count_spikes(P, spikes, k):
    """Add the k spikes of the counted group in ``spikes`` to the current showing's counts."""
    if P.state[PHASE] != SHOWING:
        return
    n_c = P.now.shape[1]
    for q in range(k):
        i = spikes[q]
        b = i // n_c
        if P.item[b] >= 0:
            P.now[b, i - b * n_c] += 1


@njit(cache=True, forceinline=True)
def set_rates(step, new, g, dt):
    """Give the Poisson group of record ``g`` the rates ``new`` from ``step`` on.

    As between two runs: when any rate changes, every neuron's next spike
    is drawn afresh from ``step`` (one draw each); unchanged rates keep the
    pending spikes.
    """
    rates = g.x[0]
    changed = False
    for i in range(rates.size):
        if rates[i] != new[i]:
            changed = True
            break
    if not changed:
        return
    nxt, draws, log1mp, head, link, far, far_n = g.extra
    for i in range(rates.size):
        rates[i] = new[i]
        p = new[i] * dt
        log1mp[i] = -math.inf if p >= 1.0 else math.log1p(-p)
        nxt[i] = -1
    calendar_build(step, nxt, draws, log1mp, g.key[0], head, link, far, far_n)


@njit(cache=True, forceinline=True)
def advance(step, P, g):
    """The phase change due at ``step``; returns the new phase (SHOWING, RESTING or DONE).

    End of a showing: each block's item is accepted (its counts kept) or,
    with fewer than ``min_spikes`` spikes and room to raise the gain, shown
    again; the inputs fall silent for the rest.  End of a rest (or the
    start): the blocks still holding an item show it again, else a new
    round of items starts, or the presentation is done.
    """
    st = P.state
    B = st[BLOCKS]
    n_in = P.rates.shape[1]
    new = P.scratch
    gain_step, max_gain, dt = P.params[1], P.params[2], P.params[3]
    if st[PHASE] == SHOWING:
        for b in range(B):
            it = P.item[b]
            if it < 0:
                continue
            P.tries[it] += 1
            total = 0
            for j in range(P.now.shape[1]):
                total += P.now[b, j]
            if total < st[MIN_SPIKES] and P.item_gain[b] + gain_step <= max_gain:
                P.item_gain[b] += gain_step
            else:
                for j in range(P.now.shape[1]):
                    P.counts[it, j] = P.now[b, j]
                P.item[b] = -1
        new[:] = 0.0
        set_rates(step, new, g, dt)
        st[PHASE] = RESTING
        st[NEXT_CHANGE] = step + st[REST_STEPS]
        return RESTING
    busy = False
    for b in range(B):
        if P.item[b] >= 0:
            busy = True
    if not busy:
        if st[NEXT_ITEM] >= st[N_ITEMS]:
            st[PHASE] = DONE
            st[NEXT_CHANGE] = -1
            return DONE
        for b in range(B):
            if st[NEXT_ITEM] < st[N_ITEMS]:
                P.item[b] = st[NEXT_ITEM]
                P.item_gain[b] = P.params[0]
                st[NEXT_ITEM] += 1
    for b in range(B):
        it = P.item[b]
        for j in range(n_in):
            new[b * n_in + j] = P.rates[P.order[it], j] * P.item_gain[b] if it >= 0 else 0.0
        for j in range(P.now.shape[1]):
            P.now[b, j] = 0
    set_rates(step, new, g, dt)
    st[PHASE] = SHOWING
    st[NEXT_CHANGE] = step + st[SHOW_STEPS]
    return SHOWING
