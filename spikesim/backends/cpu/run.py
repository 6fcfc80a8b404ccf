"""CPU backend: runs many time steps inside one compiled loop.

The host calls :func:`run_steps` once per chunk; it steps until the chunk
ends, a spike buffer could overflow, or a state becomes NaN/inf, and reports
how far it got.  The per-phase kernels live beside this file under the same
names as in the other backends.
"""
from __future__ import annotations

import numpy as np
from numba import njit
import numba

from ...model.neuron_models import POISSON, SPIKEGEN
from ..compiled import INFO_MODEL, INFO_SPIKEMON, ChunkResult
from .inputs import generator_spikes, poisson_spikes
from .neurons import decay_theta, integrate_group, reset_group, threshold_group
from ...plasticity.hebbian import RULE_HEBBIAN
from .plasticity import deliver_plastic, post_spikes, rate_rule_update
from .synapses import deliver, normalize_incoming


@njit(cache=True)
def run_steps(n0, n_steps, dt, info, state, params, coef, last, ref, cur, cur_div, theta, theta_par,
              p_next, p_draws, p_log1mp, keys, ev_step, ev_idx, cursor,
              hist, hist_n, hist_step,
              syn_info, s_dptr, s_udelay, s_post, s_w,
              s_rinfo, s_rpar, s_table, s_xpre, s_tpre, s_xpost, s_tpost, s_ring_pre, s_ring_pre_pos, s_ring_post,
              s_ring_post_pos, s_rev_ptr, s_rev_syn, s_rev_block,
              spk_i, spk_step, spk_count,
              sm_info, sm_vars, sm_idx, sm_steps, sm_data, sm_count,
              rm_group, rm_count,
              wm_info, wm_pos, wm_req, wm_cursor, wm_steps, wm_data, wm_count, norm_info, norm_total):
    """Advance the network from step n0 by up to n_steps steps.

    Returns (steps_done, err_group, err_index): err_group is -1, or the group
    whose state became NaN/inf (neuron err_index), or -2 when the rectangular
    STDP ring of Synapses err_index overflowed; the failing step is
    n0 + steps_done.
    """
    G = info.shape[0]
    for n in range(n0, n0 + n_steps):
        # stop before a spike buffer could overflow
        for g in range(G):
            b = info[g, INFO_SPIKEMON]
            if b >= 0 and spk_count[b] + hist[g].shape[1] > spk_i[b].size:
                return n - n0, -1, -1
        # 1. start: state monitors
        for m in range(sm_info.shape[0]):
            g = sm_info[m, 0]
            if n % sm_info[m, 1] == 0:
                c = sm_count[m]
                sm_steps[m][c] = n
                for a in range(sm_vars[m].size):
                    for b in range(sm_idx[m].size):
                        sm_data[m][c, a, b] = state[g][sm_vars[m][a], sm_idx[m][b]]
                sm_count[m] = c + 1
        for m in range(wm_info.shape[0]):
            every = wm_info[m, 1]
            due = False
            if every > 0:
                due = n % every == 0
            else:
                req = wm_req[m]
                while wm_cursor[m] < req.size and req[wm_cursor[m]] < n:
                    wm_cursor[m] += 1
                if wm_cursor[m] < req.size and req[wm_cursor[m]] == n:
                    due = True
                    wm_cursor[m] += 1
            if due:
                c = wm_count[m]
                wm_steps[m][c] = n
                w = s_w[wm_info[m, 0]]
                pos = wm_pos[m]
                for a in range(pos.size):
                    wm_data[m][c, a] = w[pos[a]]
                wm_count[m] = c + 1
        # 2. groups
        for g in range(G):
            model = info[g, INFO_MODEL]
            if model != POISSON and model != SPIKEGEN:
                bad = integrate_group(info[g], state[g], params[g], coef[g], last[g], ref[g],
                                      cur[g], cur_div[g], n, dt)
                if bad >= 0:
                    return n - n0, g, bad
                if theta[g].size:
                    decay_theta(theta[g], theta_par[g, 0])
        # 3. thresholds (write this step's spikes into the history ring)
        for g in range(G):
            slot = n % hist_n[g].size
            out = hist[g][slot]
            model = info[g, INFO_MODEL]
            if model == POISSON:
                k = poisson_spikes(p_next[g], p_draws[g], p_log1mp[g], keys[g], n, out)
                for q in range(k):
                    last[g][out[q]] = n
            elif model == SPIKEGEN:
                k = generator_spikes(ev_step[g], ev_idx[g], cursor[g], n, out)
                for q in range(k):
                    last[g][out[q]] = n
            else:
                k = threshold_group(info[g], state[g], params[g], last[g], ref[g], n, out, theta[g])
            hist_n[g][slot] = k
            hist_step[g][slot] = n
            b = info[g, INFO_SPIKEMON]
            if b >= 0:
                c = spk_count[b]
                for q in range(k):
                    spk_i[b][c + q] = out[q]
                    spk_step[b][c + q] = n
                spk_count[b] = c + k
        # 4. synapses: pre pathways (with pre-side plasticity), then post-side plasticity
        for s in range(syn_info.shape[0]):
            gpre, gpost, target = syn_info[s, 0], syn_info[s, 1], syn_info[s, 2]
            if s_rinfo[s][0] == 0:
                deliver(n, hist[gpre], hist_n[gpre], hist_step[gpre], s_dptr[s], s_udelay[s], s_post[s], s_w[s],
                        state[gpost][target])
            elif deliver_plastic(n, dt, hist[gpre], hist_n[gpre], hist_step[gpre], s_dptr[s], s_udelay[s],
                                 s_post[s], s_w[s], state[gpost][target], s_rinfo[s], s_rpar[s], s_table[s],
                                 s_xpre[s],
                                 s_tpre[s], s_xpost[s], s_tpost[s], s_ring_pre[s], s_ring_pre_pos[s],
                                 s_ring_post[s]):
                return n - n0, -2, s
        for s in range(syn_info.shape[0]):
            if s_rinfo[s][0] != 0:
                gpost = syn_info[s, 1]
                slot = n % hist_n[gpost].size
                if post_spikes(n, dt, hist[gpost][slot], hist_n[gpost][slot], s_w[s], s_rinfo[s], s_rpar[s],
                               s_table[s], s_xpre[s], s_tpre[s], s_xpost[s], s_tpost[s], s_rev_ptr[s], s_rev_syn[s],
                               s_rev_block[s], s_ring_pre[s], s_ring_post[s], s_ring_post_pos[s]):
                    return n - n0, -2, s
                if s_rinfo[s][0] == RULE_HEBBIAN and n % s_rinfo[s][4] == 0:
                    rate_rule_update(n, dt, s_dptr[s], s_post[s], s_w[s], s_rpar[s], s_table[s], s_xpre[s],
                                     s_tpre[s], s_xpost[s], s_tpost[s])
        # 5. resets
        for g in range(G):
            model = info[g, INFO_MODEL]
            if model != POISSON and model != SPIKEGEN:
                slot = n % hist_n[g].size
                reset_group(info[g], state[g], params[g], hist[g][slot], hist_n[g][slot], theta[g], theta_par[g, 1])
        # 6. end: population rates
        for r in range(rm_group.size):
            g = rm_group[r]
            rm_count[r][n - n0] = hist_n[g][n % hist_n[g].size]
        # homeostatic weight normalisation
        for k in range(norm_info.shape[0]):
            if n % norm_info[k, 1] == 0:
                s = norm_info[k, 0]
                normalize_incoming(s_w[s], s_rev_ptr[s], s_rev_syn[s], norm_total[k])
    return n_steps, -1, -1


def _f2():
    return np.zeros((0, 0))


def _i2():
    return np.zeros((0, 0), dtype=np.int64)


def _typed(arrays):
    """A homogeneous tuple of arrays: numba indexes it at run time, and unlike a
    typed List it costs nothing to create from Python (no per-process compile).
    Networks with different numbers of objects compile (and cache) separately."""
    arrays = tuple(arrays)
    first = numba.typeof(arrays[0])
    for a in arrays:
        if numba.typeof(a) != first:
            raise TypeError(f"internal: mixed array types {numba.typeof(a)} and {first}")
    return arrays


class CpuEngine:
    """Runs a :class:`CompiledNetwork` with the numba kernels.

    Parameters
    ----------
    cn : CompiledNetwork
    spike_buffer : int
        Spikes each monitored group may record per chunk before the chunk
        is cut short (at least the group size).
    """

    def __init__(self, cn, spike_buffer=1 << 18):
        self.cn = cn
        self.spike_buffer = spike_buffer
        self._lists = None

    def _pack(self):
        cn = self.cn
        L = _typed
        # the tuples reference (do not copy) the compiled arrays
        self._lists = dict(
            state=L(cn.state), params=L(cn.params), coef=L(cn.coef), last=L(cn.lastspike), theta=L(cn.theta),
            ref=L(cn.ref_steps), cur=L(cn.current), p_next=L(cn.p_next), p_draws=L(cn.p_draws),
            p_log1mp=L(cn.p_log1mp), ev_step=L(cn.ev_step), ev_idx=L(cn.ev_idx), cursor=L(cn.cursor),
            hist=L(cn.hist), hist_n=L(cn.hist_n), hist_step=L(cn.hist_step),
            s_dptr=L(cn.s_dptr or [np.zeros(1, np.int64)]), s_udelay=L(cn.s_udelay or [np.zeros(1, np.int64)]),
            s_post=L(cn.s_post or [np.zeros(1, np.int32)]), s_w=L(cn.s_w or [np.zeros(1)]),
            sm_vars=L(cn.sm_vars or [np.zeros(1, np.int64)]), sm_idx=L(cn.sm_idx or [np.zeros(1, np.int64)]),
            wm_pos=L(cn.wm_pos or [np.zeros(1, np.int64)]), wm_req=L(cn.wm_steps or [np.zeros(1, np.int64)]),
        )
        dummy = dict(s_rule_info=np.zeros(5, np.int64), s_rule_par=np.zeros(10), s_decay_table=_f2(), s_trace_pre=_f2(),
                     s_trace_pre_step=np.zeros(0, np.int64), s_trace_post=_f2(), s_trace_post_step=np.zeros(0, np.int64),
                     s_ring_pre=_i2(), s_ring_pre_pos=np.zeros(0, np.int64), s_ring_post=_i2(),
                     s_ring_post_pos=np.zeros(0, np.int64), s_rev_ptr=np.zeros(1, np.int64),
                     s_rev_syn=np.zeros(0, np.int32), s_rev_block=np.zeros(0, np.int32))
        for name, d in dummy.items():
            self._lists[name] = L(getattr(cn, name) or [d])

    def run_chunk(self, n0, n_steps):
        cn = self.cn
        if self._lists is None:
            self._pack()
        sizes = [cn.groups[g].N for g in cn.spike_groups]
        cap = [max(self.spike_buffer, 2 * n) for n in sizes]
        spk_i = _typed([np.empty(c, np.int32) for c in cap] or [np.zeros(1, np.int32)])
        spk_step = _typed([np.empty(c, np.int64) for c in cap] or [np.zeros(1, np.int64)])
        spk_count = np.zeros(max(1, len(cap)), np.int64)
        n_rec = [(n0 + n_steps - 1) // m.every - (n0 - 1) // m.every for m in cn.state_monitors]
        sm_steps = _typed([np.empty(r, np.int64) for r in n_rec] or [np.zeros(1, np.int64)])
        sm_data = _typed([np.empty((r, m.var_index.size, m.record.size)) for r, m in
                          zip(n_rec, cn.state_monitors)] or [np.zeros((1, 1, 1))])
        sm_count = np.zeros(max(1, len(n_rec)), np.int64)
        rm_count = _typed([np.zeros(n_steps, np.int64) for _ in cn.rate_monitors] or [np.zeros(1, np.int64)])
        n_wrec = []
        for m, req in zip(cn.weight_monitors, cn.wm_steps):
            if m.every:
                n_wrec.append((n0 + n_steps - 1) // m.every - (n0 - 1) // m.every)
            else:
                n_wrec.append(int(np.count_nonzero((req >= n0) & (req < n0 + n_steps))))
        wm_steps = _typed([np.empty(r, np.int64) for r in n_wrec] or [np.zeros(1, np.int64)])
        wm_data = _typed([np.empty((r, p.size)) for r, p in zip(n_wrec, cn.wm_pos)] or [np.zeros((1, 1))])
        wm_count = np.zeros(max(1, len(n_wrec)), np.int64)
        x = self._lists
        done, eg, ei = run_steps(
            n0, n_steps, cn.dt, cn.info, x["state"], x["params"], x["coef"], x["last"], x["ref"], x["cur"],
            cn.current_div, x["theta"], cn.theta_par, x["p_next"], x["p_draws"], x["p_log1mp"], cn.keys, x["ev_step"], x["ev_idx"],
            x["cursor"], x["hist"], x["hist_n"], x["hist_step"],
            cn.syn_info, x["s_dptr"], x["s_udelay"], x["s_post"], x["s_w"],
            x["s_rule_info"], x["s_rule_par"], x["s_decay_table"], x["s_trace_pre"], x["s_trace_pre_step"], x["s_trace_post"],
            x["s_trace_post_step"], x["s_ring_pre"], x["s_ring_pre_pos"], x["s_ring_post"], x["s_ring_post_pos"],
            x["s_rev_ptr"], x["s_rev_syn"], x["s_rev_block"],
            spk_i, spk_step, spk_count,
            cn.sm_info, x["sm_vars"], x["sm_idx"], sm_steps, sm_data, sm_count,
            cn.rm_group, rm_count,
            cn.wm_info, x["wm_pos"], x["wm_req"], cn.wm_cursor, wm_steps, wm_data, wm_count, cn.norm_info,
            cn.norm_total)
        spikes = [(spk_i[b][:spk_count[b]].copy(), spk_step[b][:spk_count[b]].copy())
                  for b in range(len(cn.spike_groups))]
        states = [(sm_steps[m][:sm_count[m]].copy(), sm_data[m][:sm_count[m]].copy())
                  for m in range(len(cn.state_monitors))]
        rates = [(np.arange(n0, n0 + done, dtype=np.int64), rm_count[r][:done].copy())
                 for r in range(len(cn.rate_monitors))]
        weights = [(wm_steps[m][:wm_count[m]].copy(), wm_data[m][:wm_count[m]].copy())
                   for m in range(len(cn.weight_monitors))]
        error = None
        if eg >= 0:
            error = (int(eg), int(ei), int(n0 + done))
        elif eg == -2:
            error = ("ring", int(ei), int(n0 + done))
        return ChunkResult(int(done), spikes, states, rates, weights, error)
