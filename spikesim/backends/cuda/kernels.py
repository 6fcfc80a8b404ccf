"""CUDA kernels: the per-element math of ``backends/_scalar.py`` and ``backends/cpu``, grid-stride loops.

Every kernel reads the current step from ``clk[0]`` (a device counter that
:func:`tick` advances), so that one step's sequence of launches never
changes and can be recorded once as a CUDA graph and replayed.  The engine
hands the j-th step of a graph a view of entry j of a counter that holds
``n, n + 1, ...``, so that one :func:`tick` per graph advances them all.
Spikes are appended to the spike-history ring with atomic counters (their
order within a step is arbitrary; monitors sort them on the host), and
synaptic input is accumulated with atomic adds: sums of different weights
onto one neuron in one step can differ from the cpu backend in the last
bits.

History slot of step ``p``: ``p % D`` with ``D`` one more than the cpu
backend's depth, so that a step kernel can clear the slot of the next step
(no delay reaches that far back).
"""
import math

import numba
from numba import cuda

from ...model.neuron_models import IF_DISCRETE, IZHIKEVICH, LIF_COBA, LIF_CUBA, MAXPOOL
from .. import _scalar as S
from ..cpu import plasticity as P
from ..cpu.neurons import reset_one
from ..cpu.synapses import normalize_one

SIMULATOR = bool(numba.config.ENABLE_CUDASIM)
WARP = 4 if SIMULATOR else 32      # lanes that share one spike's synapses in the delivery kernels


@cuda.jit(device=True)
def _integrate_one(model, method, x, par, coef, i, c, I, nr, dt):
    """Advance neuron i of a group by one step (its parameters in column c: i, or 0 when shared); returns v."""
    if model == LIF_CUBA:
        v, ge, gi = S.lif_cuba_exact(x[0, i], x[1, i], x[2, i], par[0, c], I,
                                     coef[0, c], coef[1, c], coef[2, c], coef[3, c], coef[4, c])
        if nr:
            x[0, i] = v
        x[1, i] = ge
        x[2, i] = gi
        return v
    move = 1.0 if nr else 0.0
    if model == IF_DISCRETE:
        v = x[0, i] + I
        if nr:
            x[0, i] = v
        return v
    if model == MAXPOOL:
        v = S.maxpool_gate(x[1, i], x[2, i], x[3, i], x[4, i], x[5, i], x[6, i], x[7, i], x[8, i])
        x[0, i] = v
        for k in range(4):
            x[5 + k, i] = x[1 + k, i]
        return v
    if model == LIF_COBA:
        p = (par[0, c], par[1, c], par[2, c], par[3, c], par[4, c], par[5, c], par[6, c], I)
        if method == S.EXP_EULER:
            v, ge, gi = S.lif_coba_exponential_euler(x[0, i], x[1, i], x[2, i], p, dt, move)
        else:
            v, ge, gi = S.integrate3(method, S.lif_coba_derivs, x[0, i], x[1, i], x[2, i], p, dt, move)
        x[0, i] = v
        x[1, i] = ge
        x[2, i] = gi
        return v
    if model == IZHIKEVICH:
        v, u = S.integrate2(method, S.izhikevich_derivs, x[0, i], x[1, i], (par[0, c], par[1, c], I), dt, move)
        x[0, i] = v
        x[1, i] = u
        return v
    # ADEX
    p = (par[0, c], par[1, c], par[2, c], par[3, c], par[4, c], par[5, c], par[6, c], I)
    v, w = S.integrate2(method, S.adex_derivs, x[0, i], x[1, i], p, dt, move)
    x[0, i] = v
    x[1, i] = w
    return v


@cuda.jit(device=True)
def _open_slot(n, hist_n, hist_step):
    """Thread 0: mark the slot of step n as holding step n and clear the next step's slot."""
    D = hist_n.size
    hist_step[n % D] = n
    hist_n[(n + 1) % D] = 0


@cuda.jit(device=True)
def _emit(i, n, slot, hist, hist_n, mon_i, mon_s, mon_c):
    """Append neuron i's spike at step n to the history ring and to the spike monitor, if any."""
    k = cuda.atomic.add(hist_n, slot, 1)
    hist[slot, k] = i
    if mon_c.size:
        c = cuda.atomic.add(mon_c, 0, 1)
        if c < mon_i.size:
            mon_i[c] = i
            mon_s[c] = n


@cuda.jit
def neuron_step(clk, model, method, x, par, coef, last, ref, uniform, cur, cur_div, i_row, vth_row, dt, theta,
                theta_decay, hist, hist_n, hist_step, mon_i, mon_s, mon_c, err, fused, r_row, subtract, incr_var,
                incr_row, theta_plus):
    """Integrate, (decay the adaptive threshold,) test the threshold and emit spikes: one group, one step.

    ``uniform``: every neuron has the same parameters, which are then read from column 0 (one cached load
    instead of a stream of per-neuron values).  ``fused``: a neuron that fires is also reset here (arguments
    as :func:`reset`), which saves the step's :func:`reset` launch; the engine fuses only groups into which
    no synapse delivers to a variable the reset writes, so the result equals resetting after delivery."""
    n = clk[0]
    start, stride = cuda.grid(1), cuda.gridsize(1)
    if start == 0:
        _open_slot(n, hist_n, hist_step)
    slot = n % hist_n.size
    row = min(n // cur_div, cur.shape[0] - 1)
    cs = 0 if cur.shape[1] == 1 else 1
    adaptive = theta.size > 0
    for i in range(start, x.shape[1], stride):
        c = 0 if uniform else i
        nr = (n - last[i]) >= ref[c]
        v = _integrate_one(model, method, x, par, coef, i, c, par[i_row, c] + cur[row, i * cs], nr, dt)
        if not math.isfinite(v):
            cuda.atomic.min(err, 0, n)
        th = par[vth_row, c]
        if adaptive:
            theta[i] *= theta_decay
            th += theta[i]
        if x[0, i] > th and nr:
            last[i] = n
            _emit(i, n, slot, hist, hist_n, mon_i, mon_s, mon_c)
            if fused:
                reset_one(x, par, i, r_row, vth_row, subtract, incr_var, incr_row, theta, theta_plus)


@cuda.jit(device=True)
def _advance(n, key, i, draws, log1mp):
    G = S.geometric_steps(S.uniform01(key, i, draws[i]), log1mp)
    draws[i] += 1
    if G >= 1e18:
        return 2 ** 62
    return n + int(G)


@cuda.jit
def poisson_step(clk, nxt, draws, log1mp, key, last, hist, hist_n, hist_step, mon_i, mon_s, mon_c):
    """Poisson sources whose next event is now emit a spike and draw their following event."""
    n = clk[0]
    start, stride = cuda.grid(1), cuda.gridsize(1)
    if start == 0:
        _open_slot(n, hist_n, hist_step)
    slot = n % hist_n.size
    for i in range(start, nxt.size, stride):
        if nxt[i] < n:
            nxt[i] = _advance(n - 1, key, i, draws, log1mp[i])
        if nxt[i] == n:
            last[i] = n
            nxt[i] = _advance(n, key, i, draws, log1mp[i])
            _emit(i, n, slot, hist, hist_n, mon_i, mon_s, mon_c)


@cuda.jit(device=True)
def _lower_bound(a, n):
    lo, hi = 0, a.size
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < n:
            lo = mid + 1
        else:
            hi = mid
    return lo


@cuda.jit
def generator_step(clk, ev_step, ev_idx, last, hist, hist_n, hist_step, mon_i, mon_s, mon_c):
    """The events of a spike generator at the current step (events sorted by step)."""
    n = clk[0]
    start, stride = cuda.grid(1), cuda.gridsize(1)
    if start == 0:
        _open_slot(n, hist_n, hist_step)
    slot = n % hist_n.size
    lo = _lower_bound(ev_step, n)
    hi = _lower_bound(ev_step, n + 1)
    for c in range(lo + start, hi, stride):
        i = ev_idx[c]
        last[i] = n
        _emit(i, n, slot, hist, hist_n, mon_i, mon_s, mon_c)


@cuda.jit
def deliver(clk, hist, hist_n, hist_step, dptr, udelay, post, w, target):
    """target[post[s]] += w[s] for every synapse s of every spike due now (atomic adds).

    One warp per arriving spike, its lanes striding over the spike's synapses
    (coalesced loads of post and w)."""
    n = clk[0]
    D, U = hist_n.size, udelay.size
    t = cuda.grid(1)
    lane = t % WARP
    warp, n_warps = t // WARP, cuda.gridsize(1) // WARP
    for u in range(U):
        p = n - udelay[u]
        slot = p % D
        if hist_step[slot] != p:
            continue
        for k in range(warp, hist_n[slot], n_warps):
            b = hist[slot, k] * U + u
            for s in range(dptr[b] + lane, dptr[b + 1], WARP):
                cuda.atomic.add(target, post[s], w[s])


@cuda.jit
def pre_heads(clk, dt, hist, hist_n, hist_step, udelay, info, par, table, xpre, tpre, ring_pre, ring_pos_pre, fac,
              err_ring, s_index):
    """Plastic synapses, first half of a spike's arrival: each arriving block's own update (one thread per block).

    The factor its synapse updates need is kept in ``fac[b]`` for :func:`deliver_plastic`.
    """
    n = clk[0]
    D, U = hist_n.size, udelay.size
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for u in range(U):
        p = n - udelay[u]
        slot = p % D
        if hist_step[slot] != p:
            continue
        for k in range(start, hist_n[slot], stride):
            b = hist[slot, k] * U + u
            fac[b] = P.pre_factor(n, dt, b, info, par, table, xpre, tpre)
            if P.pre_commit(n, dt, b, info, par, table, xpre, tpre, ring_pre, ring_pos_pre):
                cuda.atomic.min(err_ring, s_index, n)


@cuda.jit
def deliver_plastic(clk, dt, hist, hist_n, hist_step, dptr, udelay, post, w, target, info, par, table, xpost, tpost,
                    ring_post, fac):
    """As :func:`deliver`, each lane then applying the rule's pre-side update to its synapse (after :func:`pre_heads`).

    One warp per arriving spike; a synapse belongs to one block, so its weight has one writer.
    """
    n = clk[0]
    D, U = hist_n.size, udelay.size
    t = cuda.grid(1)
    lane = t % WARP
    warp, n_warps = t // WARP, cuda.gridsize(1) // WARP
    c = P.pre_constants(info, par)
    for u in range(U):
        p = n - udelay[u]
        slot = p % D
        if hist_step[slot] != p:
            continue
        for k in range(warp, hist_n[slot], n_warps):
            b = hist[slot, k] * U + u
            f = fac[b]
            for s in range(dptr[b] + lane, dptr[b + 1], WARP):
                j = post[s]
                cuda.atomic.add(target, j, w[s])
                P.pre_synapse(n, dt, s, j, w, c, table, xpost, tpost, ring_post, f)


@cuda.jit
def post_heads(clk, dt, hist, hist_n, info, par, table, xpost, tpost, ring_post, ring_pos_post, fac, err_ring,
               s_index):
    """Post-side plasticity, first half: each post neuron that fired now updates its own traces (one thread each).

    The factor its synapse updates need is kept in ``fac[j]`` for :func:`post_side`.
    """
    n = clk[0]
    slot = n % hist_n.size
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, hist_n[slot], stride):
        j = hist[slot, k]
        fac[j] = P.post_factor(n, dt, j, info, par, table, xpost, tpost)
        if P.post_commit(n, dt, j, info, par, table, xpost, tpost, ring_post, ring_pos_post):
            cuda.atomic.min(err_ring, s_index, n)


@cuda.jit
def post_side(clk, dt, hist, hist_n, w, info, par, table, xpre, tpre, rev_ptr, rev_syn, rev_block, ring_pre, fac):
    """Post-side plasticity, second half: the incoming synapses of every post neuron that fired now.

    One warp per spike, its lanes striding over the neuron's incoming synapses (after :func:`post_heads`).
    """
    n = clk[0]
    slot = n % hist_n.size
    t = cuda.grid(1)
    lane = t % WARP
    warp, n_warps = t // WARP, cuda.gridsize(1) // WARP
    c = P.post_constants(info, par)
    for k in range(warp, hist_n[slot], n_warps):
        j = hist[slot, k]
        f = fac[j]
        for r in range(rev_ptr[j] + lane, rev_ptr[j + 1], WARP):
            P.post_synapse(n, dt, r, w, c, table, xpre, tpre, rev_syn, rev_block, ring_pre, f)


@cuda.jit
def rate_post(clk, interval, dt, par, table, xpost, tpost):
    """Rate rules, every ``interval`` steps: post traces to now."""
    n = clk[0]
    if n % interval != 0:
        return
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, xpost.shape[1], stride):
        P.rate_post_trace(n, dt, j, par, table, xpost, tpost)


@cuda.jit
def rate_blocks(clk, interval, dt, dptr, post, w, par, table, xpre, tpre, xpost):
    """Rate rules, every ``interval`` steps: pre traces to now and the weight update (one thread per block)."""
    n = clk[0]
    if n % interval != 0:
        return
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for b in range(start, dptr.size - 1, stride):
        P.rate_block_update(n, dt, b, dptr, post, w, par, table, xpre, tpre, xpost)


@cuda.jit
def rate_bcm(clk, interval, par, xpost):
    """BCM, every ``interval`` steps: sliding thresholds."""
    n = clk[0]
    if n % interval != 0:
        return
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, xpost.shape[1], stride):
        P.bcm_threshold(j, par, xpost)


@cuda.jit
def reset(clk, x, par, r_row, vth_row, subtract, incr_var, incr_row, hist, hist_n, theta, theta_plus):
    """Reset the neurons that fired now (and raise their adaptive thresholds)."""
    n = clk[0]
    slot = n % hist_n.size
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, hist_n[slot], stride):
        reset_one(x, par, hist[slot, k], r_row, vth_row, subtract, incr_var, incr_row, theta, theta_plus)


@cuda.jit
def normalize(clk, every, w, rev_ptr, rev_syn, total):
    """Every ``every`` steps: incoming weights of each post neuron scaled to sum to ``total``."""
    n = clk[0]
    if n % every != 0:
        return
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, rev_ptr.size - 1, stride):
        normalize_one(j, w, rev_ptr, rev_syn, total)


@cuda.jit
def record_state(clk, every, base, x, var_index, idx, out):
    """State monitor: at steps that are multiples of ``every``, row n // every - base[0]."""
    n = clk[0]
    if n % every != 0:
        return
    row = n // every - base[0]
    start, stride = cuda.grid(1), cuda.gridsize(1)
    nv, ni = var_index.size, idx.size
    for q in range(start, nv * ni, stride):
        a, b = q // ni, q % ni
        out[row, a, b] = x[var_index[a], idx[b]]


@cuda.jit
def record_weights(clk, every, req, base, w, pos, out):
    """Weight monitor: every ``every`` steps, or at the steps listed in ``req`` (sorted; every == 0)."""
    n = clk[0]
    if every > 0:
        if n % every != 0:
            return
        row = n // every - base[0]
    else:
        k = _lower_bound(req, n)
        if k >= req.size or req[k] != n:
            return
        row = k - base[0]
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for q in range(start, pos.size, stride):
        out[row, q] = w[pos[q]]


@cuda.jit
def store_count(clk, hist_n, base, out):
    """Population rate monitor: this step's spike count."""
    if cuda.grid(1) == 0:
        n = clk[0]
        out[n - base[0]] = hist_n[n % hist_n.size]


@cuda.jit
def tick(clk, by):
    """Advance every entry of the step counter by ``by`` steps (entry j: the step of the j-th step of a graph)."""
    for k in range(cuda.grid(1), clk.size, cuda.gridsize(1)):
        clk[k] += by
