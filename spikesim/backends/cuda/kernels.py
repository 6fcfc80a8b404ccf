"""CUDA kernels: per-element physics from ``backends/_scalar.py``, grid-stride loops.

Every kernel only does arithmetic on device arrays; :mod:`.run` validates,
allocates and launches.  Spike lists are compacted in index order with a
block scan (deterministic); synaptic input is accumulated with atomic adds
(the order of simultaneous additions, hence the last bits of the sums, can
differ from the cpu backend).
"""
import math

import numba
from numba import cuda

from ...model.neuron_models import IF_DISCRETE, IZHIKEVICH, LIF_COBA, LIF_CUBA
from .. import _scalar as S

# the CUDA simulator runs every thread as a Python thread: keep blocks small there
SCAN_BLOCK = 32 if numba.config.ENABLE_CUDASIM else 256


@cuda.jit
def integrate(model, method, x, par, coef, last, ref, cur_row, cur_stride, i_row, n, dt, err):
    """One step of every neuron of one group (see backends/cpu/neurons.py for the same math)."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, x.shape[1], stride):
        I = par[i_row, i] + cur_row[i * cur_stride]
        nr = (n - last[i]) >= ref[i]
        move = 1.0 if nr else 0.0
        if model == LIF_CUBA:
            v, ge, gi = S.lif_cuba_exact(x[0, i], x[1, i], x[2, i], par[0, i], I,
                                         coef[0, i], coef[1, i], coef[2, i], coef[3, i], coef[4, i])
            if nr:
                x[0, i] = v
            x[1, i] = ge
            x[2, i] = gi
        elif model == IF_DISCRETE:
            v = x[0, i] + I
            if nr:
                x[0, i] = v
        elif model == LIF_COBA:
            p = (par[0, i], par[1, i], par[2, i], par[3, i], par[4, i], par[5, i], par[6, i], I)
            v, ge, gi = S.integrate3(method, S.lif_coba_derivs, x[0, i], x[1, i], x[2, i], p, dt, move)
            x[0, i] = v
            x[1, i] = ge
            x[2, i] = gi
        elif model == IZHIKEVICH:
            v, u = S.integrate2(method, S.izhikevich_derivs, x[0, i], x[1, i], (par[0, i], par[1, i], I), dt,
                                move)
            x[0, i] = v
            x[1, i] = u
        else:  # ADEX
            p = (par[0, i], par[1, i], par[2, i], par[3, i], par[4, i], par[5, i], par[6, i], I)
            v, w = S.integrate2(method, S.adex_derivs, x[0, i], x[1, i], p, dt, move)
            x[0, i] = v
            x[1, i] = w
        if not math.isfinite(v):
            cuda.atomic.min(err, 0, n)


@cuda.jit
def threshold_flags(x, par, vth_row, last, ref, n, flags):
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, x.shape[1], stride):
        f = 1 if (x[0, i] > par[vth_row, i] and (n - last[i]) >= ref[i]) else 0
        flags[i] = f
        if f:
            last[i] = n


@cuda.jit
def poisson_flags(nxt, draws, log1mp, key, n, flags, last):
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, nxt.size, stride):
        if nxt[i] < n:
            nxt[i] = _advance(n - 1, key, i, draws, log1mp[i])
        f = 0
        if nxt[i] == n:
            f = 1
            last[i] = n
            nxt[i] = _advance(n, key, i, draws, log1mp[i])
        flags[i] = f


@cuda.jit(device=True)
def _advance(n, key, i, draws, log1mp):
    G = S.geometric_steps(S.uniform01(key, i, draws[i]), log1mp)
    draws[i] += 1
    if G >= 1e18:
        return 2 ** 62
    return n + int(G)


@cuda.jit
def block_counts(flags, counts):
    """counts[b] = number of set flags in block b's chunk of SCAN_BLOCK elements."""
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    sh = cuda.shared.array(SCAN_BLOCK, dtype=numba.int32)
    i = b * SCAN_BLOCK + t
    sh[t] = flags[i] if i < flags.size else 0
    cuda.syncthreads()
    s = SCAN_BLOCK // 2
    while s > 0:
        if t < s:
            sh[t] += sh[t + s]
        cuda.syncthreads()
        s //= 2
    if t == 0:
        counts[b] = sh[0]


@cuda.jit
def exclusive_offsets(counts, offsets, total, slot):
    """Serial prefix sum over the (few) block counts; total[slot] = all spikes."""
    if cuda.grid(1) == 0:
        acc = 0
        for b in range(counts.size):
            offsets[b] = acc
            acc += counts[b]
        total[slot] = acc


@cuda.jit
def scatter_spikes(flags, offsets, out):
    """Write the indices of set flags, in index order, at each block's offset (block-local scan)."""
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    sh = cuda.shared.array(SCAN_BLOCK, dtype=numba.int32)
    i = b * SCAN_BLOCK + t
    f = flags[i] if i < flags.size else 0
    sh[t] = f
    cuda.syncthreads()
    # inclusive Hillis-Steele scan in shared memory
    d = 1
    while d < SCAN_BLOCK:
        v = sh[t - d] if t >= d else 0
        cuda.syncthreads()
        sh[t] += v
        cuda.syncthreads()
        d *= 2
    if f:
        out[offsets[b] + sh[t] - 1] = i


@cuda.jit
def deliver(hist, hist_n, slots, dptr, udelay_count, post, w, target):
    """target[post[s]] += w[s] for every synapse s of every spike due now (atomic adds)."""
    U = udelay_count
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for u in range(U):
        slot = slots[u]
        if slot < 0:
            continue
        for k in range(start, hist_n[slot], stride):
            base = hist[slot, k] * U + u
            for s in range(dptr[base], dptr[base + 1]):
                cuda.atomic.add(target, post[s], w[s])


@cuda.jit
def reset(x, par, r_row, vth_row, subtract, incr_var, incr_row, spikes, count_arr, slot):
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for k in range(start, count_arr[slot], stride):
        i = spikes[k]
        if subtract:
            x[0, i] -= par[vth_row, i]
        else:
            x[0, i] = par[r_row, i]
        if incr_var >= 0:
            x[incr_var, i] += par[incr_row, i]


@cuda.jit
def record_spikes(spikes, count_arr, slot, buf_i, buf_step, counter, n):
    """Append this step's spikes to a monitor buffer (counter[0] is updated by :func:`bump`)."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    c = counter[0]
    for k in range(start, count_arr[slot], stride):
        buf_i[c + k] = spikes[k]
        buf_step[c + k] = n


@cuda.jit
def bump(counter, count_arr, slot):
    if cuda.grid(1) == 0:
        counter[0] += count_arr[slot]


@cuda.jit
def store_count(count_arr, slot, out, pos):
    if cuda.grid(1) == 0:
        out[pos] = count_arr[slot]


@cuda.jit
def record_state(x, var_index, idx, out, row):
    start, stride = cuda.grid(1), cuda.gridsize(1)
    nv, ni = var_index.size, idx.size
    for q in range(start, nv * ni, stride):
        a, b = q // ni, q % ni
        out[row, a, b] = x[var_index[a], idx[b]]
