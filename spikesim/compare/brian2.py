"""Export a spikesim network to Brian2, run both, and report the differences.

``to_brian2(net)`` builds the equivalent Brian2 network: each built-in model
as Brian2 equations (shared parameters as constants, per-neuron ones as
``(constant)`` variables), the explicit connectivity, weights and delays,
the initial state, the inputs and the plasticity rules.  In ``mode="exact"``
Poisson inputs are replaced by SpikeGeneratorGroups replaying the spikes
spikesim drew; ``mode="statistical"`` uses Brian2's own PoissonGroup.

``compare(net, duration)`` runs spikesim, then Brian2 from the same initial
state, and returns a :class:`ComparisonReport`.

What has no Brian2 translation raises ``NotImplementedError`` naming it: the
rectangular STDP window, the rate-based Hebbian rules and ``Normalization``.
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
from ..plasticity.stdp import STDP, TripletSTDP

TARGETS = ("numpy", "cython", "cpp_standalone")

# units of every variable and parameter, by model (Brian2 unit names)
_UNITS = {
    "lif_cuba": dict(v="volt", ge="volt", gi="volt", El="volt", tau_m="second", tau_e="second", tau_i="second",
                     v_th="volt", v_reset="volt", I="volt"),
    "lif_coba": dict(v="volt", ge="siemens", gi="siemens", El="volt", Ee="volt", Ei="volt", gl="siemens",
                     Cm="farad", tau_e="second", tau_i="second", I="amp", v_th="volt", v_reset="volt"),
    "izhikevich": dict(v="volt", u="volt", a="hertz", b="1", c="volt", d="volt", v_th="volt", I="volt"),
    "adex": dict(v="volt", w="amp", C="farad", gL="siemens", EL="volt", VT="volt", DeltaT="volt", tau_w="second",
                 a="siemens", I="amp", b="amp", v_reset="volt", v_th="volt"),
}

_EQUATIONS = {
    "lif_cuba": """
        dv/dt = (ge+gi-(v-El){I})/tau_m : volt (unless refractory)
        dge/dt = -ge/tau_e : volt
        dgi/dt = -gi/tau_i : volt""",
    "lif_coba": """
        dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v){I})/Cm : volt (unless refractory)
        dge/dt = -ge/tau_e : siemens
        dgi/dt = -gi/tau_i : siemens""",
    "izhikevich": """
        dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u{I})/ms : volt (unless refractory)
        du/dt = a*(b*v - u) : volt""",
    "adex": """
        dv/dt = (-gL*(v-EL) + gL*DeltaT*exp((v-VT)/DeltaT) - w{I})/C : volt (unless refractory)
        dw/dt = (a*(v-EL) - w)/tau_w : amp""",
}
_RESETS = {"lif_cuba": "v = v_reset", "lif_coba": "v = v_reset", "izhikevich": "v = c; u += d",
           "adex": "v = v_reset; w += b"}


class Brian2Network:
    """The Brian2 counterpart of a spikesim network, with the object mapping needed to read results back."""

    def __init__(self, b2, net, groups, synapses, spike_monitors, state_monitors, weight_targets):
        self.b2, self.net = b2, net
        self.groups, self.synapses = groups, synapses
        self.spike_monitors, self.state_monitors = spike_monitors, state_monitors
        self.weight_targets = weight_targets


def _uniform(a):
    return a.size == 0 or bool(np.all(a == a[0]))


def _setup_brian2(target, strict, workdir):
    import brian2 as b2
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


def _neuron_group(b2, g, dt):
    m = g.model
    if m.name not in _EQUATIONS:
        raise NotImplementedError(f"NeuronGroup {g.name!r}: model {m.name!r} has no Brian2 translation")
    units = _UNITS[m.name]
    ns, declared = {}, []
    params = {p: g._params[k] for k, p in enumerate(m.params)}
    has_I = bool(np.any(params["I"] != 0)) or g.current is not None
    I_term = ""
    if has_I:
        I_term = " + I" if g.current is None else " + I + I_inj(t{col})".format(
            col=", i" if g.current.values.shape[1] > 1 else "")
    eqs = _EQUATIONS[m.name].format(I=I_term)
    for p, vals in params.items():
        if p == "I" and not has_I:
            continue
        if _uniform(vals):
            ns[p] = float(vals[0]) * b2.Unit(1) if units[p] == "1" else float(vals[0]) * getattr(b2, units[p])
        else:
            declared.append(f"{p} : {units[p]} (constant)")
    if g.current is not None:
        vals = g.current.values
        arr = vals[:, 0] if vals.shape[1] == 1 else vals
        unit = getattr(b2, units["I"])
        ns["I_inj"] = b2.TimedArray(arr * unit, dt=g.current.sample_dt * b2.second)
    ref = g.refractory
    refractory = float(ref[0]) * b2.second if _uniform(ref) else "ref"
    if not _uniform(ref):
        declared.append("ref : second (constant)")
    threshold = "v > v_th"
    reset = _RESETS[m.name]
    if g.adaptive_threshold is not None:
        eqs += "\n        dtheta/dt = -theta/tau_theta : volt"
        ns["tau_theta"] = g.adaptive_threshold.tau_theta * b2.second
        ns["theta_plus"] = g.adaptive_threshold.theta_plus * b2.volt
        threshold = "v > v_th + theta"
        reset += "; theta += theta_plus"
    eqs = eqs + "".join("\n        " + d for d in declared)
    method = {"exact": "exact", "euler": "euler", "rk2": "rk2", "rk4": "rk4",
              "exponential_euler": "exponential_euler"}[g.method]
    G = b2.NeuronGroup(g.N, eqs, threshold=threshold, reset=reset, refractory=refractory, method=method,
                       namespace=ns, name=f"ss_{g.name}")
    for p, vals in params.items():
        if p in ns or (p == "I" and not has_I):
            continue
        setattr(G, p, vals * (1 if units[p] == "1" else getattr(b2, units[p])))
    if not _uniform(ref):
        G.ref = ref * b2.second
    for k, var in enumerate(m.variables):
        setattr(G, var, g._state[k] * getattr(b2, units[var]))
    if g.adaptive_threshold is not None:
        G.theta = g.theta * b2.volt
    # never-spiked neurons: Brian2 uses lastspike = -1e4 s; carry real lastspike values over
    spiked = g.lastspike > -(2 ** 39)
    if spiked.any():
        ls = np.where(spiked, g.lastspike * dt, -1e4)
        G.lastspike = ls * b2.second
    return G


def _synapses(b2, s, pre, post, dt):
    units = _UNITS[s.post.model.name]
    wunit = units[s.target]
    rule = s.plasticity
    ns = {}
    model = f"w_syn : {wunit}"
    on_pre = f"{s.target}_post += w_syn"
    on_post = None
    if rule is None:
        pass
    elif isinstance(rule, STDP):
        if rule.window != "exponential":
            raise NotImplementedError(f"Synapses {s.name!r}: STDP with a rectangular window has no Brian2 "
                                      f"translation")
        ns.update(tau_plus=rule.tau_plus * b2.second, tau_minus=rule.tau_minus * b2.second,
                  A_plus=rule.A_plus, A_minus=rule.A_minus, w_min=rule.w_min, w_max=rule.w_max, mu=rule.mu)
        model += """
            dApre/dt = -Apre/tau_plus : 1 (event-driven)
            dApost/dt = -Apost/tau_minus : 1 (event-driven)"""
        bump_pre = "Apre = A_plus" if rule.pairing == "nearest" else "Apre += A_plus"
        bump_post = "Apost = A_minus" if rule.pairing == "nearest" else "Apost += A_minus"
        u = "" if wunit == "1" else f"*{wunit}"
        if rule.mu == 0.0:
            dep = f"w_syn = clip(w_syn + Apost{u}, w_min{u}, w_max{u})"
            pot = f"w_syn = clip(w_syn + Apre{u}, w_min{u}, w_max{u})"
        else:
            dep = f"w_syn = clip(w_syn + Apost{u}*int(Apost <= 0)*(w_syn/(w_max{u}))**mu + Apost{u}*int(Apost > 0)*((w_max{u} - w_syn)/(w_max{u}))**mu, w_min{u}, w_max{u})"
            pot = f"w_syn = clip(w_syn + Apre{u}*int(Apre > 0)*((w_max{u} - w_syn)/(w_max{u}))**mu + Apre{u}*int(Apre <= 0)*(w_syn/(w_max{u}))**mu, w_min{u}, w_max{u})"
        on_pre += f"\n{bump_pre}\n{dep}"
        on_post = f"{bump_post}\n{pot}"
    elif isinstance(rule, TripletSTDP):
        ns.update(tau_plus=rule.tau_plus * b2.second, tau_minus=rule.tau_minus * b2.second,
                  tau_x=rule.tau_x * b2.second, tau_y=rule.tau_y * b2.second, A2p=rule.A2_plus, A3p=rule.A3_plus,
                  A2m=rule.A2_minus, A3m=rule.A3_minus, w_min=rule.w_min, w_max=rule.w_max)
        model += """
            dr1/dt = -r1/tau_plus : 1 (event-driven)
            dr2/dt = -r2/tau_x : 1 (event-driven)
            do1/dt = -o1/tau_minus : 1 (event-driven)
            do2/dt = -o2/tau_y : 1 (event-driven)"""
        u = "" if wunit == "1" else f"*{wunit}"
        nearest = rule.pairing == "nearest"
        on_pre += (f"\nw_syn = clip(w_syn - o1*(A2m + A3m*r2){u}, w_min{u}, w_max{u})"
                   + ("\nr1 = 1\nr2 = 1" if nearest else "\nr1 += 1\nr2 += 1"))
        on_post = (f"w_syn = clip(w_syn + r1*(A2p + A3p*o2){u}, w_min{u}, w_max{u})"
                   + ("\no1 = 1\no2 = 1" if nearest else "\no1 += 1\no2 += 1"))
    else:
        raise NotImplementedError(f"Synapses {s.name!r}: plasticity rule {type(rule).__name__} has no Brian2 "
                                  f"translation")
    kw = dict(on_pre=on_pre, namespace=ns, name=f"ss_{s.name}")
    if on_post is not None:
        kw["on_post"] = on_post
    S = b2.Synapses(pre, post, model, **kw)
    S.connect(i=s.i, j=s.j)
    S.w_syn = s.w * (1 if wunit == "1" else getattr(b2, wunit))
    steps = s.delay_steps()
    if np.any(steps):
        S.delay = steps * dt * b2.second
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
    b2 = _setup_brian2(target, strict, workdir or tempfile.mkdtemp(prefix="spikesim_b2_"))
    dt = net.dt
    b2.defaultclock.dt = dt * b2.second
    groups = {}
    for o in net.objects:
        if isinstance(o, NeuronGroup):
            groups[id(o)] = _neuron_group(b2, o, dt)
        elif isinstance(o, SpikeGeneratorGroup):
            groups[id(o)] = b2.SpikeGeneratorGroup(o.N, o.indices, o.times * b2.second, name=f"ss_{o.name}")
        elif isinstance(o, PoissonGroup):
            if mode == "statistical":
                groups[id(o)] = b2.PoissonGroup(o.N, rates=o.rates * b2.Hz, name=f"ss_{o.name}")
            else:
                if input_spikes is None or o.name not in input_spikes:
                    raise ValueError(f"exact mode needs the spikes of PoissonGroup {o.name!r} in input_spikes")
                i, t = input_spikes[o.name]
                groups[id(o)] = b2.SpikeGeneratorGroup(o.N, i, t * b2.second, name=f"ss_{o.name}")
    synapses = {}
    for o in net.objects:
        if isinstance(o, Synapses):
            synapses[id(o)] = _synapses(b2, o, groups[id(o.pre)], groups[id(o.post)], dt)
    spike_mons = {id(g): b2.SpikeMonitor(groups[id(g)]) for g in net.objects
                  if isinstance(g, NeuronGroup)}
    state_mons = {}
    for o in net.objects:
        if isinstance(o, StateMonitor):
            state_mons[id(o)] = b2.StateMonitor(groups[id(o.group)], list(o.variables), record=o.record,
                                                dt=o.every * dt * b2.second)
    objs = list(groups.values()) + list(synapses.values()) + list(spike_mons.values()) + list(state_mons.values())
    bnet = b2.Network(*objs)
    plastic = {id(s): synapses[id(s)] for s in net.objects if isinstance(s, Synapses) and s.plasticity is not None}
    return Brian2Network(b2, bnet, groups, synapses, spike_mons, state_mons, plastic)


@dataclasses.dataclass
class ComparisonReport:
    """Differences between a spikesim run and the Brian2 run of the same network.

    Spike trains are compared over all NeuronGroups (inputs excluded);
    states over the network's StateMonitors; weights over plastic Synapses.
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
    plastic = [s for s in net.objects if isinstance(s, Synapses) and s.plasticity is not None]
    ours_w = [s.w.copy() for s in plastic]
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
    theirs_w = [np.asarray(bn.weight_targets[id(s)].w_syn_[:]) for s in plastic]
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
    w_err = max((float(np.max(np.abs(x - y))) for x, y in zip(ours_w, theirs_w) if x.size), default=0.0)
    return ComparisonReport(
        identical_spikes=identical, n_spikes_spikesim=int(len(a)), n_spikes_brian2=int(len(b)),
        n_differing_spikes=int(n_diff), first_divergence_s=first, max_rate_diff_hz=rate_diff,
        max_state_abs_err=abs_err, max_state_rel_err=rel_err, max_weight_abs_err=w_err,
        van_rossum_distance=float(np.mean(vr)) if vr else 0.0, spikesim_sim_s=ours_sim, brian2_sim_s=b2_sim,
        target=target, mode=mode, duration_s=float(duration),
        details=dict(spikes_spikesim=a, spikes_brian2=b, weights_spikesim=ours_w, weights_brian2=theirs_w,
                     dt=dt, groups=[g.name for g in groups], group_sizes=[g.N for g in groups]))
