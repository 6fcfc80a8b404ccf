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
from ..records import compiled as record
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
        self._records = None

    def run_chunk(self, n0, n_steps):
        cn = self.cn
        if self._records is None or self._records[0] is not cn.group_records:
            self._records = (cn.group_records, tuple(record("group", f) for f in cn.group_records),
                             tuple(record("synapses", f) for f in cn.syn_records), None, None)
        sm = []
        for m in cn.spike_monitors:
            cap = max(self.spike_buffer, 2 * m.group.N)
            sm.append(dict(i=np.empty(cap, np.int32), step=np.empty(cap, np.int64), count=np.zeros(1, np.int64)))
        xm = []
        for m in cn.state_monitors:
            rec = (n0 + n_steps - 1) // m.every - (n0 - 1) // m.every
            rows = np.array([m.group._rows[v] for v in m.variables], dtype=np.int64)
            xm.append(dict(rows=rows, idx=m.record, every=np.array([m.every], np.int64),
                           steps=np.empty(rec, np.int64), data=np.empty((rec, rows.size, m.record.size)),
                           count=np.zeros(1, np.int64)))
        rm = [dict(counts=np.zeros(n_steps, np.int64), base=np.array([n0], np.int64)) for _ in cn.rate_monitors]
        wm = []
        for k, (m, req) in enumerate(zip(cn.weight_monitors, cn.wm_steps)):
            if m.every:
                rec = (n0 + n_steps - 1) // m.every - (n0 - 1) // m.every
            else:
                rec = int(np.count_nonzero((req >= n0) & (req < n0 + n_steps)))
            pos = cn.wm_pos[k]
            wm.append(dict(pos=pos, every=np.array([m.every or 0], np.int64),
                           req=req if req.size else np.zeros(0, np.int64), cursor=cn.wm_cursor[k],
                           steps=np.empty(rec, np.int64), data=np.empty((rec, pos.size)), count=np.zeros(1, np.int64)))
        M = (tuple(record("spike_monitor", x) for x in sm), tuple(record("state_monitor", x) for x in xm),
             tuple(record("rate_monitor", x) for x in rm), tuple(record("weight_monitor", x) for x in wm))
        if self._records is None or self._records[3] is not cn.presentation_records:
            self._records = self._records[:3] + (cn.presentation_records,
                                                 tuple(record("presentation", f) for f in cn.presentation_records))
        done, eg, ei = self.module.run_steps(n0, n_steps, cn.dt, self._records[1], self._records[2], M,
                                             cn.intervals, tuple(cn.norm_total), self._records[4])
        spikes = [(x["i"][:x["count"][0]].copy(), x["step"][:x["count"][0]].copy()) for x in sm]
        states = [(x["steps"][:x["count"][0]].copy(), x["data"][:x["count"][0]].copy()) for x in xm]
        rates = [(np.arange(n0, n0 + done, dtype=np.int64), r["counts"][:done].copy()) for r in rm]
        weights = [(w["steps"][:w["count"][0]].copy(), w["data"][:w["count"][0]].copy()) for w in wm]
        error = None
        if eg >= 0:
            error = (int(eg), int(ei), int(n0 + done))
        elif eg == -2:
            error = ("ring", int(ei), int(n0 + done))
        elif eg == -3:
            error = ("presented", int(ei), int(n0 + done))
        return ChunkResult(int(done), spikes, states, rates, weights, error)
