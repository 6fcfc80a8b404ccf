"""The compiled state of a network: contiguous arrays, no Python objects per neuron.

:class:`CompiledNetwork` gathers, for every group, synapse set and monitor,
the arrays the kernels read and write.  Group state arrays are the groups'
own (``NeuronGroup._state`` ...), so the description objects always show the
live values; derived arrays (propagators, refractory steps, spike history)
are rebuilt at the start of each run from the current parameters.

Group ``info`` row layout (int64): see the ``INFO_*`` constants.
"""
from __future__ import annotations

import numpy as np

from ..model.inputs import PoissonGroup, SpikeGeneratorGroup
from ..model.neuron_models import POISSON, SPIKEGEN
from ..model.neurons import NeuronGroup
from ._scalar import METHOD_CODES

(INFO_MODEL, INFO_METHOD, INFO_VTH, INFO_VRESET, INFO_INCR_VAR, INFO_INCR_ROW, INFO_I_ROW, INFO_SPIKEMON,
 INFO_UNIFORM, INFO_SUBTRACT) = range(10)
N_INFO = 10
EMPTY_STEP = -(2 ** 62)      # history slot holding no step
NEVER_STEP = 2 ** 62         # Poisson neuron with rate 0


def _f2(rows=0, cols=0):
    return np.zeros((rows, cols), dtype=np.float64)


class CompiledNetwork:
    """Arrays of one built network, shared by the reference and cpu backends.

    Parameters
    ----------
    groups, synapses, spike_monitors, state_monitors, rate_monitors : lists
        The network's objects, in the order they were added.
    dt : float
        Time step in seconds.
    keys : dict
        Group -> uint64 key of its counter-based random stream.
    """

    def __init__(self, groups, synapses, spike_monitors, state_monitors, rate_monitors, dt, keys,
                 weight_monitors=(), normalizations=()):
        self.dt = dt
        self.normalizations = list(normalizations)
        self.weight_monitors = list(weight_monitors)
        self.groups = list(groups)
        self.synapses = list(synapses)
        self.spike_monitors = list(spike_monitors)
        self.state_monitors = list(state_monitors)
        self.rate_monitors = list(rate_monitors)
        gidx = {id(g): k for k, g in enumerate(self.groups)}
        self.group_index = gidx
        # spike history depth: longest outgoing delay + 1
        depth = [1] * len(self.groups)
        for s in self.synapses:
            k = gidx[id(s.pre)]
            depth[k] = max(depth[k], int(s.udelay.max()) + 1)
        self.hist = [np.zeros((d, g.N), dtype=np.int32) for d, g in zip(depth, self.groups)]
        self.hist_n = [np.zeros(d, dtype=np.int64) for d in depth]
        self.hist_step = [np.full(d, EMPTY_STEP, dtype=np.int64) for d in depth]
        monitored = {id(m.group) for m in self.spike_monitors}
        self.spike_groups = [k for k, g in enumerate(self.groups) if id(g) in monitored]
        self.info = np.zeros((len(self.groups), N_INFO), dtype=np.int64)
        self.keys = np.array([keys[id(g)] for g in self.groups], dtype=np.uint64)
        for k, g in enumerate(self.groups):
            row = self.info[k]
            row[INFO_SPIKEMON] = self.spike_groups.index(k) if k in self.spike_groups else -1
            if isinstance(g, NeuronGroup):
                m = g.model
                row[INFO_MODEL] = m.model_id
                row[INFO_METHOD] = METHOD_CODES[g.method]
                row[INFO_VTH] = m.v_th_row
                row[INFO_VRESET] = m.v_reset_row
                row[INFO_SUBTRACT] = int(m.reset_by_subtraction)
                row[INFO_I_ROW] = m.params.index("I")
                if m.reset_var_increment:
                    var, par = m.reset_var_increment
                    row[INFO_INCR_VAR] = m.variables.index(var)
                    row[INFO_INCR_ROW] = m.params.index(par)
                else:
                    row[INFO_INCR_VAR] = row[INFO_INCR_ROW] = -1
            elif isinstance(g, PoissonGroup):
                row[INFO_MODEL] = POISSON
            elif isinstance(g, SpikeGeneratorGroup):
                row[INFO_MODEL] = SPIKEGEN
            else:  # pragma: no cover - guarded by Network
                raise TypeError(f"unsupported group {g!r}")
        self.syn_info = np.array([[gidx[id(s.pre)], gidx[id(s.post)], s.target_index] for s in self.synapses],
                                 dtype=np.int64).reshape(len(self.synapses), 3)
        self.sm_info = np.array([[gidx[id(m.group)], m.every] for m in self.state_monitors],
                                dtype=np.int64).reshape(len(self.state_monitors), 2)
        self.rm_group = np.array([gidx[id(m.group)] for m in self.rate_monitors], dtype=np.int64)
        sidx = {id(s): k for k, s in enumerate(self.synapses)}
        self.wm_pos, self.wm_steps = [], []
        self.wm_info = np.zeros((len(self.weight_monitors), 2), dtype=np.int64)
        for k, m in enumerate(self.weight_monitors):
            if id(m.synapses) not in sidx:
                raise ValueError(f"WeightMonitor {m.name!r}: its synapses {m.synapses.name!r} are not in the network")
            pos, steps = m._positions(dt)
            self.wm_pos.append(pos)
            self.wm_steps.append(steps if steps is not None else np.zeros(0, np.int64))
            self.wm_info[k] = (sidx[id(m.synapses)], m.every or 0)
        self.wm_cursor = np.zeros(len(self.weight_monitors), dtype=np.int64)
        self.norm_info = np.zeros((len(self.normalizations), 2), dtype=np.int64)
        self.norm_total = np.zeros(len(self.normalizations))
        for k, m in enumerate(self.normalizations):
            if id(m.synapses) not in sidx:
                raise ValueError(f"Normalization {m.name!r}: its synapses {m.synapses.name!r} are not in the network")
            self.norm_info[k] = (sidx[id(m.synapses)], m._steps(dt))
            self.norm_total[k] = m.total
        self.prepare()

    def prepare(self):
        """(Re)compute the arrays derived from parameters; called at the start of every run."""
        dt = self.dt
        self.state, self.params, self.coef, self.ref_steps = [], [], [], []
        self.current, self.current_div = [], np.zeros(len(self.groups), dtype=np.int64)
        self.p_next, self.p_draws, self.p_log1mp = [], [], []
        self.ev_step, self.ev_idx, self.cursor = [], [], []
        for k, g in enumerate(self.groups):
            self.current_div[k] = 2 ** 62
            if isinstance(g, NeuronGroup):
                m = g.model
                self.state.append(g._state)
                self.params.append(g._params)
                if m.coefficients is not None:
                    pd = {p: g._params[r] for r, p in enumerate(m.params)}
                    self.coef.append(np.ascontiguousarray(m.coefficients(pd, dt)))
                else:
                    self.coef.append(_f2())
                self.ref_steps.append(np.asarray((g.refractory + 1e-3 * dt) / dt).astype(np.int64))
                same = lambda a: a.shape[1] == 0 or bool(np.all(a == a[:, :1]))
                self.info[k, INFO_UNIFORM] = int(same(g._params) and same(self.coef[-1])
                                                 and same(self.ref_steps[-1][None, :]))
                if g.current is not None:
                    self.current.append(g.current.values)
                    self.current_div[k] = g.current._steps_per_sample(dt)
                else:
                    self.current.append(_f2(1, 1))
            else:
                self.state.append(_f2())
                self.params.append(_f2())
                self.coef.append(_f2())
                self.ref_steps.append(np.zeros(0, np.int64))
                self.current.append(_f2(1, 1))
            if isinstance(g, PoissonGroup):
                p = np.minimum(g.rates * dt, 1.0)
                with np.errstate(divide="ignore"):
                    self.p_log1mp.append(np.log1p(-p))
                if g._rates_used is None or not np.array_equal(g._rates_used, g.rates):
                    g.next_step[:] = -1  # draw afresh from the current step
                    g._rates_used = g.rates.copy()
                self.p_next.append(g.next_step)
                self.p_draws.append(g.draws)
            else:
                self.p_next.append(np.zeros(0, np.int64))
                self.p_draws.append(np.zeros(0, np.int64))
                self.p_log1mp.append(np.zeros(0))
            if isinstance(g, SpikeGeneratorGroup):
                steps, idx = g._event_steps(dt)
                self.ev_step.append(steps)
                self.ev_idx.append(idx)
                self.cursor.append(g.cursor)
            else:
                self.ev_step.append(np.zeros(0, np.int64))
                self.ev_idx.append(np.zeros(0, np.int64))
                self.cursor.append(np.zeros(1, np.int64))
        self.lastspike = [g.lastspike for g in self.groups]
        self.theta = [getattr(g, "theta", np.zeros(0)) for g in self.groups]
        self.theta_par = np.zeros((len(self.groups), 2))      # decay factor per step, increment per spike
        for k, g in enumerate(self.groups):
            a = getattr(g, "adaptive_threshold", None)
            self.theta_par[k] = (a.decay_factor(dt), a.theta_plus) if a is not None else (1.0, 0.0)
        self.s_dptr = [s.dptr for s in self.synapses]
        self.s_udelay = [s.udelay for s in self.synapses]
        self.s_post = [s.post_index for s in self.synapses]
        self.s_w = [s.weights for s in self.synapses]
        self.s_rule_info, self.s_rule_par, self.s_decay_table = [], [], []
        for s in self.synapses:
            if s.plasticity is None:
                self.s_rule_info.append(np.zeros(5, np.int64))
                self.s_rule_par.append(np.zeros(10))
                self.s_decay_table.append(_f2())
            else:
                info, par = s.plasticity._arrays(dt)
                self.s_rule_info.append(info)
                self.s_rule_par.append(np.concatenate([par, np.zeros(max(0, 10 - par.size))]))
                self.s_decay_table.append(decay_table(s.plasticity.trace_taus(), dt))
        for name in ("trace_pre", "trace_pre_step", "trace_post", "trace_post_step", "ring_pre", "ring_pre_pos",
                     "ring_post", "ring_post_pos", "rev_ptr", "rev_syn", "rev_block"):
            setattr(self, "s_" + name, [getattr(s, name) for s in self.synapses])
        self.sm_vars = [m.var_index for m in self.state_monitors]
        self.sm_idx = [m.record for m in self.state_monitors]

    def advance_cursors(self, n):
        """Skip generator events and weight snapshots before step ``n`` (the past is not replayed)."""
        for k, steps in enumerate(self.wm_steps):
            self.wm_cursor[k] = np.searchsorted(steps, n, side="left")
        for k, g in enumerate(self.groups):
            if isinstance(g, SpikeGeneratorGroup):
                g.cursor[0] = max(g.cursor[0], np.searchsorted(self.ev_step[k], n, side="left"))

    def history_arrays(self):
        """Name -> array of the spike-history ring buffers (for store/restore)."""
        d = {}
        for k in range(len(self.groups)):
            d[f"hist{k}"], d[f"hist_n{k}"], d[f"hist_step{k}"] = self.hist[k], self.hist_n[k], self.hist_step[k]
        return d


def decay_table(taus, dt, span=40.0, max_len=1 << 16):
    """Rows ``exp(-k*dt/tau)`` for k < K, K covering ``span`` of the longest tau (capped at max_len)."""
    K = int(min(max_len, span * max(taus) / dt + 1))
    k = np.arange(K) * dt
    return np.ascontiguousarray(np.exp(-k[None, :] / np.asarray(taus, dtype=float)[:, None]))


class ChunkResult:
    """What one call of an engine's ``run_chunk`` produced.

    Attributes
    ----------
    steps_done : int
        Whole steps completed (a step that hit a NaN is not counted).
    spikes : list of (i, step) array pairs, one per spike-monitored group
        (in ``CompiledNetwork.spike_groups`` order).
    states : list of (steps, data) per StateMonitor; data shape (n, n_vars, n_recorded).
    rates : list of (steps, counts) per PopulationRateMonitor.
    weights : list of (steps, data) per WeightMonitor; data shape (n, n_recorded).
    error : None, (group index, neuron index, step) of a non-finite state, or
        ("ring", synapses index, step) when a rectangular-window ring overflowed.
    """

    def __init__(self, steps_done, spikes, states, rates, weights, error=None):
        self.steps_done, self.spikes, self.states, self.rates = steps_done, spikes, states, rates
        self.weights, self.error = weights, error
