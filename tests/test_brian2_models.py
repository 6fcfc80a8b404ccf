"""Models written only as equations, against Brian2 scripts written by hand (not the exporter).

Each test builds a network in spikesim, then the same network in Brian2 from its own equations (with
spikesim's connectivity, initial values and input spikes, so that any difference comes from the
simulators), and requires identical spike trains.  Brian2's numpy target; short runs.
"""
import numpy as np
import pytest

from spikesim import (Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses,
                      TimedArray)
from spikesim.units import mV, ms, nS

pytestmark = pytest.mark.brian2
b2 = pytest.importorskip("brian2")


def _brian2(dt=0.1 * ms):
    import sys
    hook = sys.excepthook
    import brian2
    sys.excepthook = hook
    brian2.start_scope()
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = dt * brian2.second
    return brian2


def _steps(t, dt):
    return np.round(np.asarray(t) / dt).astype(np.int64)


def _same_trains(i1, t1, i2, t2, dt):
    a = np.lexsort((np.asarray(i1), _steps(t1, dt)))
    b = np.lexsort((np.asarray(i2), _steps(t2, dt)))
    np.testing.assert_array_equal(np.asarray(i1)[a], np.asarray(i2)[b])
    np.testing.assert_array_equal(_steps(t1, dt)[a], _steps(t2, dt)[b])


COBAHH = """
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
         g_na*(m*m*m)*h*(v-ENa)-
         g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/
         (exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/
        (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/
         (exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""


def test_cobahh_network_matches_brian2():
    """Brian2's COBAHH example (Brette et al. 2007, benchmark 3), 400 neurons, as spikesim's `hh` preset."""
    n, ne, p = 400, 320, 0.05
    B = _brian2()
    area = 20000 * B.umetre ** 2
    ns = dict(Cm=(1 * B.ufarad * B.cm ** -2) * area, gl=(5e-5 * B.siemens * B.cm ** -2) * area, El=-60 * B.mV,
              EK=-90 * B.mV, ENa=50 * B.mV, g_na=(100 * B.msiemens * B.cm ** -2) * area,
              g_kd=(30 * B.msiemens * B.cm ** -2) * area, VT=-63 * B.mV, taue=5 * B.ms, taui=10 * B.ms,
              Ee=0 * B.mV, Ei=-80 * B.mV)
    si = {k: float(v) for k, v in ns.items()}          # the same numbers, SI floats
    P = NeuronGroup(n, "hh", v=lambda r, k: -60 * mV + (r.standard_normal(k) * 5 - 5) * mV,
                    ge=lambda r, k: (r.standard_normal(k) * 1.5 + 4) * 10 * nS,
                    gi=lambda r, k: (r.standard_normal(k) * 12 + 20) * 10 * nS, name="P", **si)
    Ce = Synapses(P, P, "w : siemens", on_pre="ge += w", w=6 * nS).connect(p=p, pre=slice(0, ne))
    Ci = Synapses(P, P, "w : siemens", on_pre="gi += w", w=67 * nS).connect(p=p, pre=slice(ne, n))
    M = SpikeMonitor(P)
    net = Network(P, Ce, Ci, M, seed=3)
    net.build()
    v0, ge0, gi0 = P.v.copy(), P.ge.copy(), P.gi.copy()
    net.run(100 * ms, progress=False)
    Q = B.NeuronGroup(n, COBAHH, threshold="v>-20*mV", refractory=3 * B.ms, method="exponential_euler",
                      namespace=ns)
    Qe = B.Synapses(Q, Q, on_pre="ge+=6*nS")
    Qi = B.Synapses(Q, Q, on_pre="gi+=67*nS")
    Qe.connect(i=Ce.i, j=Ce.j)
    Qi.connect(i=Ci.i, j=Ci.j)
    Q.v, Q.ge, Q.gi = v0 * B.volt, ge0 * B.siemens, gi0 * B.siemens
    MB = B.SpikeMonitor(Q)
    B.Network(Q, Qe, Qi, MB).run(100 * B.ms)
    assert M.num_spikes > 50
    _same_trains(M.i, M.t, MB.i[:], MB.t[:] / B.second, 0.1 * ms)


def test_quadratic_if_network_matches_brian2():
    """A quadratic integrate-and-fire network (Izhikevich 2007's form) with Poisson input and delta synapses."""
    eqs = """dv/dt = (k*(v - vr)*(v - vt) - u + I)/C : volt (unless refractory)
             du/dt = a*(b*(v - vr) - u) : amp"""
    # 0.7 nS/mV (siemens per volt), 100 pF, 0.03/ms, -2 nS, 50 pA in SI
    vals = dict(k=0.7e-9 / 1e-3, vr=-60 * mV, vt=-40 * mV, C=100e-12, a=0.03 / ms, b=-2e-9, I=50e-12)
    G = NeuronGroup(50, eqs, threshold="v > 35*mV", reset="v = -50*mV; u += 100e-12*amp", refractory=1 * ms,
                    v=lambda r, n: r.uniform(-65, -55, n) * mV, name="G", **vals)
    inp = PoissonGroup(40, rates=200.0, name="inp")
    S1 = Synapses(inp, G, "w : volt", on_pre="v_post += w", w=lambda r, n: r.uniform(1, 4, n) * mV).connect(p=0.3)
    S2 = Synapses(G, G, "w : volt", on_pre="v_post += w", w=-2 * mV, delay=1 * ms).connect(p=0.1)
    M, Mi = SpikeMonitor(G), SpikeMonitor(inp)
    net = Network(inp, G, S1, S2, M, Mi, seed=7)
    net.build()
    v0 = G.v.copy()
    net.run(200 * ms, progress=False)
    B = _brian2()
    src = B.SpikeGeneratorGroup(40, Mi.i, Mi.t * B.second)
    Q = B.NeuronGroup(50, eqs, threshold="v > 35*mV", reset="v = -50*mV; u += 100e-12*amp", refractory=1 * B.ms,
                      method="euler", namespace=dict(k=vals["k"] * B.siemens / B.volt, vr=-60 * B.mV,
                                                     vt=-40 * B.mV, C=100 * B.pF, a=0.03 / B.ms, b=-2 * B.nS,
                                                     I=50 * B.pA))
    Q.v = v0 * B.volt
    T1 = B.Synapses(src, Q, "w : volt", on_pre="v_post += w")
    T1.connect(i=S1.i, j=S1.j)
    T1.w = S1.w * B.volt
    T2 = B.Synapses(Q, Q, "w : volt", on_pre="v_post += w", delay=1 * B.ms)
    T2.connect(i=S2.i, j=S2.j)
    T2.w = S2.w * B.volt
    MB = B.SpikeMonitor(Q)
    B.Network(src, Q, T1, T2, MB).run(200 * B.ms)
    assert M.num_spikes > 20
    _same_trains(M.i, M.t, MB.i[:], MB.t[:] / B.second, 0.1 * ms)


def test_izhikevich_rk4_with_time_varying_input_matches_brian2():
    """RK4 reads a TimedArray at each stage's own time (t, t + dt/2, t + dt), as Brian2 does."""
    drive = np.concatenate([np.zeros(20), np.linspace(0, 15, 40), np.full(40, 12.0)]) * mV
    I = TimedArray(drive, dt=1.05 * ms)          # samples change between steps: stage times matter
    G = NeuronGroup(5, "izhikevich", method="rk4", I=I, a=[0.02 / ms, 0.02 / ms, 0.1 / ms, 0.02 / ms, 0.02 / ms],
                    d=[8 * mV, 2 * mV, 2 * mV, 6 * mV, 4 * mV], name="izh")
    M = SpikeMonitor(G)
    V = StateMonitor(G, "v", record=True, every=10)
    Network(G, M, V, seed=1).run(100 * ms, progress=False)
    B = _brian2()
    eqs = """dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + I(t))/ms : volt (unless refractory)
             du/dt = a*(b*v - u) : volt
             a : Hz
             d : volt"""
    Q = B.NeuronGroup(5, eqs, threshold="v > 30*mV", reset="v = c; u += d", method="rk4", refractory=0 * B.ms,
                      namespace=dict(I=B.TimedArray(drive * B.volt, dt=1.05 * B.ms), b=0.2, c=-65 * B.mV))
    Q.a = G.a * B.Hz
    Q.d = G.d * B.volt
    Q.v = -65 * B.mV
    Q.u = 0.2 * -65 * B.mV
    MB = B.SpikeMonitor(Q)
    VB = B.StateMonitor(Q, "v", record=True, dt=1 * B.ms)
    B.Network(Q, MB, VB).run(100 * B.ms)
    assert M.num_spikes > 5
    _same_trains(M.i, M.t, MB.i[:], MB.t[:] / B.second, 0.1 * ms)
    np.testing.assert_allclose(V.v, VB.v_[:], rtol=1e-9, atol=1e-12)


def test_delta_synapse_input_during_refractoriness_is_dropped_as_in_brian2():
    """Inputs onto an (unless refractory) variable arriving while the neuron is refractory have no effect."""
    eqs = "dv/dt = (El - v)/tau : volt (unless refractory)"
    drive_t = np.arange(1, 60, 1.0) * ms                 # strong kicks every ms: many land in refractory periods
    src = SpikeGeneratorGroup(1, np.zeros(drive_t.size, int), drive_t, name="src")
    G = NeuronGroup(3, eqs, threshold="v > -50*mV", reset="v = -65*mV", refractory=[2 * ms, 3.5 * ms, 5 * ms],
                    El=-70 * mV, tau=10 * ms, v=-70 * mV, name="G")
    S = Synapses(src, G, "w : volt", on_pre="v_post += w", w=[9 * mV, 12 * mV, 25 * mV]).connect(i=[0, 0, 0],
                                                                                               j=[0, 1, 2])
    M = SpikeMonitor(G)
    V = StateMonitor(G, "v", record=True)
    Network(src, G, S, M, V).run(60 * ms, progress=False)
    # during refractoriness v stays at the reset value although kicks arrive
    first = M.t[M.i == 2][0]
    k0 = int(round(first / (0.1 * ms)))
    assert np.all(V.v[2, k0 + 1:k0 + 50] == -65 * mV)
    B = _brian2()
    gen = B.SpikeGeneratorGroup(1, np.zeros(drive_t.size, int), drive_t * B.second)
    Q = B.NeuronGroup(3, eqs + "\nref : second (constant)", threshold="v > -50*mV", reset="v = -65*mV",
                      refractory="ref", method="exact", namespace=dict(El=-70 * B.mV, tau=10 * B.ms))
    Q.ref = [2, 3.5, 5] * B.ms
    Q.v = -70 * B.mV
    T = B.Synapses(gen, Q, "w : volt", on_pre="v_post += w")
    T.connect(i=[0, 0, 0], j=[0, 1, 2])
    T.w = [9, 12, 25] * B.mV
    MB = B.SpikeMonitor(Q)
    VB = B.StateMonitor(Q, "v", record=True)
    B.Network(gen, Q, T, MB, VB).run(60 * B.ms)
    assert M.num_spikes > 10
    _same_trains(M.i, M.t, MB.i[:], MB.t[:] / B.second, 0.1 * ms)
    np.testing.assert_array_equal(V.v, VB.v_[:])
