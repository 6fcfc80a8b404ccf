"""CPU kernels of the plasticity rules: pre-side (with delivery) and post-side events.

The rules are described in :mod:`spikesim.plasticity.stdp`; the per-element
math is in :mod:`.._scalar`.
"""
from numba import njit

from ...plasticity.hebbian import RULE_HEBBIAN, VARIANT_BCM, VARIANT_HEBB
from ...plasticity.stdp import (INFO_KIND, INFO_PAIRING, INFO_WINDOW, INFO_WSTEPS, PAIR_NEAREST, RULE_PAIR,
                                WINDOW_EXP)
from .. import _scalar as S


@njit(cache=True)
def pre_block(n, dt, b, lo, hi, post, w, target_row, info, par, table, xpre, tpre, xpost, tpost, ring_pre,
              ring_pos_pre, ring_post):
    """A spike arrives at the synapses ``lo:hi`` of block ``b`` (one source, one delay).

    Applies ``target += w`` then the rule's pre-side update.  Returns True on
    a rectangular-window ring overflow.  The same update, split for one
    thread per block and one per synapse (the cuda backend): :func:`pre_factor`,
    :func:`pre_commit`, :func:`pre_synapse`.
    """
    nearest = info[INFO_PAIRING] == PAIR_NEAREST
    overflow = False
    if info[INFO_KIND] == RULE_PAIR:
        A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, mu = par[0], par[1], par[2], par[3], par[4], par[5], par[6]
        exp_window = info[INFO_WINDOW] == WINDOW_EXP
        if exp_window:
            x = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
            xpre[0, b] = A_plus if nearest else x + A_plus
            tpre[b] = n
        else:
            overflow = S.ring_push(ring_pre, ring_pos_pre, b, n, info[INFO_WSTEPS])
        for s in range(lo, hi):
            j = post[s]
            target_row[j] += w[s]
            if exp_window:
                dep = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, tau_minus)
            else:
                dep = A_minus * S.ring_count(ring_post, j, n, 1, info[INFO_WSTEPS])
            w[s] = S.bounded_update(w[s], dep, w_min, w_max, mu)
    elif info[INFO_KIND] == RULE_HEBBIAN:
        for s in range(lo, hi):
            target_row[post[s]] += w[s]
        xpre[0, b] = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, par[1]) + 1.0 / par[1]
        tpre[b] = n
    else:  # triplet
        A3_minus, A2_minus = par[3], par[2]
        tau_plus, tau_x, tau_minus, w_min, w_max = par[4], par[5], par[6], par[8], par[9]
        r1 = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
        r2_before = S.decayed(xpre[1, b], n, tpre[b], table, 1, dt, tau_x)
        xpre[0, b] = 1.0 if nearest else r1 + 1.0
        xpre[1, b] = 1.0 if nearest else r2_before + 1.0
        tpre[b] = n
        for s in range(lo, hi):
            j = post[s]
            target_row[j] += w[s]
            o1 = S.decayed(xpost[0, j], n, tpost[j], table, 2, dt, tau_minus)
            w[s] = S.bounded_update(w[s], -o1 * (A2_minus + A3_minus * r2_before), w_min, w_max, 0.0)
    return overflow


@njit(cache=True)
def pre_factor(n, dt, b, info, par, table, xpre, tpre):
    """Read-only part of a spike's arrival at block ``b``: the factor its synapse updates need.

    The triplet rule's second pre trace just before the spike; 0 for the other rules.
    """
    if info[INFO_KIND] == RULE_PAIR or info[INFO_KIND] == RULE_HEBBIAN:
        return 0.0
    return S.decayed(xpre[1, b], n, tpre[b], table, 1, dt, par[5])


@njit(cache=True)
def pre_commit(n, dt, b, info, par, table, xpre, tpre, ring_pre, ring_pos_pre):
    """The block's own update when a spike arrives at it (pre traces, or the window ring).

    Returns True on a rectangular-window ring overflow.
    """
    nearest = info[INFO_PAIRING] == PAIR_NEAREST
    if info[INFO_KIND] == RULE_PAIR:
        if info[INFO_WINDOW] != WINDOW_EXP:
            return S.ring_push(ring_pre, ring_pos_pre, b, n, info[INFO_WSTEPS])
        x = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, par[2])
        xpre[0, b] = par[0] if nearest else x + par[0]
    elif info[INFO_KIND] == RULE_HEBBIAN:
        xpre[0, b] = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, par[1]) + 1.0 / par[1]
    else:  # triplet
        r1 = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, par[4])
        r2 = S.decayed(xpre[1, b], n, tpre[b], table, 1, dt, par[5])
        xpre[0, b] = 1.0 if nearest else r1 + 1.0
        xpre[1, b] = 1.0 if nearest else r2 + 1.0
    tpre[b] = n
    return False


@njit(cache=True)
def pre_constants(info, par):
    """The rule's constants for :func:`pre_synapse`, read once per arriving block.

    (kind, exponential window, window steps, a, b, tau, w_min, w_max, mu): pair rule
    a = A_minus, tau = tau_minus; triplet a = A2_minus, b = A3_minus, tau = tau_minus.
    """
    if info[INFO_KIND] == RULE_PAIR:
        return (RULE_PAIR, info[INFO_WINDOW] == WINDOW_EXP, info[INFO_WSTEPS], par[1], 0.0, par[3], par[4], par[5],
                par[6])
    if info[INFO_KIND] == RULE_HEBBIAN:
        return (RULE_HEBBIAN, True, info[INFO_WSTEPS], 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    return (info[INFO_KIND], True, info[INFO_WSTEPS], par[2], par[3], par[6], par[8], par[9], 0.0)


@njit(cache=True)
def pre_synapse(n, dt, s, j, w, c, table, xpost, tpost, ring_post, factor):
    """Synapse ``s`` (onto post neuron ``j``) when a spike arrives: the rule's depression of ``w[s]``.

    ``c`` is :func:`pre_constants`; ``factor`` is :func:`pre_factor` of the
    synapse's block, taken before :func:`pre_commit`.
    """
    kind, exp_window, wsteps, a, b, tau, w_min, w_max, mu = c
    if kind == RULE_PAIR:
        if exp_window:
            dep = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, tau)
        else:
            dep = a * S.ring_count(ring_post, j, n, 1, wsteps)
        w[s] = S.bounded_update(w[s], dep, w_min, w_max, mu)
    elif kind != RULE_HEBBIAN:  # triplet
        o1 = S.decayed(xpost[0, j], n, tpost[j], table, 2, dt, tau)
        w[s] = S.bounded_update(w[s], -o1 * (a + b * factor), w_min, w_max, 0.0)


@njit(cache=True)
def deliver_plastic(n, dt, hist, hist_n, hist_step, dptr, udelay, post, w, target_row, info, par, table, xpre,
                    tpre, xpost, tpost, ring_pre, ring_pos_pre, ring_post):
    """Like :func:`.synapses.deliver`, running the rule's pre-side update per arriving spike."""
    U = udelay.size
    D = hist_n.size
    overflow = False
    for u in range(U - 1, -1, -1):
        p = n - udelay[u]
        slot = p % D
        if hist_step[slot] != p:
            continue
        for k in range(hist_n[slot]):
            b = hist[slot, k] * U + u
            overflow |= pre_block(n, dt, b, dptr[b], dptr[b + 1], post, w, target_row, info, par, table, xpre,
                                  tpre, xpost, tpost, ring_pre, ring_pos_pre, ring_post)
    return overflow


@njit(cache=True)
def post_spike(n, dt, j, w, info, par, table, xpre, tpre, xpost, tpost, rev_ptr, rev_syn, rev_block, ring_pre,
               ring_post, ring_pos_post):
    """Post-side update for post neuron ``j`` firing at step n.  Returns True on a ring overflow.

    The same update, split for one thread per spike and one per synapse (the
    cuda backend): :func:`post_factor`, :func:`post_commit`, :func:`post_synapse`.
    """
    nearest = info[INFO_PAIRING] == PAIR_NEAREST
    overflow = False
    if info[INFO_KIND] == RULE_PAIR:
        A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, mu = (par[0], par[1], par[2], par[3], par[4],
                                                                  par[5], par[6])
        exp_window = info[INFO_WINDOW] == WINDOW_EXP
        if exp_window:
            x = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, tau_minus)
            xpost[0, j] = A_minus if nearest else x + A_minus
            tpost[j] = n
        else:
            overflow = S.ring_push(ring_post, ring_pos_post, j, n, info[INFO_WSTEPS])
        for r in range(rev_ptr[j], rev_ptr[j + 1]):
            b = rev_block[r]
            if exp_window:
                pot = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
            else:
                pot = A_plus * S.ring_count(ring_pre, b, n, 0, info[INFO_WSTEPS])
            s = rev_syn[r]
            w[s] = S.bounded_update(w[s], pot, w_min, w_max, mu)
    elif info[INFO_KIND] == RULE_HEBBIAN:
        xpost[0, j] = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, par[2]) + 1.0 / par[2]
        tpost[j] = n
    else:  # triplet
        A2_plus, A3_plus = par[0], par[1]
        tau_plus, tau_minus, tau_y, w_min, w_max = par[4], par[6], par[7], par[8], par[9]
        o1 = S.decayed(xpost[0, j], n, tpost[j], table, 2, dt, tau_minus)
        o2_before = S.decayed(xpost[1, j], n, tpost[j], table, 3, dt, tau_y)
        xpost[0, j] = 1.0 if nearest else o1 + 1.0
        xpost[1, j] = 1.0 if nearest else o2_before + 1.0
        tpost[j] = n
        for r in range(rev_ptr[j], rev_ptr[j + 1]):
            b = rev_block[r]
            r1 = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
            s = rev_syn[r]
            w[s] = S.bounded_update(w[s], r1 * (A2_plus + A3_plus * o2_before), w_min, w_max, 0.0)
    return overflow


@njit(cache=True)
def post_factor(n, dt, j, info, par, table, xpost, tpost):
    """Read-only part of post neuron ``j`` firing: the triplet rule's second post trace just before; else 0."""
    if info[INFO_KIND] == RULE_PAIR or info[INFO_KIND] == RULE_HEBBIAN:
        return 0.0
    return S.decayed(xpost[1, j], n, tpost[j], table, 3, dt, par[7])


@njit(cache=True)
def post_commit(n, dt, j, info, par, table, xpost, tpost, ring_post, ring_pos_post):
    """Post neuron ``j``'s own update when it fires (post traces, or the window ring); True on ring overflow."""
    nearest = info[INFO_PAIRING] == PAIR_NEAREST
    if info[INFO_KIND] == RULE_PAIR:
        if info[INFO_WINDOW] != WINDOW_EXP:
            return S.ring_push(ring_post, ring_pos_post, j, n, info[INFO_WSTEPS])
        x = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, par[3])
        xpost[0, j] = par[1] if nearest else x + par[1]
    elif info[INFO_KIND] == RULE_HEBBIAN:
        xpost[0, j] = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, par[2]) + 1.0 / par[2]
    else:  # triplet
        o1 = S.decayed(xpost[0, j], n, tpost[j], table, 2, dt, par[6])
        o2 = S.decayed(xpost[1, j], n, tpost[j], table, 3, dt, par[7])
        xpost[0, j] = 1.0 if nearest else o1 + 1.0
        xpost[1, j] = 1.0 if nearest else o2 + 1.0
    tpost[j] = n
    return False


@njit(cache=True)
def post_constants(info, par):
    """The rule's constants for :func:`post_synapse`, read once per post spike.

    (kind, exponential window, window steps, a, b, tau, w_min, w_max, mu): pair rule
    a = A_plus, tau = tau_plus; triplet a = A2_plus, b = A3_plus, tau = tau_plus.
    """
    if info[INFO_KIND] == RULE_PAIR:
        return (RULE_PAIR, info[INFO_WINDOW] == WINDOW_EXP, info[INFO_WSTEPS], par[0], 0.0, par[2], par[4], par[5],
                par[6])
    if info[INFO_KIND] == RULE_HEBBIAN:
        return (RULE_HEBBIAN, True, info[INFO_WSTEPS], 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    return (info[INFO_KIND], True, info[INFO_WSTEPS], par[0], par[1], par[4], par[8], par[9], 0.0)


@njit(cache=True)
def post_synapse(n, dt, r, w, c, table, xpre, tpre, rev_syn, rev_block, ring_pre, factor):
    """Entry ``r`` of the post neuron's incoming list when it fires: the rule's potentiation.

    ``c`` is :func:`post_constants`; ``factor`` is :func:`post_factor` of the
    post neuron, taken before :func:`post_commit`.
    """
    kind, exp_window, wsteps, a, b2, tau, w_min, w_max, mu = c
    b = rev_block[r]
    s = rev_syn[r]
    if kind == RULE_PAIR:
        if exp_window:
            pot = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau)
        else:
            pot = a * S.ring_count(ring_pre, b, n, 0, wsteps)
        w[s] = S.bounded_update(w[s], pot, w_min, w_max, mu)
    elif kind != RULE_HEBBIAN:  # triplet
        r1 = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau)
        w[s] = S.bounded_update(w[s], r1 * (a + b2 * factor), w_min, w_max, 0.0)


@njit(cache=True)
def post_spikes(n, dt, spikes, count, w, info, par, table, xpre, tpre, xpost, tpost, rev_ptr, rev_syn, rev_block,
                ring_pre, ring_post, ring_pos_post):
    """Post-side update for the ``count`` post neurons in ``spikes`` that fired at step n."""
    overflow = False
    for q in range(count):
        overflow |= post_spike(n, dt, spikes[q], w, info, par, table, xpre, tpre, xpost, tpost, rev_ptr, rev_syn,
                               rev_block, ring_pre, ring_post, ring_pos_post)
    return overflow


@njit(cache=True)
def rate_post_trace(n, dt, j, par, table, xpost, tpost):
    """Rate rule: bring post neuron j's rate trace to step n."""
    xpost[0, j] = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, par[2])
    tpost[j] = n


@njit(cache=True)
def rate_block_update(n, dt, b, dptr, post, w, par, table, xpre, tpre, xpost):
    """Rate rule: bring block b's pre trace to step n and update its synapses (post traces already current)."""
    eta, tau_pre, w_min, w_max, variant, h = par[0], par[1], par[3], par[4], par[5], par[6]
    x = S.decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_pre)
    xpre[0, b] = x
    tpre[b] = n
    for s in range(dptr[b], dptr[b + 1]):
        j = post[s]
        y = xpost[0, j]
        if variant == VARIANT_HEBB:
            dwdt = eta * x * y - par[7] * w[s]
        elif variant == VARIANT_BCM:
            dwdt = eta * x * y * (y - xpost[1, j])
        else:  # Oja
            dwdt = eta * y * (x - y * w[s])
        w[s] = min(max(w[s] + h * dwdt, w_min), w_max)


@njit(cache=True)
def bcm_threshold(j, par, xpost):
    """BCM: move post neuron j's sliding threshold towards y^2 / y0."""
    h, y0, tau_theta = par[6], par[7], par[8]
    y = xpost[0, j]
    xpost[1, j] += h / tau_theta * (y * y / y0 - xpost[1, j])


@njit(cache=True)
def rate_rule_update(n, dt, dptr, post, w, par, table, xpre, tpre, xpost, tpost):
    """One update of a rate-based Hebbian rule over all synapses (see spikesim.plasticity.hebbian)."""
    for j in range(xpost.shape[1]):
        rate_post_trace(n, dt, j, par, table, xpost, tpost)
    for b in range(dptr.size - 1):
        rate_block_update(n, dt, b, dptr, post, w, par, table, xpre, tpre, xpost)
    if par[5] == VARIANT_BCM:
        for j in range(xpost.shape[1]):
            bcm_threshold(j, par, xpost)
