"""The rule presets of wave 2 against Brian2 scripts written by hand, and against their closed forms.

Each network runs in spikesim with the preset and in Brian2 with the rule written out by hand (the
paper's equations), from the same connectivity, weights and input spikes: identical spike trains, and
weights within 1e-9 relative (the presets keep traces once per source or target, Brian2 per synapse).
"""
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses
from spikesim.plasticity import ClopathSTDP, InhibitorySTDP, RewardSTDP, TsodyksMarkram
from spikesim.units import mV, ms, nS, pA, pF, second

pytestmark = pytest.mark.brian2
pytest.importorskip("brian2")
DT = 0.1 * ms


def _brian2():
    import sys
    hook = sys.excepthook
    import brian2
    sys.excepthook = hook
    brian2.start_scope()
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = DT * brian2.second
    return brian2


def _trains(i, t):
    st = np.round(np.asarray(t) / DT).astype(np.int64)
    o = np.lexsort((np.asarray(i), st))
    return np.asarray(i)[o], st[o]


def _same(m, mb, B):
    a, b = _trains(m.i, m.t), _trains(mb.i[:], mb.t[:] / B.second)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


# ---------------------------------------------------------------- Tsodyks-Markram
def _markram_amplitudes(U, tau_d, tau_f, times):
    """EPSC amplitudes u_n x_n from the recurrences of Tsodyks, Pawelzik & Markram (1998)."""
    u, x, out, last = 0.0, 1.0, [], None
    for t in times:
        if last is not None:
            dt_ = t - last
            x = 1 - (1 - x) * np.exp(-dt_ / tau_d)
            u = u * np.exp(-dt_ / tau_f) if tau_f else 0.0
        u = u + U * (1 - u) if tau_f else U
        r = u * x
        out.append(r)
        x -= r
        last = t
    return np.array(out)


@pytest.mark.parametrize("rule", [TsodyksMarkram.depressing(), TsodyksMarkram.facilitating()],
                         ids=["depressing", "facilitating"])
def test_tsodyks_markram_amplitudes_follow_the_recurrence(rule):
    times = np.concatenate([0.01 + np.arange(10) / 20.0, [0.01 + 9 / 20.0 + 0.5]])     # 20 Hz train, recovery spike
    src = SpikeGeneratorGroup(1, np.zeros(times.size, int), times)
    G = NeuronGroup(1, "dpsc/dt = 0*volt/second : volt", name="counter")      # sums every release (no decay)
    S = Synapses(src, G, "psc", weight=1.0 * mV, plasticity=rule).connect()
    V = StateMonitor(G, "psc")
    Network(src, G, S, V, dt=DT).run(1.1 * second, progress=False)
    k = np.round(times / DT).astype(int)
    amplitudes = V.psc[0][k + 1] - V.psc[0][k]
    np.testing.assert_allclose(amplitudes / mV, _markram_amplitudes(rule.U, rule.tau_d, rule.tau_f, times),
                               rtol=1e-9)


def test_tsodyks_markram_network_matches_brian2():
    rng = np.random.default_rng(1)
    pairs = np.unique(np.stack([rng.integers(0, 3000, 900), rng.integers(0, 10, 900)], axis=1), axis=0)
    times, idx = pairs[:, 0] * DT, pairs[:, 1]                 # one spike per neuron and step, on the grid
    src = SpikeGeneratorGroup(10, idx, times)
    G = NeuronGroup(4, "lif_cuba", El=-55 * mV, v=-60 * mV, refractory=2 * ms)
    dep = Synapses(src, G, "ge", weight=lambda r, n: r.uniform(4, 12, n) * mV,
                   plasticity=TsodyksMarkram.depressing()).connect(p=0.6)
    fac = Synapses(src, G, "ge", weight=lambda r, n: r.uniform(20, 60, n) * mV,
                   plasticity=TsodyksMarkram.facilitating()).connect(p=0.6)
    M, V = SpikeMonitor(G), StateMonitor(G, "ge", record=True)
    net = Network(src, G, dep, fac, M, V, seed=3)
    net.build()
    v0 = G.v.copy()
    net.run(0.3 * second, progress=False)
    B = _brian2()
    eqs = """dv/dt = (ge + gi - (v - El))/tau_m : volt (unless refractory)
             dge/dt = -ge/tau_e : volt
             dgi/dt = -gi/tau_i : volt"""
    Q = B.NeuronGroup(4, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=2 * B.ms, method="exact",
                      namespace=dict(El=-55 * B.mV, tau_m=20 * B.ms, tau_e=5 * B.ms, tau_i=10 * B.ms))
    Q.v = v0 * B.volt
    gen = B.SpikeGeneratorGroup(10, idx, times * B.second)
    tm = """w : volt
            dx/dt = (1 - x)/tau_d : 1 (event-driven)
            du/dt = -u/tau_f : 1 (event-driven)"""
    Bd = B.Synapses(gen, Q, "w : volt\ndx/dt = (1 - x)/tau_d : 1 (event-driven)",
                    on_pre="r = U*x\nx -= r\nge_post += w*r", namespace=dict(U=0.5, tau_d=800 * B.ms))
    Bf = B.Synapses(gen, Q, tm, on_pre="u += U*(1 - u)\nr = u*x\nx -= r\nge_post += w*r",
                    namespace=dict(U=0.03, tau_d=100 * B.ms, tau_f=1000 * B.ms))
    for T, S in ((Bd, dep), (Bf, fac)):
        T.connect(i=S.i, j=S.j)
        T.w = S.w * B.volt
        T.x = 1.0
    MB, VB = B.SpikeMonitor(Q), B.StateMonitor(Q, "ge", record=True)
    B.Network(gen, Q, Bd, Bf, MB, VB).run(0.3 * B.second)
    assert M.num_spikes > 10
    _same(M, MB, B)
    np.testing.assert_allclose(V.ge, VB.ge_[:], rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------- Vogels et al. 2011
def test_inhibitory_stdp_matches_brian2():
    exc, inh = PoissonGroup(80, rates=15.0, name="exc"), PoissonGroup(20, rates=10.0, name="inh")
    G = NeuronGroup(3, "lif_coba", El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, gl=10 * nS, Cm=200 * pF, tau_e=5 * ms,
                    tau_i=10 * ms, v_th=-50 * mV, v_reset=-60 * mV, refractory=5 * ms, v=-60 * mV, method="euler")
    Se = Synapses(exc, G, "ge", weight=3 * nS).connect(p=0.8)
    rule = InhibitorySTDP(eta=1 * nS, rho0=5.0, w_max=100 * nS)
    Si = Synapses(inh, G, "gi", weight=lambda r, n: r.uniform(1, 10, n) * nS, plasticity=rule).connect(p=0.8)
    M, Me, Mi = SpikeMonitor(G), SpikeMonitor(exc), SpikeMonitor(inh)
    net = Network(exc, inh, G, Se, Si, M, Me, Mi, seed=4)
    net.build()
    w0 = Si.w.copy()
    net.run(1 * second, progress=False)
    B = _brian2()
    eqs = """dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v))/Cm : volt (unless refractory)
             dge/dt = -ge/tau_e : siemens
             dgi/dt = -gi/tau_i : siemens"""
    Q = B.NeuronGroup(3, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * B.ms, method="euler",
                      namespace=dict(El=-60 * B.mV, Ee=0 * B.mV, Ei=-80 * B.mV, gl=10 * B.nS, Cm=200 * B.pF,
                                     tau_e=5 * B.ms, tau_i=10 * B.ms))
    Q.v = -60 * B.mV
    ge_, gi_ = (B.SpikeGeneratorGroup(80, Me.i, Me.t * B.second), B.SpikeGeneratorGroup(20, Mi.i, Mi.t * B.second))
    Te = B.Synapses(ge_, Q, on_pre="ge_post += 3*nS")
    Te.connect(i=Se.i, j=Se.j)
    Ti = B.Synapses(gi_, Q, """w : siemens
                    dApre/dt = -Apre/tau : 1 (event-driven)
                    dApost/dt = -Apost/tau : 1 (event-driven)""",
                    on_pre="Apre += 1.\nw = clip(w + (Apost - alpha)*eta, 0*nS, gmax)\ngi_post += w",
                    on_post="Apost += 1.\nw = clip(w + Apre*eta, 0*nS, gmax)",
                    namespace=dict(tau=20 * B.ms, alpha=2 * 5 * B.Hz * 20 * B.ms, eta=1 * B.nS, gmax=100 * B.nS))
    Ti.connect(i=Si.i, j=Si.j)
    Ti.w = w0 * B.siemens
    MB = B.SpikeMonitor(Q)
    B.Network(ge_, gi_, Q, Te, Ti, MB).run(1 * B.second)
    assert M.num_spikes > 10
    _same(M, MB, B)
    np.testing.assert_allclose(Si.w, Ti.w_[:], rtol=1e-9, atol=1e-20)
    assert (np.abs(Si.w - w0) > 1e-3 * w0).mean() > 0.5


# ---------------------------------------------------------------- Izhikevich 2007
LIF_DA = """dv/dt = (El - v + ge)/tau_m : volt (unless refractory)
            dge/dt = -ge/tau_e : volt
            dd/dt = -d/tau_d : 1"""


def test_reward_modulated_stdp_matches_brian2():
    inp = PoissonGroup(60, rates=30.0, name="inp")
    reward_t = np.array([0.2, 0.5, 0.8])
    rew = SpikeGeneratorGroup(1, np.zeros(3, int), reward_t, name="reward")
    G = NeuronGroup(2, LIF_DA, threshold="v > -50*mV", reset="v = -65*mV", refractory=2 * ms, El=-65 * mV,
                    tau_m=10 * ms, tau_e=3 * ms, tau_d=200 * ms, v=-65 * mV, name="G")
    rule = RewardSTDP(eta=4 * mV / second, w_max=8 * mV)
    S = Synapses(inp, G, "ge", weight=lambda r, n: r.uniform(3, 7, n) * mV, plasticity=rule).connect()
    D = Synapses(rew, G, "d", weight=0.5).connect()
    M, Mi = SpikeMonitor(G), SpikeMonitor(inp)
    net = Network(inp, rew, G, S, D, M, Mi, seed=5)
    net.build()
    w0 = S.w.copy()
    net.run(1 * second, progress=False)
    B = _brian2()
    Q = B.NeuronGroup(2, LIF_DA, threshold="v > -50*mV", reset="v = -65*mV", refractory=2 * B.ms, method="exact",
                      namespace=dict(El=-65 * B.mV, tau_m=10 * B.ms, tau_e=3 * B.ms, tau_d=200 * B.ms))
    Q.v = -65 * B.mV
    src = B.SpikeGeneratorGroup(60, Mi.i, Mi.t * B.second)
    rsrc = B.SpikeGeneratorGroup(1, np.zeros(3, int), reward_t * B.second)
    T = B.Synapses(src, Q, """w : volt
                   dc/dt = -c/tau_c : 1 (clock-driven)
                   dApre/dt = -Apre/tau_plus : 1 (event-driven)
                   dApost/dt = -Apost/tau_minus : 1 (event-driven)""",
                   on_pre="ge_post += w\nApre += A_plus\nc += Apost", on_post="Apost += A_minus\nc += Apre",
                   method="exact", namespace=dict(tau_c=1 * B.second, tau_plus=20 * B.ms, tau_minus=20 * B.ms,
                                                   A_plus=1.0, A_minus=-1.5, interval=1 * B.ms,
                                                   eta=4 * B.mV / B.second, w_max=8 * B.mV))
    T.run_regularly("w = clip(w + interval*eta*c*d_post, 0*mV, w_max)", dt=1 * B.ms, when="synapses", order=2)
    T.connect(i=S.i, j=S.j)
    T.w = w0 * B.volt
    TD = B.Synapses(rsrc, Q, on_pre="d_post += 0.5")
    TD.connect()
    MB = B.SpikeMonitor(Q)
    B.Network(src, rsrc, Q, T, TD, MB).run(1 * B.second)
    assert M.num_spikes > 10
    _same(M, MB, B)
    np.testing.assert_allclose(S.w, T.w_[:], rtol=1e-9, atol=1e-18)
    assert (np.abs(S.w - w0) > 1e-3 * w0).mean() > 0.5


# ---------------------------------------------------------------- Clopath et al. 2010
ADEX_FILTERS = """dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) - w_ad + I_syn)/C : volt (unless refractory)
                  dw_ad/dt = (a*(v - EL) - w_ad)/tau_w : amp
                  dI_syn/dt = -I_syn/tau_s : amp
                  du_minus/dt = (v - u_minus)/tau_minus : volt
                  du_plus/dt = (v - u_plus)/tau_plus : volt"""
ADEX_VALUES = dict(gL=30 * nS, EL=-70.6 * mV, DeltaT=2 * mV, VT=-50.4 * mV, C=281 * pF, a=4 * nS, tau_w=144 * ms,
                   tau_s=5 * ms, tau_minus=10 * ms, tau_plus=7 * ms)


def test_clopath_voltage_stdp_matches_brian2():
    inp = PoissonGroup(40, rates=40.0, name="inp")
    G = NeuronGroup(2, ADEX_FILTERS, threshold="v > -30*mV", reset="v = -60*mV; w_ad += 80*pA",
                    refractory=2 * ms, method="euler", v=-70.6 * mV, u_minus=-70.6 * mV, u_plus=-70.6 * mV,
                    name="G", **ADEX_VALUES)
    S = Synapses(inp, G, "I_syn", weight=lambda r, n: r.uniform(0.5, 1.5, n) * 0.3e-9,
                 plasticity=ClopathSTDP(w_max=1e-9, A_LTD=14e-5 * 1e-9 / mV,
                                        A_LTP=8e-6 * 1e-9 / (mV * mV * ms))).connect()
    M, Mi = SpikeMonitor(G), SpikeMonitor(inp)
    net = Network(inp, G, S, M, Mi, seed=6)
    net.build()
    w0 = S.w.copy()
    net.run(0.5 * second, progress=False)
    B = _brian2()
    ns = dict(gL=30 * B.nS, EL=-70.6 * B.mV, DeltaT=2 * B.mV, VT=-50.4 * B.mV, C=281 * B.pF, a=4 * B.nS,
              tau_w=144 * B.ms, tau_s=5 * B.ms, tau_minus=10 * B.ms, tau_plus=7 * B.ms)
    Q = B.NeuronGroup(2, ADEX_FILTERS, threshold="v > -30*mV", reset="v = -60*mV; w_ad += 80*pA",
                      refractory=2 * B.ms, method="euler", namespace=ns)
    Q.v = Q.u_minus = Q.u_plus = -70.6 * B.mV
    src = B.SpikeGeneratorGroup(40, Mi.i, Mi.t * B.second)
    T = B.Synapses(src, Q, "w : amp\ndxbar/dt = -xbar/tau_x : 1 (clock-driven)",
                   on_pre="I_syn_post += w\n"
                          "w = clip(w - A_LTD*(u_minus_post - theta_minus)*int(u_minus_post > theta_minus), 0*amp, "
                          "w_max)\nxbar += 1", method="exact",
                   namespace=dict(tau_x=15 * B.ms, A_LTD=14e-5 * B.nA / B.mV, theta_minus=-70.6 * B.mV,
                                  w_max=1 * B.nA, interval=DT * B.second, theta_plus=-45.3 * B.mV,
                                  A_LTP=8e-6 * B.nA / (B.mV * B.mV * B.ms)))
    T.run_regularly("w = clip(w + interval*A_LTP*xbar*(v_post - theta_plus)*int(v_post > theta_plus)"
                    "*(u_plus_post - theta_minus)*int(u_plus_post > theta_minus), 0*amp, w_max)", dt=DT * B.second,
                    when="synapses", order=2)
    T.connect(i=S.i, j=S.j)
    T.w = w0 * B.amp
    MB = B.SpikeMonitor(Q)
    B.Network(src, Q, T, MB).run(0.5 * B.second)
    assert M.num_spikes > 5
    _same(M, MB, B)
    np.testing.assert_allclose(S.w, T.w_[:], rtol=1e-9, atol=1e-24)
    moved = np.abs(S.w - w0) > 1e-3 * w0
    assert moved.mean() > 0.5 and (S.w < 1e-9).mean() > 0.5       # most weights moved, few at the bound
