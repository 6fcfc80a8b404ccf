"""STDP and triplet rules: windows, pairing schemes, bounds, fixed points, triplet frequency dependence."""
import importlib.util
import math
import pathlib

import numpy as np
import pytest

from spikesim import (Network, NeuronGroup, PoissonGroup, SimulationError, SpikeGeneratorGroup, SpikeMonitor,
                      Synapses, WeightMonitor)
from spikesim.plasticity import STDP, Hebb, TripletSTDP
from spikesim.units import mV, ms

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[1] / "experiments"
DT = 0.1 * ms


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def forced_pair(pre_times, post_times, rule, w0, backend="cpu", extra_time=50 * ms):
    """One plastic synapse; the post neuron is forced to spike exactly at ``post_times``."""
    pre = SpikeGeneratorGroup(1, np.zeros(len(pre_times), int), pre_times)
    drv = SpikeGeneratorGroup(1, np.zeros(len(post_times), int), np.asarray(post_times) - DT)
    # the plastic weight goes to ge, which does not move v: only the driver makes the neuron fire
    post = NeuronGroup(1, "dv/dt = (El - v)/tau_m : volt\nge : volt", threshold="v > v_th", reset="v = El",
                       El=-70 * mV, tau_m=20 * ms, v_th=-50 * mV, v=-70 * mV)
    S = Synapses(pre, post, "ge", weight=w0, plasticity=rule).connect(one_to_one=True)
    D = Synapses(drv, post, "v", weight=100 * mV).connect(one_to_one=True)
    M = SpikeMonitor(post)
    net = Network(pre, drv, post, S, D, M, dt=DT)
    net.run(max(max(pre_times, default=0), max(post_times, default=0)) + extra_time, backend=backend,
            progress=False)
    np.testing.assert_allclose(M.t, post_times, atol=1e-12)
    return S.w[0]


# ---------------------------------------------------------------- the window
@pytest.mark.parametrize("window", ["exponential", "rectangular"])
@pytest.mark.parametrize("pairing", ["all", "nearest"])
def test_window_from_pairing_protocol_matches_analytic(window, pairing):
    sw = _load("stdp_window")
    rule = STDP(A_plus=sw.A_PLUS, A_minus=sw.A_MINUS, w_max=sw.W_MAX, window=window, pairing=pairing)
    dts = np.array([-100, -40, -20, -19.9, -5, -0.1, 0, 0.1, 5, 19.9, 20, 20.1, 40, 100]) * ms
    dw, *_ = sw.measure(dts, rule)
    analytic = sw.N_PAIRINGS * rule.window_function(dts)
    np.testing.assert_allclose(dw, analytic, rtol=1e-12, atol=1e-12 * sw.W_MAX)
    assert dw[dts == 5 * ms][0] > 0 > dw[dts == -5 * ms][0]      # pre before post strengthens


def test_all_to_all_and_nearest_differ_as_theory_says_on_a_burst():
    A, tau = 0.01, 20 * ms
    pre, post = [10 * ms, 15 * ms, 20 * ms], [25 * ms]
    kw = dict(A_plus=A, A_minus=-A, tau_plus=tau, tau_minus=tau, w_max=1.0)
    w_all = forced_pair(pre, post, STDP(pairing="all", **kw), 0.5)
    w_near = forced_pair(pre, post, STDP(pairing="nearest", **kw), 0.5)
    s = np.array([15, 10, 5]) * ms
    assert w_all - 0.5 == pytest.approx(A * np.exp(-s / tau).sum(), rel=1e-12)
    assert w_near - 0.5 == pytest.approx(A * math.exp(-5 * ms / tau), rel=1e-12)
    # post burst, one pre spike after it: depression by all post spikes vs the last one only
    w_all = forced_pair([40 * ms], [10 * ms, 20 * ms, 30 * ms], STDP(pairing="all", **kw), 0.5)
    w_near = forced_pair([40 * ms], [10 * ms, 20 * ms, 30 * ms], STDP(pairing="nearest", **kw), 0.5)
    assert 0.5 - w_all == pytest.approx(A * np.exp(-np.array([30, 20, 10]) * ms / tau).sum(), rel=1e-12)
    assert 0.5 - w_near == pytest.approx(A * math.exp(-10 * ms / tau), rel=1e-12)


def test_event_driven_traces_equal_clock_driven_integration():
    rng = np.random.default_rng(3)
    n_steps = 20000
    pre_steps = np.flatnonzero(rng.random(n_steps) < 0.004)
    post_steps = np.flatnonzero(rng.random(n_steps) < 0.003)
    post_steps = post_steps[post_steps > 0]
    A_plus, A_minus, tau_p, tau_m, w_max = 0.004, -0.0042, 17 * ms, 29 * ms, 1.0
    rule = STDP(A_plus=A_plus, A_minus=A_minus, tau_plus=tau_p, tau_minus=tau_m, w_max=w_max)
    w_sim = forced_pair(pre_steps * DT, post_steps * DT, rule, 0.5)
    # clock-driven: decay both traces every step, bump at spikes, same order as the engine
    x_pre = x_post = 0.0
    w = 0.5
    pre_set, post_set = set(pre_steps.tolist()), set(post_steps.tolist())
    for n in range(n_steps + 500):
        if n in pre_set:
            x_pre += A_plus
            w = min(max(w + x_post, 0.0), w_max)
        if n in post_set:
            x_post += A_minus
            w = min(max(w + x_pre, 0.0), w_max)
        x_pre *= math.exp(-DT / tau_p)
        x_post *= math.exp(-DT / tau_m)
    assert w_sim == pytest.approx(w, rel=1e-11)


# ---------------------------------------------------------------- bounds and fixed points
def test_bounds_never_crossed_under_strong_random_stdp():
    inp = PoissonGroup(200, rates=40.0)
    G = NeuronGroup(5, "lif_cuba", El=-55 * mV, v_th=-54 * mV)
    rule = STDP(A_plus=0.3, A_minus=-0.35, w_max=2 * mV, w_min=0.0)
    S = Synapses(inp, G, "ge", weight=lambda r, n: r.uniform(0, 2, n) * mV, plasticity=rule).connect(p=0.5)
    W = WeightMonitor(S, every=50)
    Network(inp, G, S, W, seed=1).run(300 * ms, progress=False)
    assert W.w.min() >= 0.0 and W.w.max() <= 2 * mV
    assert np.any(S.w == 0.0) and np.any(S.w == 2 * mV)


@pytest.mark.parametrize("bounds, mu", [("multiplicative", None), ("soft", 0.5), ("soft", 2.0)])
def test_weight_dependent_rules_reach_the_known_fixed_point(bounds, mu):
    """Alternating +10 ms and -10 ms pairings: p*((1-x))^mu = d*x^mu at the fixed point x = w/w_max."""
    A_p, A_m, tau = 0.05, -0.05, 20 * ms
    rule = STDP(A_plus=A_p, A_minus=A_m, tau_plus=tau, tau_minus=tau, w_max=1.0, bounds=bounds, mu=mu)
    pre, post = [], []
    for k in range(300):
        t = 0.1 + 0.2 * k
        if k % 2 == 0:
            pre.append(t), post.append(t + 5 * ms)           # potentiation, exp(-5/20)
        else:
            post.append(t), pre.append(t + 10 * ms)          # depression, exp(-10/20)
    w = forced_pair(pre, post, rule, 0.2)
    p, d = A_p * math.exp(-5 / 20), -A_m * math.exp(-10 / 20)
    m = 1.0 if bounds == "multiplicative" else mu
    x_star = 1.0 / (1.0 + (d / p) ** (1.0 / m))
    assert w == pytest.approx(x_star, abs=0.02)


# ---------------------------------------------------------------- triplet rule
def _triplet_closed_form(pre, post, P):
    """Direct sums over the spike trains (all-to-all interactions), no simulation."""
    pre, post = np.asarray(pre), np.asarray(post)
    dw = 0.0
    for t in post:
        r1 = np.exp(-(t - pre[pre <= t + 1e-12]) / P["tau_plus"]).sum()
        o2 = np.exp(-(t - post[post < t - 1e-12]) / P["tau_y"]).sum()
        dw += r1 * (P["A2_plus"] + P["A3_plus"] * o2)
    for t in pre:
        o1 = np.exp(-(t - post[post < t - 1e-12]) / P["tau_minus"]).sum()
        r2 = np.exp(-(t - pre[pre < t - 1e-12]) / P["tau_x"]).sum()
        dw -= o1 * (P["A2_minus"] + P["A3_minus"] * r2)
    return dw


@pytest.mark.parametrize("freq", [0.1, 50.0])
@pytest.mark.parametrize("sign", [+1, -1])
def test_triplet_frequency_dependence_matches_closed_form(freq, sign):
    from spikesim.plasticity import TRIPLET_PRESETS
    P = dict(TRIPLET_PRESETS["visual_all_to_all"])
    P.pop("pairing")
    rule = TripletSTDP(w_max=10.0, **P)
    n_pairs = 60 if freq == 50.0 else 8
    t0 = 0.05 + np.arange(n_pairs) / freq
    pre = t0 + (0.0 if sign > 0 else 10 * ms)
    post = t0 + (10 * ms if sign > 0 else 0.0)
    w = forced_pair(pre.tolist(), post.tolist(), rule, 5.0)
    expected = _triplet_closed_form(pre, post, P)
    assert w - 5.0 == pytest.approx(expected, rel=1e-9)
    if freq == 50.0:
        assert w - 5.0 > 0        # at 50 Hz both orders potentiate (Sjöström et al. 2001)


# ---------------------------------------------------------------- backends, monitors, bad input
@pytest.mark.parametrize("rule", [
    STDP(A_plus=0.2, A_minus=-0.21, w_max=2 * mV),
    STDP(A_plus=0.2, A_minus=-0.21, w_max=2 * mV, pairing="nearest", bounds="soft", mu=0.7),
    STDP(A_plus=0.2 * mV, A_minus=-0.21 * mV, w_max=2 * mV, window="rectangular", max_spikes_in_window=8),
    TripletSTDP.preset("hippocampal_nearest", w_max=2 * mV),
])
def test_plastic_network_cpu_equals_reference(rule):
    def build():
        inp = PoissonGroup(30, rates=60.0)
        G = NeuronGroup(8, "lif_cuba", El=-49.5 * mV, v_th=-50 * mV, refractory=1 * ms,
                        v=lambda r, n: r.uniform(-60, -50, n) * mV)
        S = Synapses(inp, G, "ge", weight=lambda r, n: r.uniform(0, 2, n) * mV, plasticity=rule,
                     delay=lambda r, n: r.integers(0, 20, n) * DT).connect(p=0.5)
        R = Synapses(G, G, "gi", weight=-1 * mV).connect(p=0.3)
        M = SpikeMonitor(G)
        W = WeightMonitor(S, record=[0, 3, 7], times=[0.0, 10 * ms, 55 * ms])
        return Network(inp, G, S, R, M, W, seed=4), S, M, W
    a, Sa, Ma, Wa = build()
    b, Sb, Mb, Wb = build()
    a.run(80 * ms, backend="reference", progress=False)
    b.run(80 * ms, backend="cpu", progress=False)
    np.testing.assert_array_equal(Ma.i, Mb.i)
    np.testing.assert_array_equal(Ma.step, Mb.step)
    assert Ma.num_spikes > 10
    np.testing.assert_array_equal(Sa.w, Sb.w)
    np.testing.assert_array_equal(Wa.w, Wb.w)
    np.testing.assert_array_equal(Wa.step, [0, 100, 550])
    assert not np.array_equal(Wa.w[:, 0], Wa.w[:, -1])


def test_store_restore_includes_traces():
    def run():
        inp = PoissonGroup(20, rates=50.0)
        G = NeuronGroup(3, "lif_cuba", El=-52 * mV, v_th=-50 * mV)
        S = Synapses(inp, G, "ge", weight=1 * mV, plasticity=STDP(A_plus=0.1 * mV, A_minus=-0.1 * mV,
                                                                  w_max=2 * mV)).connect()
        return Network(inp, G, S, seed=2), S
    net, S = run()
    net.run(30 * ms, progress=False)
    net.store()
    net.run(30 * ms, progress=False)
    w1 = S.w
    net.restore()
    net.run(30 * ms, progress=False)
    np.testing.assert_array_equal(S.w, w1)


def test_rectangular_ring_overflow_is_reported():
    inp = SpikeGeneratorGroup(1, np.zeros(10, int), np.arange(10) * 1 * ms)
    G = NeuronGroup(1)
    S = Synapses(inp, G, "ge", weight=0.0, plasticity=STDP(window="rectangular", max_spikes_in_window=3,
                                                           w_max=1.0)).connect()
    with pytest.raises(SimulationError, match="max_spikes_in_window"):
        Network(inp, G, S).run(20 * ms, progress=False)


def test_bad_plasticity_input():
    with pytest.raises(ValueError, match="tau_plus must be > 0"):
        STDP(tau_plus=0.0)
    with pytest.raises(ValueError, match="w_max must be > 0"):
        STDP(w_max=-1.0)
    with pytest.raises(ValueError, match="window must be"):
        STDP(window="gaussian")
    with pytest.raises(ValueError, match="mu must be given"):
        STDP(bounds="soft")
    with pytest.raises(ValueError, match="name must be one of"):
        TripletSTDP.preset("cerebellar")
    with pytest.raises(ValueError, match="tau_y must be > 0"):
        TripletSTDP(A2_plus=0, A3_plus=0, A2_minus=0, A3_minus=0, tau_y=-1.0)
    G = NeuronGroup(2)
    with pytest.raises(TypeError, match="plasticity must be a plasticity rule"):
        Synapses(G, G, plasticity="stdp")
    with pytest.raises(ValueError, match="target must be a variable of the post-synaptic group"):
        Synapses(G, G, "g_ampa", plasticity=STDP())
    S = Synapses(G, G, weight=2.0, plasticity=STDP(w_max=1.0)).connect()
    with pytest.raises(ValueError, match="initial weights must lie within"):
        Network(G, S).build()
