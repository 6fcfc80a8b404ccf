"""Reference backend: one time step at a time in plain numpy.

Slow and deliberately obvious; it is the oracle the compiled backends are
tested against.  The per-element physics is the pure-Python original of the
functions in :mod:`._scalar`, applied to whole arrays; the random stream is
re-implemented here with Python integers.  The schedule of one step follows
DESIGN.md section 3: state monitors, integration, thresholds, synaptic
delivery, resets, rate monitors.
"""
from __future__ import annotations


import numpy as np

from ..model.neuron_models import ADEX, IZHIKEVICH, LIF_COBA, LIF_CUBA, POISSON, SPIKEGEN
from . import _scalar as S
from .compiled import (INFO_I_ROW, INFO_INCR_ROW, INFO_INCR_VAR, INFO_METHOD, INFO_MODEL, INFO_VRESET,
                       INFO_VTH, NEVER_STEP, ChunkResult)

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
    """Steps a :class:`CompiledNetwork` with numpy, one step per Python iteration."""

    def __init__(self, cn):
        self.cn = cn

    def run_chunk(self, n0, n_steps):
        cn = self.cn
        spikes = [([], []) for _ in cn.spike_groups]
        states = [([], []) for _ in cn.state_monitors]
        rates = [([], []) for _ in cn.rate_monitors]
        error, done = None, 0
        for n in range(n0, n0 + n_steps):
            error = self._step(n, spikes, states, rates)
            if error is not None:
                break
            done += 1
        cat = lambda parts, dtype: np.array(parts, dtype=dtype) if parts else np.zeros(0, dtype)
        out_spikes = [(np.concatenate(i).astype(np.int32) if i else np.zeros(0, np.int32),
                       np.concatenate(s) if s else np.zeros(0, np.int64)) for i, s in spikes]
        out_states = []
        for (st, data), m in zip(states, cn.state_monitors):
            arr = np.array(data) if data else np.zeros((0, m.var_index.size, m.record.size))
            out_states.append((cat(st, np.int64), arr))
        out_rates = [(cat(st, np.int64), cat(c, np.int64)) for st, c in rates]
        return ChunkResult(done, out_spikes, out_states, out_rates, error)

    # ------------------------------------------------------------------ one step
    def _step(self, n, spikes, states, rates):
        cn, dt = self.cn, self.cn.dt
        # 1. start: state monitors
        for k, m in enumerate(cn.state_monitors):
            g, every = cn.sm_info[k]
            if n % every == 0:
                states[k][0].append(n)
                states[k][1].append(cn.state[g][m.var_index][:, m.record].copy())
        # 2. groups: integrate
        for g, info in enumerate(cn.info):
            if info[INFO_MODEL] in (POISSON, SPIKEGEN):
                continue
            err = self._integrate(g, info, n, dt)
            if err is not None:
                return err
        # 3. thresholds
        spiking = []
        for g, info in enumerate(cn.info):
            model = info[INFO_MODEL]
            if model == POISSON:
                spk = self._poisson(g, n)
            elif model == SPIKEGEN:
                cur = cn.cursor[g]
                lo = cur[0]
                hi = lo + np.searchsorted(cn.ev_step[g][lo:], n, side="right")
                spk = cn.ev_idx[g][lo:hi][cn.ev_step[g][lo:hi] == n]
                cur[0] = hi
            else:
                nr = (n - cn.lastspike[g]) >= cn.ref_steps[g]
                v, vth = cn.state[g][0], cn.params[g][info[INFO_VTH]]
                spk = np.flatnonzero((v > vth) & nr)
            spk = np.asarray(spk, dtype=np.int64)
            cn.lastspike[g][spk] = n
            slot = n % cn.hist_n[g].size
            cn.hist[g][slot, :spk.size] = spk
            cn.hist_n[g][slot] = spk.size
            cn.hist_step[g][slot] = n
            spiking.append(spk)
            if g in cn.spike_groups:
                b = cn.spike_groups.index(g)
                spikes[b][0].append(spk)
                spikes[b][1].append(np.full(spk.size, n, dtype=np.int64))
        # 4. synapses: deliver this step's slot of each pathway
        for s, (gpre, gpost, target) in enumerate(cn.syn_info):
            udelay, dptr = cn.s_udelay[s], cn.s_dptr[s]
            U = udelay.size
            syn = []
            for u in range(U - 1, -1, -1):          # earliest push first
                p = n - udelay[u]
                slot = p % cn.hist_n[gpre].size
                if cn.hist_step[gpre][slot] != p:
                    continue
                for i in cn.hist[gpre][slot, :cn.hist_n[gpre][slot]]:
                    syn.append(np.arange(dptr[i * U + u], dptr[i * U + u + 1]))
            if syn:
                syn = np.concatenate(syn)
                np.add.at(cn.state[gpost][target], cn.s_post[s][syn], cn.s_w[s][syn])
        # 5. resets
        for g, info in enumerate(cn.info):
            if info[INFO_MODEL] in (POISSON, SPIKEGEN):
                continue
            spk = spiking[g]
            cn.state[g][0, spk] = cn.params[g][info[INFO_VRESET], spk]
            if info[INFO_INCR_VAR] >= 0:
                cn.state[g][info[INFO_INCR_VAR], spk] += cn.params[g][info[INFO_INCR_ROW], spk]
        # 6. end: population rates
        for k, g in enumerate(cn.rm_group):
            rates[k][0].append(n)
            rates[k][1].append(spiking[g].size)
        return None

    def _integrate(self, g, info, n, dt):
        cn = self.cn
        x, par, coef = cn.state[g], cn.params[g], cn.coef[g]
        cur = cn.current[g]
        I = par[info[INFO_I_ROW]] + cur[min(n // cn.current_div[g], cur.shape[0] - 1)]
        nr = (n - cn.lastspike[g]) >= cn.ref_steps[g]
        model, method = info[INFO_MODEL], info[INFO_METHOD]
        if model == LIF_CUBA:
            v, ge, gi = S.lif_cuba_exact.py_func(x[0], x[1], x[2], par[0], I, *coef)
            new = (np.where(nr, v, x[0]), ge, gi)
        elif model == LIF_COBA:
            p = (par[0], par[1], par[2], par[3], par[4], par[5], par[6], I)
            new = S.integrate3.py_func(method, S.lif_coba_derivs.py_func, x[0], x[1], x[2], p, dt,
                                       nr.astype(np.float64))
        elif model == IZHIKEVICH:
            p = (par[0], par[1], I)
            new = S.integrate2.py_func(method, S.izhikevich_derivs.py_func, x[0], x[1], p, dt,
                                       nr.astype(np.float64))
        elif model == ADEX:
            p = (par[0], par[1], par[2], par[3], par[4], par[5], par[6], I)
            with np.errstate(over="ignore", invalid="ignore"):
                new = S.integrate2.py_func(method, S.adex_derivs.py_func, x[0], x[1], p, dt,
                                           nr.astype(np.float64))
        else:  # pragma: no cover
            raise ValueError(f"unknown model id {model}")
        new = np.array(new)
        bad = ~np.isfinite(new).all(axis=0)
        x[:] = new
        if bad.any():
            return (g, int(np.flatnonzero(bad)[0]), n)
        return None

    def _poisson(self, g, n):
        cn = self.cn
        nxt, draws, log1mp, key = cn.p_next[g], cn.p_draws[g], cn.p_log1mp[g], cn.keys[g]
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
        G = S.geometric_steps.py_func(uniform01(key, i, draws[i]), log1mp)
        draws[i] += 1
        return NEVER_STEP if G >= 1e18 else n + int(G)
