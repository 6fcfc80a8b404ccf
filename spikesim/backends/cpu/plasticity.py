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
              ring_pos_pre, ring_post, add_target=True):
    """A spike arrives at the synapses ``lo:hi`` of block ``b`` (one source, one delay).

    Applies ``target += w`` (unless ``add_target`` is False: the cuda backend
    adds atomically beforehand) then the rule's pre-side update.  Returns
    True on a rectangular-window ring overflow.
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
            if add_target:
                target_row[j] += w[s]
            if exp_window:
                dep = S.decayed(xpost[0, j], n, tpost[j], table, 1, dt, tau_minus)
            else:
                dep = A_minus * S.ring_count(ring_post, j, n, 1, info[INFO_WSTEPS])
            w[s] = S.bounded_update(w[s], dep, w_min, w_max, mu)
    elif info[INFO_KIND] == RULE_HEBBIAN:
        if add_target:
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
            if add_target:
                target_row[j] += w[s]
            o1 = S.decayed(xpost[0, j], n, tpost[j], table, 2, dt, tau_minus)
            w[s] = S.bounded_update(w[s], -o1 * (A2_minus + A3_minus * r2_before), w_min, w_max, 0.0)
    return overflow


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
    """Post-side update for post neuron ``j`` firing at step n.  Returns True on a ring overflow."""
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
