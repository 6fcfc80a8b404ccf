"""Reference backend: one time step at a time in plain Python and numpy.

Slow and deliberately obvious; it is the oracle the compiled backends are
tested against.  The engine's logic is written here by hand and
independently of the compiled step loop: which spikes arrive (delay rings,
in push order, then source index), the Poisson trains (a scan over every
neuron each step, not a calendar), the schedule of one step (DESIGN.md
section 3), the monitors and weight normalisation.  A model's own
statements come from its generated reference module: neuron groups on
whole numpy arrays, synapse pathways one synapse at a time in Python (the
functions ``pre_block`` and ``post_neuron``).  Numbers are computed with the
C library's functions (never numpy's ``exp``), so they equal the compiled
backends' bit for bit.
"""
from __future__ import annotations

import numpy as np

from ..model.inputs import PoissonGroup, SpikeGeneratorGroup
from ..model.neurons import NeuronGroup
from . import _scalar as S
from .compiled import ChunkResult
from .records import python as record

NEVER_STEP = 2 ** 62
_MASK = (1 << 64) - 1


def _mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def uniform01(key, i, k):
    """The counter-based uniform draw of :func:`._scalar.uniform01`, in Python integers."""
    h = _mix64(int(key) ^ _mix64((int(i) * 0x9E3779B97F4A7C15 + int(k)) & _MASK))
    return ((h >> 11) + 1) * 2.0 ** -53


class ReferenceEngine:
    """Steps a :class:`~spikesim.backends.compiled.CompiledNetwork`, one step per Python iteration."""

    def __init__(self, cn):
        self.cn = cn
        self.mods = cn.modules("reference")
        st = cn.structure()
        self.regular_index = {}
        for k, g in enumerate(st["groups"]):
            for q, (r, when) in enumerate(g.get("regular", [])):
                self.regular_index[("g", k, q)] = (r, when)
        for k, s in enumerate(st["synapses"]):
            for q, (r, when) in enumerate(s["regular"]):
                self.regular_index[("s", k, q)] = (r, when)

    def run_chunk(self, n0, n_steps):
        cn = self.cn
        self.G = [record("group", f) for f in cn.group_records]
        self.S = [record("synapses", f) for f in cn.syn_records]
        spikes = [([], []) for _ in cn.spike_monitors]
        states = [([], []) for _ in cn.state_monitors]
        rates = [([], []) for _ in cn.rate_monitors]
        weights = [([], []) for _ in cn.weight_monitors]
        error, done = None, 0
        with np.errstate(all="ignore"):
            for n in range(n0, n0 + n_steps):
                error = self._step(n, spikes, states, rates, weights)
                if error is not None:
                    break
                done += 1
        cat = lambda parts, dtype: np.array(parts, dtype=dtype) if parts else np.zeros(0, dtype)
        out_spikes = [(np.concatenate(i).astype(np.int32) if i else np.zeros(0, np.int32),
                       np.concatenate(s) if s else np.zeros(0, np.int64)) for i, s in spikes]
        out_states = []
        for (st, data), m in zip(states, cn.state_monitors):
            arr = np.array(data) if data else np.zeros((0, len(m.variables), m.record.size))
            out_states.append((cat(st, np.int64), arr))
        out_rates = [(cat(st, np.int64), cat(c, np.int64)) for st, c in rates]
        out_weights = [(cat(st, np.int64), np.array(d) if d else np.zeros((0, p.size)))
                       for (st, d), p in zip(weights, cn.wm_pos)]
        return ChunkResult(done, out_spikes, out_states, out_rates, out_weights, error)

    def _regular(self, n, when):
        cn, dt, t = self.cn, self.cn.dt, n * self.cn.dt
        for (kind, k, q), (r, w) in self.regular_index.items():
            if w != when or n % cn.intervals[r] != 0:
                continue
            if kind == "g":
                getattr(self.mods[id(cn.groups[k])], f"regular_{q}")(n, t, dt, self.G[k])
            else:
                s = cn.synapses[k]
                getattr(self.mods[id(s)], f"regular_{q}")(n, t, dt, self.S[k], self._rec(s.pre), self._rec(s.post))

    def _rec(self, g):
        return self.G[self.cn.group_index[id(g)]]

    # ------------------------------------------------------------------ one step
    def _step(self, n, spikes, states, rates, weights):
        cn, dt = self.cn, self.cn.dt
        t = n * dt
        # 1. start: state and weight monitors, regular operations
        for k, m in enumerate(cn.state_monitors):
            if n % m.every == 0:
                g = m.group
                rows = [g._rows[v] for v in m.variables]
                states[k][0].append(n)
                states[k][1].append(g._x[rows][:, m.record].copy())
        for k, m in enumerate(cn.weight_monitors):
            due = n % m.every == 0 if m.every else n in cn.wm_steps[k]
            if due:
                weights[k][0].append(n)
                weights[k][1].append(m.synapses._sx[m.synapses._rows[m.variable]][cn.wm_pos[k]].copy())
        self._regular(n, "start")
        # 2. groups: regular operations, summed variables, integration, clock-driven synapses
        self._regular(n, "groups")
        for k, s in enumerate(cn.synapses):
            for var in s._layout["summed"]:
                getattr(self.mods[id(s)], f"summed_{var}")(n, t, dt, self.S[k], self._rec(s.pre),
                                                          self._rec(s.post))
        for k, g in enumerate(cn.groups):
            mod = self.mods.get(id(g))
            if mod is not None and hasattr(mod, "update"):
                bad = mod.update(n, t, dt, self.G[k])
                if bad >= 0:
                    return (k, int(bad), n)
        for k, s in enumerate(cn.synapses):
            mod = self.mods[id(s)]
            if hasattr(mod, "stateupdate"):
                mod.stateupdate(n, t, dt, self.S[k], self._rec(s.pre), self._rec(s.post))
        # 3. thresholds
        spiking = []
        for k, g in enumerate(cn.groups):
            if isinstance(g, PoissonGroup):
                spk = self._poisson(k, n)
                g.lastspike[spk] = n
            elif isinstance(g, SpikeGeneratorGroup):
                steps, idx, cur = self.G[k].extra
                lo = cur[0]
                hi = lo + np.searchsorted(steps[lo:], n, side="right")
                spk = idx[lo:hi][steps[lo:hi] == n]
                cur[0] = hi
                g.lastspike[spk] = n
            else:
                mod = self.mods[id(g)]
                spk = mod.threshold(n, t, dt, self.G[k]) if hasattr(mod, "threshold") else np.zeros(0, int)
            spk = np.asarray(spk, dtype=np.int64)
            slot = n % cn.hist_n[k].size
            cn.hist[k][slot, :spk.size] = spk
            cn.hist_n[k][slot] = spk.size
            cn.hist_step[k][slot] = n
            spiking.append(spk)
        for q, m in enumerate(cn.spike_monitors):
            spk = spiking[cn.group_index[id(m.group)]]
            spikes[q][0].append(spk)
            spikes[q][1].append(np.full(spk.size, n, dtype=np.int64))
        # 4. synapses: arriving spikes through each pre pathway, then each post pathway
        for k, s in enumerate(cn.synapses):
            mod = self.mods[id(s)]
            if not hasattr(mod, "pre_block"):
                continue
            gpre = cn.group_index[id(s.pre)]
            U = s.udelay.size
            for u in range(U - 1, -1, -1):          # earliest push first
                p = n - s.udelay[u]
                slot = p % cn.hist_n[gpre].size
                if cn.hist_step[gpre][slot] != p:
                    continue
                for i in cn.hist[gpre][slot, :cn.hist_n[gpre][slot]]:
                    if mod.pre_block(n, t, dt, self.S[k], self._rec(s.pre), self._rec(s.post),
                                     int(i) * U + u, int(i)):
                        return ("ring", k, n)
        for k, s in enumerate(cn.synapses):
            mod = self.mods[id(s)]
            if not hasattr(mod, "post_neuron"):
                continue
            for j in spiking[cn.group_index[id(s.post)]]:
                if mod.post_neuron(n, t, dt, self.S[k], self._rec(s.pre), self._rec(s.post), int(j)):
                    return ("ring", k, n)
        self._regular(n, "synapses")
        # 5. resets
        for k, g in enumerate(cn.groups):
            mod = self.mods.get(id(g))
            if mod is not None and hasattr(mod, "reset") and spiking[k].size:
                mod.reset(n, t, dt, self.G[k], spiking[k])
        # 6. end: population rates, regular operations, weight normalisation
        for k, m in enumerate(cn.rate_monitors):
            rates[k][0].append(n)
            rates[k][1].append(spiking[cn.group_index[id(m.group)]].size)
        self._regular(n, "end")
        for q, m in enumerate(cn.normalizations):
            if m.interval is not None and n % m._steps(dt) == 0:
                s = m.synapses
                w, ptr, syn = s._sx[s._rows[m.variable]], s.rev_ptr, s.rev_syn
                for j in range(ptr.size - 1):
                    rows = syn[ptr[j]:ptr[j + 1]]
                    acc = 0.0
                    for r in rows:          # sequential sum, in the order of the post-side index
                        acc += w[r]
                    if acc != 0.0:
                        w[rows] *= m.total / acc
        return None

    def _poisson(self, k, n):
        cn = self.cn
        g = cn.groups[k]
        nxt, draws, log1mp = self.G[k].extra[:3]
        key = cn.keys[id(g)][0]
        out = []
        for i in range(nxt.size):
            if nxt[i] < n:   # fresh start: first spike G-1 steps from now
                nxt[i] = self._advance(n - 1, key, i, draws, log1mp[i])
            if nxt[i] == n:
                out.append(i)
                nxt[i] = self._advance(n, key, i, draws, log1mp[i])
        return out

    @staticmethod
    def _advance(n, key, i, draws, log1mp):
        # a Python float: a denormal-small log(1 - p) then gives inf ("never") without numpy's overflow warning
        G = getattr(S.geometric_steps, 'py_func', S.geometric_steps)(uniform01(key, i, draws[i]), float(log1mp))
        draws[i] += 1
        return NEVER_STEP if G >= 1e18 else n + int(G)
