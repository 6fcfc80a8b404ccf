"""CPU backend: runs many time steps inside one compiled loop.

The engine imports the generated modules of the network's models, generates
(or finds in the cache) the network's step loop (:mod:`.loop`), and calls
it once per chunk; the loop returns early before a spike buffer could
overflow or when a state becomes NaN/inf, and the engine hands the chunk's
records to the monitors.
"""
from __future__ import annotations

import numpy as np

from ..compiled import ChunkResult
from .loop import loop_source


class CpuEngine:
    """Runs a :class:`~spikesim.backends.compiled.CompiledNetwork` with numba.

    Parameters
    ----------
    cn : CompiledNetwork
    spike_buffer : int
        Spikes each SpikeMonitor may record per chunk before the chunk is
        cut short (at least twice the group size).
    """

    def __init__(self, cn, spike_buffer=1 << 18):
        from ...equations.cache import module_from_source
        self.cn = cn
        self.spike_buffer = spike_buffer
        cn.modules("cpu")
        self.source = loop_source(cn.structure())
        self.module = module_from_source("network", self.source)

    def run_chunk(self, n0, n_steps):
        cn = self.cn
        sm = []
        for m in cn.spike_monitors:
            cap = max(self.spike_buffer, 2 * m.group.N)
            sm.append((np.empty(cap, np.int32), np.empty(cap, np.int64), np.zeros(1, np.int64)))
        xm = []
        for m in cn.state_monitors:
            rec = (n0 + n_steps - 1) // m.every - (n0 - 1) // m.every
            rows = np.array([m.group._rows[v] for v in m.variables], dtype=np.int64)
            xm.append((rows, m.record, np.array([m.every], np.int64), np.empty(rec, np.int64),
                       np.empty((rec, rows.size, m.record.size)), np.zeros(1, np.int64)))
        rm = [(np.zeros(n_steps, np.int64), np.array([n0], np.int64)) for _ in cn.rate_monitors]
        wm = []
        for k, (m, req) in enumerate(zip(cn.weight_monitors, cn.wm_steps)):
            if m.every:
                rec = (n0 + n_steps - 1) // m.every - (n0 - 1) // m.every
            else:
                rec = int(np.count_nonzero((req >= n0) & (req < n0 + n_steps)))
            pos = cn.wm_pos[k]
            wm.append((pos, np.array([m.every or 0], np.int64), req if req.size else np.zeros(0, np.int64),
                       cn.wm_cursor[k], np.empty(rec, np.int64), np.empty((rec, pos.size)), np.zeros(1, np.int64)))
        M = (tuple(sm), tuple(xm), tuple(rm), tuple(wm))
        done, eg, ei = self.module.run_steps(n0, n_steps, cn.dt, tuple(cn.group_records), tuple(cn.syn_records), M,
                                             cn.intervals, tuple(cn.norm_total))
        spikes = [(bi[:c[0]].copy(), bs[:c[0]].copy()) for bi, bs, c in sm]
        states = [(x[3][:x[5][0]].copy(), x[4][:x[5][0]].copy()) for x in xm]
        rates = [(np.arange(n0, n0 + done, dtype=np.int64), r[0][:done].copy()) for r in rm]
        weights = [(w[4][:w[6][0]].copy(), w[5][:w[6][0]].copy()) for w in wm]
        error = None
        if eg >= 0:
            error = (int(eg), int(ei), int(n0 + done))
        elif eg == -2:
            error = ("ring", int(ei), int(n0 + done))
        return ChunkResult(int(done), spikes, states, rates, weights, error)
