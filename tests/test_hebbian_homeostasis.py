"""Rate-based Hebbian rules, adaptive thresholds and weight normalisation."""
import math

import numpy as np
import pytest

from spikesim import Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from spikesim.plasticity import BCM, Hebb, Oja
from spikesim.plasticity.homeostasis import AdaptiveThreshold, Normalization
from spikesim.units import mV, ms

DT = 0.1 * ms


def _forced(pre_times, post_times, rule, w0, duration):
    """Pre spikes (one generator per synapse) onto one post neuron forced to fire at post_times."""
    n_pre = len(pre_times)
    idx = np.concatenate([np.full(len(t), k) for k, t in enumerate(pre_times)])
    pre = SpikeGeneratorGroup(n_pre, idx, np.concatenate(pre_times))
    drv = SpikeGeneratorGroup(1, np.zeros(len(post_times), int), np.asarray(post_times) - DT)
    post = NeuronGroup(1, "dv/dt = (El - v)/tau_m : volt\nge : volt", threshold="v > v_th", reset="v = El",
                       El=-70 * mV, tau_m=20 * ms, v_th=-50 * mV, v=-70 * mV)
    S = Synapses(pre, post, "ge", weight=w0, plasticity=rule).connect()
    D = Synapses(drv, post, "v", weight=100 * mV).connect()
    M = SpikeMonitor(post)
    Network(pre, drv, post, S, D, M, dt=DT).run(duration, progress=False)
    np.testing.assert_allclose(M.t, post_times, atol=1e-12)
    return S.w


def _trace(spikes, t, tau):
    s = np.asarray(spikes)
    s = s[s <= t + 1e-12]
    return np.exp(-(t - s) / tau).sum() / tau


@pytest.mark.parametrize("rule_cls", [Hebb, Oja, BCM])
def test_rate_rules_follow_their_equations(rule_cls):
    """Weights after the run equal an explicit Euler integration of dw/dt with the closed-form traces."""
    pre = [np.arange(5, 300, 25) * ms, np.arange(7, 300, 10) * ms, np.array([]) * ms]
    post = np.arange(11, 300, 20) * ms
    kw = dict(eta=2e-5, tau_pre=40 * ms, tau_post=60 * ms, interval=1 * ms, w_min=-1.0, w_max=1.0)
    if rule_cls is Hebb:
        rule = Hebb(decay=0.5, **kw)
    elif rule_cls is BCM:
        rule = BCM(y0=20.0, tau_theta=0.1, theta0=30.0, **kw)
    else:
        rule = Oja(**kw)
    w_sim = _forced(pre, post, rule, 0.3, 300 * ms)
    w = np.full(3, 0.3)
    theta = 30.0
    h = 1 * ms
    for n in range(0, 3000, 10):           # updates at every 10th step, after that step's spikes
        t = n * DT
        x = np.array([_trace(p, t, 40 * ms) for p in pre])
        y = _trace(post, t, 60 * ms)
        if rule_cls is Hebb:
            dw = 2e-5 * x * y - 0.5 * w
        elif rule_cls is Oja:
            dw = 2e-5 * y * (x - y * w)
        else:
            dw = 2e-5 * x * y * (y - theta)
            theta += h / 0.1 * (y * y / 20.0 - theta)
        w = np.clip(w + h * dw, -1.0, 1.0)
    np.testing.assert_allclose(w_sim, w, rtol=1e-9, atol=1e-12)


def test_hebb_fire_together_wire_together():
    """Inputs that fire with the post neuron grow; silent ones decay."""
    pre = [np.arange(10, 2000, 20) * ms, np.array([]) * ms]
    post = np.arange(12, 2000, 20) * ms
    w = _forced(pre, post, Hebb(eta=1e-4, decay=0.2, w_max=1.0), 0.5, 2000 * ms)
    assert w[0] > 0.5 > w[1]


@pytest.mark.parametrize("rule", [Hebb(eta=1e-5 * mV, decay=0.3, w_max=3 * mV),
                                  Oja(eta=1e-3, w_max=3 * mV, w_min=-3 * mV),
                                  BCM(eta=1e-7 * mV, y0=5.0, tau_theta=50 * ms, w_max=3 * mV)])
def test_rate_rules_cpu_equals_reference(rule):
    def build():
        inp = PoissonGroup(25, rates=80.0)
        G = NeuronGroup(6, "lif_cuba", El=-49.5 * mV, refractory=2 * ms, v=lambda r, n: r.uniform(-60, -50, n) * mV,
                        adaptive_threshold=AdaptiveThreshold(0.5 * mV, 50 * ms))
        S = Synapses(inp, G, "ge", weight=lambda r, n: r.uniform(0, 2, n) * mV, plasticity=rule,
                     delay=lambda r, n: r.integers(0, 10, n) * DT).connect(p=0.6)
        N = Normalization(S, total=20 * mV, interval=5 * ms)
        M = SpikeMonitor(G)
        return Network(inp, G, S, N, M, seed=3), S, M, G
    a, Sa, Ma, Ga = build()
    b, Sb, Mb, Gb = build()
    a.run(60 * ms, backend="reference", progress=False)
    b.run(60 * ms, backend="cpu", progress=False)
    np.testing.assert_array_equal(Ma.step, Mb.step)
    np.testing.assert_array_equal(Ma.i, Mb.i)
    assert Ma.num_spikes > 10
    np.testing.assert_array_equal(Sa.w, Sb.w)
    np.testing.assert_array_equal(Ga.theta, Gb.theta)


def test_adaptive_threshold_closed_form(backend):
    tau, plus = 30 * ms, 2 * mV
    G = NeuronGroup(1, "lif_cuba", El=-40 * mV, v_th=-50 * mV, v_reset=-60 * mV, v=-60 * mV,
                    adaptive_threshold=AdaptiveThreshold(plus, tau))
    M = SpikeMonitor(G)
    Network(G, M, dt=DT).run(200 * ms, backend=backend, progress=False)
    isi = np.diff(M.step)
    assert isi[-1] > isi[0]                                   # adaptation slows firing
    end = 1999                      # theta decays in each later step's integration phase
    expected = sum(plus * math.exp(-DT / tau) ** (end - s) for s in M.step)
    assert G.theta[0] == pytest.approx(expected, rel=1e-12)


def test_normalization_sets_incoming_sums(backend):
    pre, post = NeuronGroup(30), NeuronGroup(7)
    S = Synapses(pre, post, "ge", weight=lambda r, n: r.uniform(0, 1, n)).connect(p=0.5)
    N = Normalization(S, total=3.0, interval=1 * ms)
    net = Network(pre, post, S, N, seed=5)
    net.run(DT, backend=backend, progress=False)            # step 0 normalises
    sums = np.bincount(S.j, weights=S.w, minlength=7)
    np.testing.assert_allclose(sums, 3.0, rtol=1e-12)
    with pytest.raises(ValueError, match="total must be > 0"):
        Normalization(S, total=0.0, interval=1 * ms)
    with pytest.raises(TypeError, match="synapses must be a Synapses"):
        Normalization(pre, total=1.0, interval=1 * ms)


def test_bad_rate_rule_input():
    with pytest.raises(ValueError, match="tau_pre must be > 0"):
        Hebb(eta=1.0, tau_pre=0.0)
    with pytest.raises(ValueError, match="decay must be >= 0"):
        Hebb(eta=1.0, decay=-1.0)
    with pytest.raises(ValueError, match="y0 must be > 0"):
        BCM(eta=1.0, y0=0.0)
    with pytest.raises(ValueError, match="tau_theta must be > 0"):
        AdaptiveThreshold(1 * mV, -1.0)
    G = NeuronGroup(2)
    S = Synapses(G, G, plasticity=Hebb(eta=1.0, interval=0.15 * ms)).connect()
    with pytest.raises(ValueError, match="interval must be a whole number of steps"):
        Network(G, S).run(1 * ms, progress=False)
