"""CUDA kernels of the engine itself (the models' kernels are generated: see
:mod:`spikesim.equations.cuda_render`): spike sources, monitors, weight normalisation, the step counter.

Every kernel reads the current step from ``clk[0]`` (a device counter that
:func:`tick` advances), so that one step's sequence of launches never
changes and can be recorded once as a CUDA graph and replayed.  Spikes are
appended to the spike-history ring with atomic counters (their order within
a step is arbitrary; monitors sort them on the host).  History slot of step
``p``: ``p % D`` with ``D`` one more than the cpu backend's depth, so that a
step can clear the slot of the next step (no delay reaches that far back).
"""
import numba
from numba import cuda

from .. import _scalar as S
from ..cpu.synapses import normalize_one

SIMULATOR = bool(numba.config.ENABLE_CUDASIM)


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
def normalize(clk, every, w, rev_ptr, rev_syn, total):
    """Every ``every`` steps: incoming weights of each post neuron scaled to sum to ``total``."""
    n = clk[0]
    if n % every != 0:
        return
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, rev_ptr.size - 1, stride):
        normalize_one(j, w, rev_ptr, rev_syn, total)


@cuda.jit
def record_state(clk, every, base, x, rows, idx, out):
    """State monitor: at steps that are multiples of ``every``, row n // every - base[0]."""
    n = clk[0]
    if n % every != 0:
        return
    row = n // every - base[0]
    start, stride = cuda.grid(1), cuda.gridsize(1)
    nv, ni = rows.size, idx.size
    for q in range(start, nv * ni, stride):
        a, b = q // ni, q % ni
        out[row, a, b] = x[rows[a], idx[b]]


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
