"""Export a spikesim network to Brian2, run both, and report the differences.

``to_brian2(net)`` builds the equivalent Brian2 network from the same
descriptions spikesim compiled: each group's and each Synapses' own
equations and statements (a preset's equations, or the user's), shared
parameters in the namespace with their units, per-element values and the
initial state set on the Brian2 objects, the explicit connectivity, weights
and delays.  In ``mode="exact"`` Poisson inputs are replaced by
SpikeGeneratorGroups replaying the spikes spikesim drew; ``mode="statistical"``
uses Brian2's own PoissonGroup.  Brian2 objects are named ``ss000_<name>``
... in the order the objects were added, so that Brian2 runs same-slot
objects (e.g. two pathways onto one variable) in spikesim's order.

``compare(net, duration)`` runs spikesim, then Brian2 from the same initial
state, and returns a :class:`ComparisonReport`.

What has no Brian2 equivalent raises ``NotImplementedError`` naming it:
spike-window rules (``n_pre_spikes``), regular operations that read
event-driven variables (the rate-based Hebbian rules) and ``Normalization``.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import tempfile
import time

import numpy as np

from ..model.inputs import PoissonGroup, SpikeGeneratorGroup
from ..model.neurons import NeuronGroup
from ..model.synapses import Synapses
from ..monitors.spikes import SpikeMonitor
from ..monitors.state import StateMonitor

TARGETS = ("numpy", "cython", "cpp_standalone")


class Brian2Network:
    """The Brian2 counterpart of a spikesim network, with the object mapping needed to read results back."""

    def __init__(self, b2, net, groups, synapses, spike_monitors, state_monitors):
        self.b2, self.net = b2, net
        self.groups, self.synapses = groups, synapses
        self.spike_monitors, self.state_monitors = spike_monitors, state_monitors


def _uniform(a):
    return a.size == 0 or bool(np.all(a == a[0]))


def _setup_brian2(target, strict, workdir):
    import sys
    hook = sys.excepthook
    from ..equations.sandbox import import_brian2
    b2 = import_brian2()
    sys.excepthook = hook
    b2.start_scope()
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=str(workdir), build_on_run=False)
    else:
        b2.set_device("runtime")
        b2.prefs.codegen.target = target
    if strict:
        # no fast-math: Brian2's last bits then do not move with its compiler flags
        args = ["-w", "-O3", "-ffp-contract=off"]
        b2.prefs.codegen.cpp.extra_compile_args_gcc = args
        if target == "cython":
            cache = pathlib.Path(tempfile.gettempdir()) / "spikesim_brian2_strict_cython"
            b2.prefs.codegen.runtime.cython.cache_dir = str(cache)
    return b2


def _q(b2, value, dims):
    """A Brian2 quantity of the SI value(s) ``value`` with dimensions ``dims`` (7 exponents)."""
    from brian2.units.fundamentalunits import get_or_create_dimension
    return b2.Quantity(value, dim=get_or_create_dimension([float(__import__("fractions").Fraction(x))
                                                          for x in dims]))


def _name(k, obj):
    return f"ss{k:03d}_{obj.name}"


def _neuron_group(b2, g, dt, name):
    lay = g._layout
    dims = lay["dims"]
    ns = {n: _q(b2, float(g._shared[k]), dims[n]) for k, n in enumerate(lay["shared"])}
    for n, ta in g._timed.items():
        vals = ta.values[:, 0] if ta.ndim == 1 else ta.values
        ns[n] = b2.TimedArray(_q(b2, vals, dims[n]), dt=ta.dt * b2.second)
    for u in lay.get("units_used", []):
        ns.pop(u, None)
    eqs = lay["equations"]
    if g._refractory_expr is not None:
        refractory = g._refractory_expr
    elif g._refractory is None:
        refractory = False
    elif _uniform(g._refractory):
        refractory = float(g._refractory[0]) * b2.second
    else:
        eqs = eqs + "\nspikesim_refractory : second (constant)"
        refractory = "spikesim_refractory"
    G = b2.NeuronGroup(g.N, eqs, threshold=lay["threshold"], reset=lay["reset"], refractory=refractory,
                       method=lay["method"], namespace=ns, name=name)
    for n, k in g._rows.items():
        setattr(G, n, _q(b2, g._x[k], dims[n]))
    if refractory == "spikesim_refractory":
        G.spikesim_refractory = g._refractory * b2.second
    for k, (code, when) in enumerate(lay["regular"]):
        G.run_regularly(code, when=when, name=f"{name}_regular{k}")
    # neurons that spiked before: carry lastspike over (Brian2 uses -1e4 s for never)
    if hasattr(G, "lastspike"):
        spiked = g.lastspike > -(2 ** 39)
        if spiked.any():
            G.lastspike = np.where(spiked, g.lastspike * dt, -1e4) * b2.second
    return G


def _synapses(b2, s, pre, post, dt, name):
    lay = s._layout
    if lay["window"]:
        raise NotImplementedError(f"Synapses {s.name!r}: spike-window rules (n_pre_spikes/n_post_spikes) have no "
                                  f"Brian2 translation")
    if lay["regular_reads_event_driven"]:
        raise NotImplementedError(f"Synapses {s.name!r}: regular operations on event-driven variables (the "
                                  f"rate-based Hebbian rules) have no Brian2 translation")
    dims = lay["dims"]
    ns = {n: _q(b2, float(s._shared[k]), dims[n]) for k, n in enumerate(lay["shared"])}
    for n, _ in lay["timed"]:
        ta = s._values[n]
        ns[n] = b2.TimedArray(_q(b2, ta.values[:, 0], dims[n]), dt=ta.dt * b2.second)
    for u in lay.get("units_used", []):
        ns.pop(u, None)
    kw = dict(on_pre=lay["on_pre"], namespace=ns, name=name)
    if lay["on_post"]:
        kw["on_post"] = lay["on_post"]
    S = b2.Synapses(pre, post, lay["model"], **kw)
    S.connect(i=s.i, j=s.j)
    for n in lay["rows"]:
        setattr(S, n, _q(b2, getattr(s, n), dims[n]))
    for n in lay["pre_shared"] + lay["post_shared"]:
        setattr(S, n, _q(b2, getattr(s, n), dims[n]))
    steps = s.delay_steps()
    if np.any(steps):
        S.delay = steps * dt * b2.second
    for k, (code, when) in enumerate(lay["regular"]):
        # after both pathways (Brian2 runs pre pathways at order -1, post pathways at +1)
        S.run_regularly(code, dt=s._regular_dt[k] * b2.second, when=when, order=2 if when == "synapses" else 0,
                        name=f"{name}_regular{k}")
    return S


def to_brian2(net, *, mode="exact", input_spikes=None, target="numpy", strict=True, workdir=None):
    """The Brian2 equivalent of ``net`` (built; state as it is now).

    Parameters
    ----------
    net : Network
        A built spikesim network.
    mode : {"exact", "statistical"}
        "exact": Poisson groups become SpikeGeneratorGroups replaying
        ``input_spikes[name] = (i, t)``; "statistical": Brian2 PoissonGroups.
    input_spikes : dict, optional
        Required for Poisson groups in exact mode.
    target : {"numpy", "cython", "cpp_standalone"}
    strict : bool
        Compile Brian2 without fast-math (``-O3 -ffp-contract=off``).

    Returns
    -------
    Brian2Network
    """
    if mode not in ("exact", "statistical"):
        raise ValueError(f"mode must be 'exact' or 'statistical', got {mode!r}")
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    from ..plasticity.homeostasis import Normalization
    for o in net.objects:
        if isinstance(o, Normalization):
            raise NotImplementedError(f"Normalization {o.name!r} has no Brian2 translation")
    net.build()
    order = {id(o): k for k, o in enumerate(net.objects)}
    b2 = _setup_brian2(target, strict, workdir or tempfile.mkdtemp(prefix="spikesim_b2_"))
    dt = net.dt
    b2.defaultclock.dt = dt * b2.second
    groups = {}
    for o in net.objects:
        nm = _name(order[id(o)], o)
        if isinstance(o, NeuronGroup):
            groups[id(o)] = _neuron_group(b2, o, dt, nm)
        elif isinstance(o, SpikeGeneratorGroup):
            groups[id(o)] = b2.SpikeGeneratorGroup(o.N, o.indices, o.times * b2.second, name=nm)
        elif isinstance(o, PoissonGroup):
            if mode == "statistical":
                groups[id(o)] = b2.PoissonGroup(o.N, rates=o.rates * b2.Hz, name=nm)
            else:
                if input_spikes is None or o.name not in input_spikes:
                    raise ValueError(f"exact mode needs the spikes of PoissonGroup {o.name!r} in input_spikes")
                i, t = input_spikes[o.name]
                groups[id(o)] = b2.SpikeGeneratorGroup(o.N, i, t * b2.second, name=nm)
    synapses = {}
    for o in net.objects:
        if isinstance(o, Synapses):
            synapses[id(o)] = _synapses(b2, o, groups[id(o.pre)], groups[id(o.post)], dt, _name(order[id(o)], o))
    spike_mons = {id(g): b2.SpikeMonitor(groups[id(g)]) for g in net.objects
                  if isinstance(g, NeuronGroup)}
    state_mons = {}
    for o in net.objects:
        if isinstance(o, StateMonitor):
            state_mons[id(o)] = b2.StateMonitor(groups[id(o.group)], list(o.variables), record=o.record,
                                                dt=o.every * dt * b2.second)
    objs = list(groups.values()) + list(synapses.values()) + list(spike_mons.values()) + list(state_mons.values())
    bnet = b2.Network(*objs)
    return Brian2Network(b2, bnet, groups, synapses, spike_mons, state_mons)


@dataclasses.dataclass
class ComparisonReport:
    """Differences between a spikesim run and the Brian2 run of the same network.

    Spike trains are compared over all NeuronGroups (inputs excluded);
    states over the network's StateMonitors; ``max_weight_abs_err`` over every
    synaptic variable stored per synapse that the rule changes
    (``details["synaptic_abs_err"]`` per variable).
    """
    identical_spikes: bool
    n_spikes_spikesim: int
    n_spikes_brian2: int
    n_differing_spikes: int
    first_divergence_s: float | None
    max_rate_diff_hz: float
    max_state_abs_err: float
    max_state_rel_err: float
    max_weight_abs_err: float
    van_rossum_distance: float
    spikesim_sim_s: float
    brian2_sim_s: float
    target: str
    mode: str
    duration_s: float
    details: dict = dataclasses.field(default_factory=dict, repr=False)

    def to_json(self):
        d = dataclasses.asdict(self)
        d.pop("details")
        return json.dumps(d, indent=2)

    def __str__(self):
        lines = [f"spikesim vs Brian2 ({self.target}, {self.mode} inputs, {self.duration_s:g} s)",
                 f"  identical spike trains : {self.identical_spikes}",
                 f"  spikes                 : spikesim {self.n_spikes_spikesim}, Brian2 {self.n_spikes_brian2}, "
                 f"differing {self.n_differing_spikes}",
                 f"  first divergence       : {self.first_divergence_s if self.first_divergence_s is not None else 'none'}",
                 f"  largest rate difference: {self.max_rate_diff_hz:.4g} Hz",
                 f"  states                 : max abs {self.max_state_abs_err:.3g}, max rel {self.max_state_rel_err:.3g}",
                 f"  weights                : max abs {self.max_weight_abs_err:.3g}",
                 f"  van Rossum distance    : {self.van_rossum_distance:.4g} (tau 10 ms, mean per neuron)",
                 f"  simulation time        : spikesim {self.spikesim_sim_s:.3f} s, Brian2 {self.brian2_sim_s:.3f} s"]
        return "\n".join(lines)


def _sorted_spikes(groups_spikes):
    """(time step, group, index) rows sorted."""
    rows = [np.stack([st, np.full(i.size, k), i], axis=1) for k, (i, st) in enumerate(groups_spikes)]
    rows = np.concatenate(rows) if rows else np.zeros((0, 3), np.int64)
    order = np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))
    return rows[order]


def van_rossum(t1, t2, tau):
    """Van Rossum (2001) distance between two spike trains (seconds), exponential kernel ``tau``."""
    t1, t2 = np.asarray(t1), np.asarray(t2)
    k = lambda a, b: np.exp(-np.abs(a[:, None] - b[None, :]) / tau).sum() if a.size and b.size else 0.0
    d2 = 0.5 * (k(t1, t1) + k(t2, t2) - 2 * k(t1, t2))
    return float(np.sqrt(max(d2, 0.0)))


def compare(net, duration, *, target="numpy", strict=True, mode="exact", backend="cpu", workdir=None,
            vr_tau=10e-3):
    """Run ``net`` in spikesim and in Brian2 from the same initial state; return a ComparisonReport.

    ``net`` must not have been run yet (it may be built).  Afterwards it is
    left in its state at the end of the spikesim run.
    """
    if net.step != 0:
        raise ValueError("compare() needs a network that has not been run yet (net.t must be 0)")
    spikes_in = {}
    poisson = [o for o in net.objects if isinstance(o, PoissonGroup)]
    extra = []
    if net._compiled is None:
        have = {id(m.group) for m in net.objects if isinstance(m, SpikeMonitor)}
        for o in net.objects:
            if isinstance(o, (NeuronGroup, PoissonGroup)) and id(o) not in have:
                extra.append(SpikeMonitor(o, name=f"_cmp_{o.name}"))
        net.add(*extra)
    mons = {id(m.group): m for m in net.objects if isinstance(m, SpikeMonitor)}
    missing = [o.name for o in net.objects if isinstance(o, (NeuronGroup, PoissonGroup)) and id(o) not in mons]
    if missing:
        raise ValueError(f"the built network has no SpikeMonitor for {missing}; pass an unbuilt network")
    net.build()
    net.store("_compare_initial")
    net.run(net.dt, backend=backend, progress=False)        # JIT warm-up, then back to the start
    net.restore("_compare_initial")
    t0 = time.perf_counter()
    net.run(duration, backend=backend, progress=False)
    ours_sim = time.perf_counter() - t0
    neuron_groups = [o for o in net.objects if isinstance(o, NeuronGroup)]
    ours_spikes = [(mons[id(g)].i.copy(), mons[id(g)].step.copy()) for g in neuron_groups]
    for p in poisson:
        spikes_in[p.name] = (mons[id(p)].i.copy(), mons[id(p)].t.copy())
    state_mons = [o for o in net.objects if isinstance(o, StateMonitor)]
    ours_states = [{v: m.values(v).copy() for v in m.variables} for m in state_mons]
    plastic = [s for s in net.objects if isinstance(s, Synapses) and s._layout["written"]]
    ours_w = [{n: getattr(s, n).copy() for n in s._layout["written"]} for s in plastic]
    net.store("_compare_final")
    net.restore("_compare_initial")
    bn = to_brian2(net, mode=mode, input_spikes=spikes_in, target=target, strict=strict, workdir=workdir)
    b2 = bn.b2
    if target != "cpp_standalone":
        bn.net.run(0 * b2.second)          # generate and compile the code objects outside the timing
    t0 = time.perf_counter()
    bn.net.run(duration * b2.second)
    if target == "cpp_standalone":
        b2.device.build(directory=None, compile=True, run=True)
        b2_sim = float(b2.device._last_run_time)
    else:
        b2_sim = time.perf_counter() - t0
    dt = net.dt
    theirs_spikes = []
    for g in neuron_groups:
        m = bn.spike_monitors[id(g)]
        st = np.asarray(np.round(np.asarray(m.t / b2.second) / dt), dtype=np.int64)
        theirs_spikes.append((np.asarray(m.i, dtype=np.int64), st))
    theirs_states = []
    for m in state_mons:
        bm = bn.state_monitors[id(m)]
        theirs_states.append({v: np.asarray(getattr(bm, v + "_")) for v in m.variables})
    theirs_w = [{n: np.asarray(getattr(bn.synapses[id(s)], n + "_")[:]) for n in s._layout["written"]}
                for s in plastic]
    if target == "cpp_standalone":
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("runtime")
    net.restore("_compare_final")
    for name in ("_compare_initial", "_compare_final"):
        net._stored.pop(name, None)
    return _report(ours_spikes, theirs_spikes, ours_states, theirs_states, ours_w, theirs_w, neuron_groups, dt,
                   duration, ours_sim, b2_sim, target, mode, vr_tau)


def _report(ours_spikes, theirs_spikes, ours_states, theirs_states, ours_w, theirs_w, groups, dt, duration,
            ours_sim, b2_sim, target, mode, vr_tau):
    a, b = _sorted_spikes(ours_spikes), _sorted_spikes(theirs_spikes)
    identical = a.shape == b.shape and bool(np.array_equal(a, b))
    first = None
    if not identical:
        n = min(len(a), len(b))
        neq = np.flatnonzero(np.any(a[:n] != b[:n], axis=1))
        k = int(neq[0]) if neq.size else n
        cand = [r[k, 0] for r in (a, b) if k < len(r)]
        first = float(min(cand) * dt) if cand else None
    sa = {tuple(r) for r in a.tolist()}
    sb = {tuple(r) for r in b.tolist()}
    n_diff = len(sa ^ sb)
    rate_diff, vr = 0.0, []
    for (i1, s1), (i2, s2), g in zip(ours_spikes, theirs_spikes, groups):
        c1 = np.bincount(i1, minlength=g.N)
        c2 = np.bincount(i2, minlength=g.N)
        rate_diff = max(rate_diff, float(np.max(np.abs(c1 - c2)) / duration) if g.N else 0.0)
        for j in range(g.N):
            t1, t2 = s1[i1 == j] * dt, s2[i2 == j] * dt
            if t1.size or t2.size:
                vr.append(van_rossum(t1, t2, vr_tau))
    abs_err = rel_err = 0.0
    for o, t in zip(ours_states, theirs_states):
        for v in o:
            x, y = o[v], t[v]
            if x.shape != y.shape:
                n = min(x.shape[1], y.shape[1])
                x, y = x[:, :n], y[:, :n]
            d = np.abs(x - y)
            if d.size:
                abs_err = max(abs_err, float(d.max()))
                scale = np.maximum(np.abs(x), np.abs(y))
                with np.errstate(invalid="ignore", divide="ignore"):
                    r = np.where(scale > 0, d / scale, 0.0)
                rel_err = max(rel_err, float(r.max()))
    w_errs = {}
    for o, t in zip(ours_w, theirs_w):
        for n in o:
            if o[n].size:
                w_errs[n] = max(w_errs.get(n, 0.0), float(np.max(np.abs(o[n] - t[n]))))
    w_err = max(w_errs.values(), default=0.0)
    return ComparisonReport(
        identical_spikes=identical, n_spikes_spikesim=int(len(a)), n_spikes_brian2=int(len(b)),
        n_differing_spikes=int(n_diff), first_divergence_s=first, max_rate_diff_hz=rate_diff,
        max_state_abs_err=abs_err, max_state_rel_err=rel_err, max_weight_abs_err=w_err,
        van_rossum_distance=float(np.mean(vr)) if vr else 0.0, spikesim_sim_s=ours_sim, brian2_sim_s=b2_sim,
        target=target, mode=mode, duration_s=float(duration),
        details=dict(spikes_spikesim=a, spikes_brian2=b, weights_spikesim=ours_w, weights_brian2=theirs_w,
                     synaptic_abs_err=w_errs,
                     dt=dt, groups=[g.name for g in groups], group_sizes=[g.N for g in groups]))
