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

from ..model.neuron_models import ADEX, IF_DISCRETE, IZHIKEVICH, LIF_COBA, LIF_CUBA, MAXPOOL, POISSON, SPIKEGEN
from ..plasticity.hebbian import RULE_HEBBIAN, VARIANT_BCM, VARIANT_HEBB
from ..plasticity.stdp import INFO_KIND, INFO_PAIRING, INFO_WINDOW, INFO_WSTEPS, PAIR_NEAREST, RULE_PAIR, WINDOW_EXP
from . import _scalar as S
from .compiled import (INFO_SUBTRACT, INFO_I_ROW, INFO_INCR_ROW, INFO_INCR_VAR, INFO_METHOD, INFO_MODEL, INFO_VRESET,
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
        weights = [([], []) for _ in cn.weight_monitors]
        error, done = None, 0
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
            arr = np.array(data) if data else np.zeros((0, m.var_index.size, m.record.size))
            out_states.append((cat(st, np.int64), arr))
        out_rates = [(cat(st, np.int64), cat(c, np.int64)) for st, c in rates]
        out_weights = [(cat(st, np.int64), np.array(d) if d else np.zeros((0, p.size)))
                       for (st, d), p in zip(weights, cn.wm_pos)]
        return ChunkResult(done, out_spikes, out_states, out_rates, out_weights, error)

    # ------------------------------------------------------------------ one step
    def _step(self, n, spikes, states, rates, weights):
        cn, dt = self.cn, self.cn.dt
        # 1. start: state and weight monitors
        for k, m in enumerate(cn.state_monitors):
            g, every = cn.sm_info[k]
            if n % every == 0:
                states[k][0].append(n)
                states[k][1].append(cn.state[g][m.var_index][:, m.record].copy())
        for k, (s, every) in enumerate(cn.wm_info):
            due = n % every == 0 if every > 0 else n in cn.wm_steps[k]
            if due:
                weights[k][0].append(n)
                weights[k][1].append(cn.s_w[s][cn.wm_pos[k]].copy())
        # 2. groups: integrate
        for g, info in enumerate(cn.info):
            if info[INFO_MODEL] in (POISSON, SPIKEGEN):
                continue
            err = self._integrate(g, info, n, dt)
            if err is not None:
                return err
            cn.theta[g] *= cn.theta_par[g, 0]
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
                if cn.theta[g].size:
                    vth = vth + cn.theta[g]
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
        # 4. synapses: deliver this step's slot of each pathway (blocks: one source, one delay)
        for s, (gpre, gpost, target) in enumerate(cn.syn_info):
            udelay, dptr = cn.s_udelay[s], cn.s_dptr[s]
            U = udelay.size
            blocks = []
            for u in range(U - 1, -1, -1):          # earliest push first
                p = n - udelay[u]
                slot = p % cn.hist_n[gpre].size
                if cn.hist_step[gpre][slot] != p:
                    continue
                blocks.extend(int(i) * U + u for i in cn.hist[gpre][slot, :cn.hist_n[gpre][slot]])
            if cn.s_rule_info[s][0] == 0:
                if blocks:
                    syn = np.concatenate([np.arange(dptr[b], dptr[b + 1]) for b in blocks])
                    np.add.at(cn.state[gpost][target], cn.s_post[s][syn], cn.s_w[s][syn])
            else:
                for b in blocks:
                    if self._pre_block(s, b, n, cn.state[gpost][target]):
                        return ("ring", s, n)
        for s, (gpre, gpost, target) in enumerate(cn.syn_info):
            if cn.s_rule_info[s][0] != 0:
                for j in spiking[gpost]:
                    if self._post_spike(s, int(j), n):
                        return ("ring", s, n)
                if cn.s_rule_info[s][0] == RULE_HEBBIAN and n % cn.s_rule_info[s][4] == 0:
                    self._rate_rule(s, n)
        # 5. resets
        for g, info in enumerate(cn.info):
            if info[INFO_MODEL] in (POISSON, SPIKEGEN):
                continue
            spk = spiking[g]
            if info[INFO_SUBTRACT]:
                cn.state[g][0, spk] -= cn.params[g][info[INFO_VTH], spk]
            else:
                cn.state[g][0, spk] = cn.params[g][info[INFO_VRESET], spk]
            if info[INFO_INCR_VAR] >= 0:
                cn.state[g][info[INFO_INCR_VAR], spk] += cn.params[g][info[INFO_INCR_ROW], spk]
            if cn.theta[g].size:
                cn.theta[g][spk] += cn.theta_par[g, 1]
        # 6. end: population rates, weight normalisation
        for k, g in enumerate(cn.rm_group):
            rates[k][0].append(n)
            rates[k][1].append(spiking[g].size)
        for (s, every), total in zip(cn.norm_info, cn.norm_total):
            if n % every == 0:
                w, ptr, syn = cn.s_w[s], cn.s_rev_ptr[s], cn.s_rev_syn[s]
                for j in range(ptr.size - 1):
                    rows = syn[ptr[j]:ptr[j + 1]]
                    acc = 0.0
                    for q in rows:          # sequential sum, the order of the cpu kernel
                        acc += w[q]
                    if acc != 0.0:
                        w[rows] *= total / acc
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
        elif model == IF_DISCRETE:
            new = (np.where(nr, x[0] + I, x[0]),)
        elif model == MAXPOOL:
            c, prev = x[1:5], x[5:9]
            k = np.argmax(c, axis=0)                     # first maximum on ties
            cols = np.arange(x.shape[1])
            new = ((c[k, cols] > prev[k, cols]).astype(np.float64),) + tuple(c) + tuple(c)
        elif model == LIF_COBA:
            p = (par[0], par[1], par[2], par[3], par[4], par[5], par[6], I)
            if method == S.EXP_EULER:
                f = S.lif_coba_exponential_euler.py_func
                cols = [f(x[0, k], x[1, k], x[2, k], tuple(float(a[k]) for a in p), dt, float(nr[k]))
                        for k in range(x.shape[1])]
                new = tuple(np.array(c, dtype=np.float64).reshape(x.shape[1]) for c in zip(*cols)) if cols \
                    else (x[0], x[1], x[2])
            else:
                new = S.integrate3.py_func(method, S.lif_coba_derivs.py_func, x[0], x[1], x[2], p, dt,
                                           nr.astype(np.float64))
        elif model == IZHIKEVICH:
            p = (par[0], par[1], I)
            new = S.integrate2.py_func(method, S.izhikevich_derivs.py_func, x[0], x[1], p, dt,
                                       nr.astype(np.float64))
        elif model == ADEX:
            p = (par[0], par[1], par[2], par[3], par[4], par[5], par[6], I)
            new = _adex_elementwise(method, x[0], x[1], p, dt, nr.astype(np.float64))
        else:  # pragma: no cover
            raise ValueError(f"unknown model id {model}")
        new = np.array(new)
        bad = ~np.isfinite(new).all(axis=0)
        x[:] = new
        if bad.any():
            return (g, int(np.flatnonzero(bad)[0]), n)
        return None

    # ------------------------------------------------------------------ plasticity
    def _pre_block(self, s, b, n, target_row):
        """Arrival of one spike at block b of plastic Synapses s (see backends/cpu/plasticity.py)."""
        cn, dt = self.cn, self.cn.dt
        info, par = cn.s_rule_info[s], cn.s_rule_par[s]
        xpre, tpre, xpost, tpost = cn.s_trace_pre[s], cn.s_trace_pre_step[s], cn.s_trace_post[s], cn.s_trace_post_step[s]
        post, w, table = cn.s_post[s], cn.s_w[s], cn.s_decay_table[s]
        nearest = info[INFO_PAIRING] == PAIR_NEAREST
        decayed, update = S.decayed.py_func, S.bounded_update.py_func
        overflow = False
        if info[INFO_KIND] == RULE_PAIR:
            A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, mu = par[:7]
            if info[INFO_WINDOW] == WINDOW_EXP:
                x = decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
                xpre[0, b] = A_plus if nearest else x + A_plus
                tpre[b] = n
            else:
                overflow = S.ring_push.py_func(cn.s_ring_pre[s], cn.s_ring_pre_pos[s], b, n, info[INFO_WSTEPS])
            for q in range(cn.s_dptr[s][b], cn.s_dptr[s][b + 1]):
                j = post[q]
                target_row[j] += w[q]
                if info[INFO_WINDOW] == WINDOW_EXP:
                    dep = decayed(xpost[0, j], n, tpost[j], table, 1, dt, tau_minus)
                else:
                    dep = A_minus * S.ring_count.py_func(cn.s_ring_post[s], j, n, 1, info[INFO_WSTEPS])
                w[q] = update(w[q], dep, w_min, w_max, mu)
        elif info[INFO_KIND] == RULE_HEBBIAN:
            for q in range(cn.s_dptr[s][b], cn.s_dptr[s][b + 1]):
                target_row[post[q]] += w[q]
            xpre[0, b] = decayed(xpre[0, b], n, tpre[b], table, 0, dt, par[1]) + 1.0 / par[1]
            tpre[b] = n
        else:
            A2_minus, A3_minus, tau_plus, tau_x, tau_minus, w_min, w_max = par[2], par[3], par[4], par[5], par[6], \
                par[8], par[9]
            r1 = decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
            r2_before = decayed(xpre[1, b], n, tpre[b], table, 1, dt, tau_x)
            xpre[0, b] = 1.0 if nearest else r1 + 1.0
            xpre[1, b] = 1.0 if nearest else r2_before + 1.0
            tpre[b] = n
            for q in range(cn.s_dptr[s][b], cn.s_dptr[s][b + 1]):
                j = post[q]
                target_row[j] += w[q]
                o1 = decayed(xpost[0, j], n, tpost[j], table, 2, dt, tau_minus)
                w[q] = update(w[q], -o1 * (A2_minus + A3_minus * r2_before), w_min, w_max, 0.0)
        return overflow

    def _post_spike(self, s, j, n):
        cn, dt = self.cn, self.cn.dt
        info, par = cn.s_rule_info[s], cn.s_rule_par[s]
        xpre, tpre, xpost, tpost = cn.s_trace_pre[s], cn.s_trace_pre_step[s], cn.s_trace_post[s], cn.s_trace_post_step[s]
        w, table = cn.s_w[s], cn.s_decay_table[s]
        rows = range(cn.s_rev_ptr[s][j], cn.s_rev_ptr[s][j + 1])
        nearest = info[INFO_PAIRING] == PAIR_NEAREST
        decayed, update = S.decayed.py_func, S.bounded_update.py_func
        overflow = False
        if info[INFO_KIND] == RULE_PAIR:
            A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, mu = par[:7]
            if info[INFO_WINDOW] == WINDOW_EXP:
                x = decayed(xpost[0, j], n, tpost[j], table, 1, dt, tau_minus)
                xpost[0, j] = A_minus if nearest else x + A_minus
                tpost[j] = n
            else:
                overflow = S.ring_push.py_func(cn.s_ring_post[s], cn.s_ring_post_pos[s], j, n, info[INFO_WSTEPS])
            for r in rows:
                b, q = cn.s_rev_block[s][r], cn.s_rev_syn[s][r]
                if info[INFO_WINDOW] == WINDOW_EXP:
                    pot = decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
                else:
                    pot = A_plus * S.ring_count.py_func(cn.s_ring_pre[s], b, n, 0, info[INFO_WSTEPS])
                w[q] = update(w[q], pot, w_min, w_max, mu)
        elif info[INFO_KIND] == RULE_HEBBIAN:
            xpost[0, j] = decayed(xpost[0, j], n, tpost[j], table, 1, dt, par[2]) + 1.0 / par[2]
            tpost[j] = n
        else:
            A2_plus, A3_plus, tau_plus, tau_minus, tau_y, w_min, w_max = par[0], par[1], par[4], par[6], par[7], \
                par[8], par[9]
            o1 = decayed(xpost[0, j], n, tpost[j], table, 2, dt, tau_minus)
            o2_before = decayed(xpost[1, j], n, tpost[j], table, 3, dt, tau_y)
            xpost[0, j] = 1.0 if nearest else o1 + 1.0
            xpost[1, j] = 1.0 if nearest else o2_before + 1.0
            tpost[j] = n
            for r in rows:
                b, q = cn.s_rev_block[s][r], cn.s_rev_syn[s][r]
                r1 = decayed(xpre[0, b], n, tpre[b], table, 0, dt, tau_plus)
                w[q] = update(w[q], r1 * (A2_plus + A3_plus * o2_before), w_min, w_max, 0.0)
        return overflow

    def _rate_rule(self, s, n):
        """Rate-based Hebbian update, vectorised over synapses (same arithmetic as the cpu kernel)."""
        cn, dt = self.cn, self.cn.dt
        par, table = cn.s_rule_par[s], cn.s_decay_table[s]
        eta, tau_pre, tau_post, w_min, w_max, variant, h = par[:7]
        xpre, tpre, xpost, tpost = cn.s_trace_pre[s], cn.s_trace_pre_step[s], cn.s_trace_post[s], cn.s_trace_post_step[s]
        dec = np.vectorize(S.decayed.py_func, excluded={3, 4})
        if xpost.shape[1]:
            xpost[0] = dec(xpost[0], n, tpost, table, 1, dt, tau_post)
            tpost[:] = n
        if xpre.shape[1]:
            xpre[0] = dec(xpre[0], n, tpre, table, 0, dt, tau_pre)
            tpre[:] = n
        dptr, post, w = cn.s_dptr[s], cn.s_post[s], cn.s_w[s]
        x = np.repeat(xpre[0], np.diff(dptr))
        y = xpost[0][post]
        if variant == VARIANT_HEBB:
            dwdt = eta * x * y - par[7] * w
        elif variant == VARIANT_BCM:
            dwdt = eta * x * y * (y - xpost[1][post])
        else:
            dwdt = eta * y * (x - y * w)
        w[:] = np.minimum(np.maximum(w + h * dwdt, w_min), w_max)
        if variant == VARIANT_BCM:
            xpost[1] += h / par[8] * (xpost[0] * xpost[0] / par[7] - xpost[1])

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
        # a Python float: a denormal-small log(1 - p) then gives inf ("never") without numpy's overflow warning
        G = S.geometric_steps.py_func(uniform01(key, i, draws[i]), float(log1mp))
        draws[i] += 1
        return NEVER_STEP if G >= 1e18 else n + int(G)


def _adex_elementwise(method, v, w, p, dt, move):
    """AdEx step neuron by neuron (its derivative uses the scalar ``math.exp``); inf on overflow, like numba."""
    out_v, out_w = np.empty_like(v), np.empty_like(w)
    for i in range(v.size):
        try:
            out_v[i], out_w[i] = S.integrate2.py_func(method, S.adex_derivs.py_func, v[i], w[i],
                                                      tuple(float(a[i]) for a in p), dt, move[i])
        except OverflowError:
            out_v[i], out_w[i] = np.inf, w[i]
    return out_v, out_w
