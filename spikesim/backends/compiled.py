"""The compiled state of a network: one record (a tuple of arrays) per object.

:class:`CompiledNetwork` gathers, for every group and synapse set, the
arrays its generated functions read and write, as one record per object
(:data:`spikesim.equations.neuron_code.RECORD`,
:data:`spikesim.equations.synapse_code.RECORD`); the arrays are the
description objects' own (``NeuronGroup._x`` ...), so the objects always
show the live values.  Arrays derived from parameters and ``dt``
(refractory periods in steps, Poisson ``log(1-p)``, TimedArray lookup
constants, the Poisson calendar) are rebuilt by :meth:`prepare` at the start
of each run.  :meth:`structure` describes the network for the step-loop
generators: which model module each object runs, who connects to whom,
what is monitored.
"""
from __future__ import annotations

import numpy as np

from ..equations import functions as F
from ..model.inputs import PoissonGroup, SpikeGeneratorGroup
from ..model.neurons import NeuronGroup
from .cpu.inputs import HORIZON, NEVER_STEP
from .records import GROUP_FIELDS, SYNAPSE_FIELDS

EMPTY_STEP = -(2 ** 62)      # history slot holding no step


def dense_blocks(s):
    """Per block of ``s`` (one source, one delay): the first target if the block's targets are consecutive
    neurons in order (``post_index[dptr[b]:dptr[b + 1]]`` = ``d, d + 1, ...``), else -1; shape (n_blocks,).

    The cpu on_pre runs such blocks without reading ``post_index`` (see
    :func:`spikesim.equations.synapse_render._pre_loops`).  Kept on ``s`` with the arrays it was made from.
    """
    post, ptr = s.post_index, s.dptr
    memo = getattr(s, "_dense_memo", None)
    if memo is not None and memo[0] is post and memo[1] is ptr:
        return memo[2]
    n_blocks = ptr.size - 1
    out = np.full(n_blocks, -1, np.int64)
    if n_blocks > 0 and post.size:
        # breaks[i]: how many of the steps post[j + 1] - post[j], j < i, are not +1
        breaks = np.concatenate([[0], np.cumsum(np.diff(post.astype(np.int64)) != 1)])
        lo, hi = ptr[:-1], ptr[1:]
        full = hi > lo
        inner = np.zeros(n_blocks, np.int64)
        inner[full] = breaks[hi[full] - 1] - breaks[lo[full]]
        ok = full & (inner == 0)
        out[ok] = post[lo[ok]]
    s._dense_memo = (post, ptr, out)
    return out


def _steps(name, seconds, dt):
    from .._validate import MAX_STEPS
    if not seconds / dt < MAX_STEPS:
        raise ValueError(f"{name} must be less than {MAX_STEPS:.3g} steps of dt={dt} s, got {seconds} s")
    k = int(round(seconds / dt))
    if k < 1 or abs(k * dt - seconds) > 1e-6 * dt:
        raise ValueError(f"{name} must be a whole number of steps of dt={dt} s, got {seconds} s")
    return k


class CompiledNetwork:
    """Records of one built network, shared by the reference, cpu and cuda engines.

    Parameters
    ----------
    groups, synapses, spike_monitors, state_monitors, rate_monitors, weight_monitors, normalizations : lists
        The network's objects, in the order they were added.
    dt : float
        Time step in seconds.
    keys : dict
        Object id -> uint64 key of its counter-based random stream.
    """

    def __init__(self, groups, synapses, spike_monitors, state_monitors, rate_monitors, dt, keys,
                 weight_monitors=(), normalizations=(), presentations=()):
        self.dt = dt
        self.groups = list(groups)
        self.synapses = list(synapses)
        self.spike_monitors = list(spike_monitors)
        self.state_monitors = list(state_monitors)
        self.rate_monitors = list(rate_monitors)
        self.weight_monitors = list(weight_monitors)
        self.normalizations = list(normalizations)
        self.presentations = list(presentations)
        self.group_index = {id(g): k for k, g in enumerate(self.groups)}
        self.syn_index = {id(s): k for k, s in enumerate(self.synapses)}
        self.keys = {k: np.array([v], dtype=np.uint64) for k, v in keys.items()}
        depth = [1] * len(self.groups)
        for s in self.synapses:
            k = self.group_index[id(s.pre)]
            depth[k] = max(depth[k], int(s.udelay.max()) + 1)
        self.hist = [np.zeros((d, g.N), dtype=np.int32) for d, g in zip(depth, self.groups)]
        self.hist_n = [np.zeros(d, dtype=np.int64) for d in depth]
        self.hist_step = [np.full(d, EMPTY_STEP, dtype=np.int64) for d in depth]
        monitored = [self.group_index[id(m.group)] for m in self.spike_monitors]
        self.spike_groups = sorted(set(monitored))
        for m in self.weight_monitors:
            if id(m.synapses) not in self.syn_index:
                raise ValueError(f"WeightMonitor {m.name!r}: its synapses {m.synapses.name!r} are not in the network")
        for m in self.normalizations:
            if id(m.synapses) not in self.syn_index:
                raise ValueError(f"Normalization {m.name!r}: its synapses {m.synapses.name!r} are not in the network")
        norm_ids = {id(m) for m in self.normalizations}
        for p in self.presentations:
            for g, what in ((p.inputs, "inputs"), (p.counted, "counted group")):
                if g is not None and id(g) not in self.group_index:
                    raise ValueError(f"Presentation {p.name!r}: its {what} {g.name!r} is not in the network")
            for m in p.before_show:
                if id(m) not in norm_ids:
                    raise ValueError(f"Presentation {p.name!r}: Normalization {m.name!r} in before_show is not in "
                                     f"the network")
            p._steps(dt)
        for m in self.normalizations:
            if m.interval is None and not any(m in p.before_show for p in self.presentations):
                raise ValueError(f"Normalization {m.name!r} has interval=None but no Presentation runs it "
                                 f"(before_show=...); give it an interval")
        self.wm_pos, self.wm_steps = [], []
        for m in self.weight_monitors:
            pos, steps = m._positions(dt)
            self.wm_pos.append(pos)
            self.wm_steps.append(steps if steps is not None else np.zeros(0, np.int64))
        self.prepare()

    # ------------------------------------------------------------------ per run
    def prepare(self):
        """(Re)build the records from the current arrays and parameters; called at the start of every run."""
        dt = self.dt
        self.group_records, self.poisson = [], {}     # field dicts (engines make their own record objects)
        for k, g in enumerate(self.groups):
            key = self.keys[id(g)]
            ring = (self.hist[k], self.hist_n[k], self.hist_step[k])
            if isinstance(g, NeuronGroup):
                g._check_state()
                if g._refractory is not None:
                    ref = np.asarray((g._refractory + 1e-3 * dt) / dt).astype(np.int64)
                else:
                    ref = np.zeros(g.N, np.int64)
                timed = tuple((g._timed[n].values, F.timed_meta(dt, g._timed[n].dt)) for n, _ in
                              g._layout["timed"])
                rec = (g._x, g._shared, g.lastspike, ref, g.not_refractory) + ring + (key, timed, ())
            elif isinstance(g, PoissonGroup):
                g._check_state()
                p = np.minimum(g.rates * dt, 1.0)
                with np.errstate(divide="ignore"):
                    log1mp = np.log1p(-p)
                if g._rates_used is None or not np.array_equal(g._rates_used, g.rates):
                    g.next_step[:] = -1  # draw afresh from the current step
                    g._rates_used = g.rates.copy()
                cal = (np.full(HORIZON, -1, np.int64), np.full(g.N, -1, np.int64), np.zeros(g.N, np.int64),
                       np.zeros(1, np.int64))
                extra = (g.next_step, g.draws, log1mp) + cal
                self.poisson[k] = extra
                rec = (g._rates, np.zeros(0), g.lastspike, np.zeros(g.N, np.int64), np.ones(g.N, np.bool_)) \
                    + ring + (key, (), extra)
            elif isinstance(g, SpikeGeneratorGroup):
                steps, idx = g._event_steps(dt)
                extra = (steps, idx, g.cursor)
                rec = (np.zeros((0, g.N)), np.zeros(0), g.lastspike, np.zeros(g.N, np.int64),
                       np.ones(g.N, np.bool_)) + ring + (key, (), extra)
            else:  # pragma: no cover - guarded by Network
                raise TypeError(f"unsupported group {g!r}")
            self.group_records.append(dict(zip(GROUP_FIELDS, rec)))
        self.syn_records = []
        for s in self.synapses:
            s._check_state()
            timed = tuple((s._values[n].values, F.timed_meta(dt, s._values[n].dt)) for n, _ in
                          s._layout["timed"])
            self.syn_records.append(dict(zip(SYNAPSE_FIELDS, (
                s.post_index, s.dptr, s.udelay, s._sx, s._shared, s.lastupdate, s.rev_ptr, s.rev_syn, s.rev_block,
                s._bx, s._blast, s._px, s._plast, self.keys[id(s)], s._rings, timed,
                (np.empty_like(s._px), np.full(s._px.shape[1], -1, np.int64), np.empty_like(s._bx),
                 np.full(s._bx.shape[1], -1, np.int64), dense_blocks(s))))))
        self.intervals = np.array(self._intervals(), dtype=np.int64) if self._intervals() else np.zeros(1, np.int64)
        self.norm_total = [np.array([m.total]) for m in self.normalizations]
        self.presentation_records = [dict(state=p.state, params=p.params, rates=p.rates, order=p.order, item=p.item,
                                          item_gain=p.item_gain, now=p.now, counts=p._counts, tries=p._tries,
                                          scratch=p.scratch) for p in self.presentations]

    def _intervals(self):
        """Steps between runs of each regular operation and normalisation, in :meth:`structure` order."""
        out = []
        for g in self.groups:
            if isinstance(g, NeuronGroup):
                out += [1] * len(g._layout["regular"])
        for s in self.synapses:
            dts = getattr(s, "_regular_dt", [])
            out += [_steps("interval", d, self.dt) for d in dts]
        out += [m._steps(self.dt) for m in self.normalizations]
        return out

    def start(self, n0):
        """Ready the inputs for a run from step n0: Poisson calendars, generator cursors, weight snapshots."""
        from .cpu.inputs import calendar_build
        for k, (nxt, draws, log1mp, head, link, far, far_n) in self.poisson.items():
            calendar_build(n0, nxt, draws, log1mp, self.keys[id(self.groups[k])][0], head, link, far, far_n)
        for k, g in enumerate(self.groups):
            if isinstance(g, SpikeGeneratorGroup):
                steps = self.group_records[k]["extra"][0]
                g.cursor[0] = max(g.cursor[0], np.searchsorted(steps, n0, side="left"))
        self.wm_cursor = [np.array([np.searchsorted(s, n0, side="left")], np.int64) for s in self.wm_steps]

    # ------------------------------------------------------------------ structure
    def structure(self):
        """A JSON-able description of what runs: per object its kind, model module and blocks."""
        from ..equations.cache import module_name
        groups = []
        reg = 0
        for k, g in enumerate(self.groups):
            d = {"kind": "neuron" if isinstance(g, NeuronGroup) else
                 "poisson" if isinstance(g, PoissonGroup) else "generator", "N": None}
            if isinstance(g, NeuronGroup):
                lay = g._layout
                src = lay["sources"]["cpu"]
                d.update(module=module_name(g.model_name, src), label=g.model_name,
                         update="def update(" in src, threshold="def threshold(" in src, reset="def reset(" in src,
                         regular=[[reg + q, w] for q, (_, w) in enumerate(lay["regular"])])
                reg += len(lay["regular"])
            d["monitored"] = [q for q, m in enumerate(self.spike_monitors) if m.group is g]
            d["rate_monitors"] = [q for q, m in enumerate(self.rate_monitors) if m.group is g]
            d["state_monitors"] = [q for q, m in enumerate(self.state_monitors) if m.group is g]
            d["sends"] = any(s.pre is g for s in self.synapses)
            d["receives_post_pathway"] = any(s.post is g and "post" in s._layout["pathways"]
                                             for s in self.synapses)
            groups.append(d)
        syns = []
        for k, s in enumerate(self.synapses):
            lay = s._layout
            src = lay["sources"]["cpu"]
            syns.append(dict(module=module_name(s.name or "synapses", src), label=s.name or "synapses",
                             pre=self.group_index[id(s.pre)], post=self.group_index[id(s.post)],
                             on_pre="def on_pre(" in src, on_post="def on_post(" in src,
                             stateupdate="def stateupdate(" in src, summed=list(lay["summed"]),
                             regular=[[reg + q, w] for q, (_, w) in enumerate(lay["regular"])],
                             weight_monitors=[[q, s._rows[m.variable]] for q, m in enumerate(self.weight_monitors)
                                              if m.synapses is s]))
            reg += len(lay["regular"])
        norms = [[reg + q, self.syn_index[id(m.synapses)], self.synapses[self.syn_index[id(m.synapses)]]
                  ._rows[m.variable], m.interval is not None] for q, m in enumerate(self.normalizations)]
        pres = [dict(inputs=self.group_index[id(p.inputs)],
                     counted=None if p.counted is None else self.group_index[id(p.counted)],
                     before_show=[q for q, m in enumerate(self.normalizations) if any(m is x for x in p.before_show)])
                for p in self.presentations]
        return {"groups": groups, "synapses": syns, "normalizations": norms, "presentations": pres,
                "n_spike_monitors": len(self.spike_monitors)}

    def modules(self, backend):
        """Import (once) the generated model modules of every object for ``backend``."""
        from ..equations.cache import module_from_source
        out = {}
        for g in self.groups:
            if isinstance(g, NeuronGroup):
                out[id(g)] = module_from_source(g.model_name + ("" if backend == "cpu" else "_" + backend),
                                                g._layout["sources"][backend])
        for s in self.synapses:
            out[id(s)] = module_from_source((s.name or "synapses") + ("" if backend == "cpu" else "_" + backend),
                                            s._layout["sources"][backend])
        return out

    def history_arrays(self):
        """Name -> array of the spike-history ring buffers (for store/restore)."""
        d = {}
        for k in range(len(self.groups)):
            d[f"hist{k}"], d[f"hist_n{k}"], d[f"hist_step{k}"] = self.hist[k], self.hist_n[k], self.hist_step[k]
        return d


class ChunkResult:
    """What one call of an engine's ``run_chunk`` produced.

    Attributes
    ----------
    steps_done : int
        Whole steps completed (a step that hit a NaN is not counted).
    spikes : list of (i, step) array pairs, one per SpikeMonitor.
    states : list of (steps, data) per StateMonitor; data shape (n, n_vars, n_recorded).
    rates : list of (steps, counts) per PopulationRateMonitor.
    weights : list of (steps, data) per WeightMonitor; data shape (n, n_recorded).
    error : None, ("presented", presentation index, step) when a presentation showed its last item
        (not an error: the run ends there), (group index, neuron index, step) of a non-finite state, or
        ("ring", synapses index, step) when a spike-window ring overflowed.
    """

    def __init__(self, steps_done, spikes, states, rates, weights, error=None):
        self.steps_done, self.spikes, self.states, self.rates = steps_done, spikes, states, rates
        self.weights, self.error = weights, error
