"""CUDA engine: the host loop over time steps, launching the kernels of :mod:`.kernels`.

State lives on the device for a whole run; monitors are buffered on the
device and copied back once per chunk, when the group states are also
copied back into the description objects (so ``G.v`` is live and
store/restore work).  Supported: every neuron model, Poisson and generator
inputs, static synapses with delays, spike/state/rate monitors, float64 or
float32 state.  Not yet: plasticity rules, adaptive thresholds,
normalisation and weight monitors (a clear NotImplementedError).
"""
from __future__ import annotations

import numpy as np
import numba
from numba import cuda

from ...model.neuron_models import POISSON, SPIKEGEN
from ..compiled import (INFO_I_ROW, INFO_INCR_ROW, INFO_INCR_VAR, INFO_METHOD, INFO_MODEL, INFO_SUBTRACT,
                        INFO_VRESET, INFO_VTH, ChunkResult)
from . import kernels as K

# grid-stride kernels: a fixed grid; tiny under the simulator (one Python thread per CUDA thread)
BLOCKS, THREADS = (1, 8) if numba.config.ENABLE_CUDASIM else (512, 256)


class CudaEngine:
    """Runs a CompiledNetwork on the GPU (or numba's CUDA simulator)."""

    def __init__(self, cn, dtype="float64"):
        self.cn = cn
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"Network.cuda_dtype must be 'float32' or 'float64', got {dtype!r}")
        for s in cn.synapses:
            if s.plasticity is not None:
                raise NotImplementedError(f"Synapses {s.name!r}: plasticity is not available on the cuda backend yet")
        for g in cn.groups:
            if getattr(g, "adaptive_threshold", None) is not None:
                raise NotImplementedError(f"{g.name!r}: adaptive thresholds are not available on the cuda backend yet")
        if cn.weight_monitors or cn.normalizations:
            raise NotImplementedError("WeightMonitor and Normalization are not available on the cuda backend yet")
        f = self.dtype
        dev = cuda.to_device
        self.d_state = [dev(np.ascontiguousarray(a, dtype=f)) for a in cn.state]
        self.d_params = [dev(np.ascontiguousarray(a, dtype=f)) for a in cn.params]
        self.d_coef = [dev(np.ascontiguousarray(a, dtype=f)) for a in cn.coef]
        self.d_cur = [dev(np.ascontiguousarray(a, dtype=f)) for a in cn.current]
        self.d_last = [dev(a) for a in cn.lastspike]
        self.d_ref = [dev(a) for a in cn.ref_steps]
        self.d_hist = [dev(a) for a in cn.hist]
        self.d_hist_n = [dev(a.astype(np.int64)) for a in cn.hist_n]
        self.d_flags = [cuda.device_array(max(g.N, 1), dtype=np.int32) for g in cn.groups]
        nb = [(g.N + K.SCAN_BLOCK - 1) // K.SCAN_BLOCK for g in cn.groups]
        self.d_counts = [cuda.device_array(b, dtype=np.int32) for b in nb]
        self.d_offsets = [cuda.device_array(b, dtype=np.int32) for b in nb]
        self.d_pnext = [dev(a) for a in cn.p_next]
        self.d_pdraws = [dev(a) for a in cn.p_draws]
        self.d_plog = [dev(a) for a in cn.p_log1mp]
        self.d_dptr = [dev(a) for a in cn.s_dptr]
        self.d_post = [dev(a) for a in cn.s_post]
        self.d_w = [dev(np.ascontiguousarray(a, dtype=f)) for a in cn.s_w]
        self.d_err = dev(np.array([2 ** 62], dtype=np.int64))

    def _download(self):
        cn = self.cn
        for k in range(len(cn.groups)):
            cn.state[k][...] = self.d_state[k].copy_to_host()
            cn.lastspike[k][...] = self.d_last[k].copy_to_host()
            cn.hist[k][...] = self.d_hist[k].copy_to_host()
            cn.hist_n[k][...] = self.d_hist_n[k].copy_to_host()
            if cn.p_next[k].size:
                cn.p_next[k][...] = self.d_pnext[k].copy_to_host()
                cn.p_draws[k][...] = self.d_pdraws[k].copy_to_host()

    def _compact(self, g, slot):
        nb = self.d_counts[g].size
        K.block_counts[nb, K.SCAN_BLOCK](self.d_flags[g], self.d_counts[g])
        K.exclusive_offsets[1, 1](self.d_counts[g], self.d_offsets[g], self.d_hist_n[g], slot)
        K.scatter_spikes[nb, K.SCAN_BLOCK](self.d_flags[g], self.d_offsets[g], self.d_hist[g][slot])

    def run_chunk(self, n0, n_steps):
        cn, dt = self.cn, self.cn.dt
        f = self.dtype
        spk = {}
        interval = 64          # steps between checks of the spike buffers' fill level
        for b, g in enumerate(cn.spike_groups):
            N = cn.groups[g].N
            cap = max(min(n_steps * N, 1 << 24), 2 * N)
            interval = max(1, min(interval, cap // (2 * N)))
            spk[g] = (cuda.device_array(cap, np.int32), cuda.device_array(cap, np.int64),
                      cuda.to_device(np.zeros(1, np.int64)), cap)
        n_rec = [(n0 + n_steps - 1) // m.every - (n0 - 1) // m.every for m in cn.state_monitors]
        sm = [(cuda.device_array((r, m.var_index.size, m.record.size), f), cuda.to_device(m.var_index),
               cuda.to_device(m.record)) for r, m in zip(n_rec, cn.state_monitors)]
        sm_steps = [[] for _ in cn.state_monitors]
        rm = [cuda.to_device(np.zeros(n_steps, np.int64)) for _ in cn.rate_monitors]
        gen_events = {g: (cn.ev_step[g], cn.ev_idx[g]) for g, i in enumerate(cn.info) if i[INFO_MODEL] == SPIKEGEN}
        done = n_steps
        for n in range(n0, n0 + n_steps):
            # spike buffers: stop the chunk before one could overflow within the next `interval` steps
            if spk and n > n0 and (n - n0) % interval == 0 and any(
                    int(c.copy_to_host()[0]) + interval * cn.groups[g].N > cap for g, (_, _, c, cap) in spk.items()):
                done = n - n0
                break
            for m, mon in enumerate(cn.state_monitors):
                if n % mon.every == 0:
                    g = cn.sm_info[m, 0]
                    K.record_state[BLOCKS, THREADS](self.d_state[g], sm[m][1], sm[m][2], sm[m][0], len(sm_steps[m]))
                    sm_steps[m].append(n)
            for g, info in enumerate(cn.info):
                if info[INFO_MODEL] in (POISSON, SPIKEGEN):
                    continue
                cur = self.d_cur[g]
                row = min(n // cn.current_div[g], cur.shape[0] - 1)
                K.integrate[BLOCKS, THREADS](int(info[INFO_MODEL]), int(info[INFO_METHOD]), self.d_state[g],
                                             self.d_params[g], self.d_coef[g], self.d_last[g], self.d_ref[g],
                                             cur[row], 0 if cur.shape[1] == 1 else 1, int(info[INFO_I_ROW]), n, dt,
                                             self.d_err)
            for g, info in enumerate(cn.info):
                slot = n % cn.hist_n[g].size
                model = info[INFO_MODEL]
                if model == SPIKEGEN:
                    st, idx = gen_events[g]
                    lo, hi = np.searchsorted(st, n, "left"), np.searchsorted(st, n, "right")
                    ids = idx[lo:hi].astype(np.int32)
                    if ids.size:
                        self.d_hist[g][slot, :ids.size].copy_to_device(ids)
                        last = self.d_last[g].copy_to_host()
                        last[ids] = n
                        self.d_last[g].copy_to_device(last)
                    self.d_hist_n[g][slot:slot + 1].copy_to_device(np.array([ids.size], np.int64))
                else:
                    if model == POISSON:
                        K.poisson_flags[BLOCKS, THREADS](self.d_pnext[g], self.d_pdraws[g], self.d_plog[g],
                                                         cn.keys[g], n, self.d_flags[g], self.d_last[g])
                    else:
                        K.threshold_flags[BLOCKS, THREADS](self.d_state[g], self.d_params[g], int(info[INFO_VTH]),
                                                           self.d_last[g], self.d_ref[g], n, self.d_flags[g])
                    self._compact(g, slot)
                cn.hist_step[g][slot] = n
                if g in spk:
                    bi, bs, c, _ = spk[g]
                    K.record_spikes[BLOCKS, THREADS](self.d_hist[g][slot], self.d_hist_n[g], slot, bi, bs, c, n)
                    K.bump[1, 1](c, self.d_hist_n[g], slot)
            for s, (gpre, gpost, target) in enumerate(cn.syn_info):
                U = cn.s_udelay[s].size
                D = cn.hist_n[gpre].size
                slots = np.full(U, -1, np.int64)
                for u in range(U - 1, -1, -1):
                    p = n - cn.s_udelay[s][u]
                    if cn.hist_step[gpre][p % D] == p:
                        slots[u] = p % D
                if (slots >= 0).any():
                    K.deliver[BLOCKS, THREADS](self.d_hist[gpre], self.d_hist_n[gpre], cuda.to_device(slots),
                                               self.d_dptr[s], U, self.d_post[s], self.d_w[s],
                                               self.d_state[gpost][target])
            for g, info in enumerate(cn.info):
                if info[INFO_MODEL] in (POISSON, SPIKEGEN):
                    continue
                slot = n % cn.hist_n[g].size
                K.reset[BLOCKS, THREADS](self.d_state[g], self.d_params[g], int(info[INFO_VRESET]),
                                         int(info[INFO_VTH]), int(info[INFO_SUBTRACT]), int(info[INFO_INCR_VAR]),
                                         int(info[INFO_INCR_ROW]), self.d_hist[g][slot], self.d_hist_n[g], slot)
            for r, g in enumerate(cn.rm_group):
                K.store_count[1, 1](self.d_hist_n[g], n % cn.hist_n[g].size, rm[r], n - n0)
        self._download()
        err_step = int(self.d_err.copy_to_host()[0])
        error = None
        if err_step < n0 + done:
            done = err_step - n0
            bad_g, bad_i = self._first_bad()
            error = (bad_g, bad_i, err_step)
        spikes = []
        for g in cn.spike_groups:
            bi, bs, c, _ = spk[g]
            k = int(c.copy_to_host()[0])
            i, st = bi.copy_to_host()[:k], bs.copy_to_host()[:k]
            keep = st < n0 + done if error is not None else slice(None)
            spikes.append((i[keep], st[keep]))
        states = []
        for m, (buf, _, _) in enumerate(sm):
            steps = np.array(sm_steps[m], dtype=np.int64)
            data = buf.copy_to_host()[:steps.size].astype(np.float64)
            if error is not None:
                keep = steps <= n0 + done
                steps, data = steps[keep], data[keep]
            states.append((steps, data))
        rates = [(np.arange(n0, n0 + done, dtype=np.int64), r.copy_to_host()[:done]) for r in rm]
        return ChunkResult(int(done), spikes, states, rates, [], error)

    def _first_bad(self):
        for g, x in enumerate(self.cn.state):
            bad = ~np.isfinite(x).all(axis=0)
            if x.size and bad.any():
                return g, int(np.flatnonzero(bad)[0])
        return 0, 0
