"""Small random networks used by several test modules.

:func:`random_network` uses every neuron preset, an equation model, every input kind, heterogeneous delays,
per-neuron parameters, and every built-in plasticity rule next to rules written as equations (per-synapse
traces, clock-driven and summed variables, regular operations); its structure is the same for every seed
(only sizes and values change), so the compiled step loop is shared by all seeds.
"""
import numpy as np

from spikesim import (Network, NeuronGroup, PoissonGroup, PopulationRateMonitor, SpikeGeneratorGroup,
                      SpikeMonitor, StateMonitor, Synapses, TimedArray, WeightMonitor)
from spikesim.plasticity import BCM, STDP, Hebb, Oja, TripletSTDP
from spikesim.plasticity.homeostasis import AdaptiveThreshold, Normalization
from spikesim.units import mV, ms, nS, pA

QIF = """dv/dt = (k*(v - El)*(v - vt) + I_ext(t, i) + I_syn)/tau : volt (unless refractory)
vt : volt (constant)
I_syn : volt/second"""


def random_network(seed, dt=0.1 * ms):
    """(net, groups, synapses, spike monitors, state monitors, rate monitors)."""
    rng = np.random.default_rng(seed)
    n = lambda: int(rng.integers(5, 20))
    n_cuba = n()
    cuba = NeuronGroup(n_cuba, "lif_cuba", refractory=rng.uniform(0.5, 3) * ms,
                       tau_m=rng.uniform(10, 30, n_cuba) * ms,
                       v=lambda r, k: r.uniform(-60, -50, k) * mV, name="cuba",
                       adaptive_threshold=AdaptiveThreshold(0.5 * mV, 50 * ms))
    coba = NeuronGroup(n(), "lif_coba", method="rk2", refractory=2 * ms,
                       v=lambda r, k: r.uniform(-60, -50, k) * mV, I=rng.uniform(0, 150) * pA, name="coba")
    izh = NeuronGroup(n(), "izhikevich", method="rk4", I=rng.uniform(5, 15) * mV, name="izh")
    adex = NeuronGroup(n(), "adex", method="rk2", I=TimedArray(rng.uniform(0.5e-9, 1.3e-9, 7), dt=1 * ms),
                       refractory=1 * ms, name="adex")
    hh = NeuronGroup(n(), "hh", v=lambda r, k: r.uniform(-70, -60, k) * mV, name="hh")
    n_if = n()
    ifs = NeuronGroup(n_if, "if_subtract", I=rng.uniform(0, 0.2, n_if), name="ifs")
    pool = NeuronGroup(3, "maxpool", name="pool")
    n_q = n()
    qif = NeuronGroup(n_q, QIF, threshold="v > -40*mV", reset="v = -65*mV", refractory="2*ms",
                      k=0.04e3 / ms, El=-65 * mV, vt=rng.uniform(-52, -48, n_q) * mV, tau=1.0,
                      I_ext=TimedArray(rng.uniform(0, 0.4, (5, n_q)) * mV / ms, dt=2 * ms), v=-65 * mV, name="qif")
    n_poi = n()
    poi = PoissonGroup(n_poi, rates=rng.uniform(20, 200, n_poi), name="poisson")
    k = 30
    gen = SpikeGeneratorGroup(4, rng.integers(0, 4, k), np.sort(rng.choice(200, k, replace=False)) * 0.1 * ms,
                              name="gen")
    groups = [cuba, coba, izh, adex, hh, ifs, pool, qif, poi, gen]
    stdp = STDP(A_plus=0.2 * mV, A_minus=-0.21 * mV, w_max=3 * mV)
    syns = [
        Synapses(poi, cuba, "ge", weight=lambda r, m: r.uniform(0, 2, m) * mV, plasticity=stdp,
                 delay=lambda r, m: r.uniform(0, 2, m) * ms, name="stdp").connect(p=0.5),
        Synapses(cuba, cuba, "gi", weight=lambda r, m: -r.uniform(0, 2, m) * mV).connect(p=0.3),
        Synapses(gen, coba, "ge", weight=5 * nS, delay=1 * ms,
                 plasticity=STDP(A_plus=1 * nS, A_minus=-1 * nS, w_max=10 * nS, pairing="nearest",
                                 bounds="soft", mu=0.5), name="nearest").connect(),
        Synapses(cuba, coba, "gi", weight=2 * nS, delay=lambda r, m: r.uniform(0, 3, m) * ms,
                 plasticity=STDP(A_plus=0.5 * nS, A_minus=-0.5 * nS, w_max=5 * nS, window="rectangular"),
                 name="rect").connect(in_degree=3),
        Synapses(poi, izh, "v", weight=3 * mV, plasticity=TripletSTDP.preset("visual_all_to_all", w_max=6 * mV),
                 name="triplet").connect(p=0.4),
        Synapses(coba, adex, "v", weight=2 * mV, delay=0.5 * ms,
                 plasticity=Hebb(eta=1e-6, decay=0.1, w_max=4 * mV), name="hebb").connect(p=0.5),
        Synapses(izh, cuba, "ge", weight=1 * mV, plasticity=BCM(eta=1e-7, w_max=2 * mV),
                 name="bcm").connect(i=rng.integers(0, izh.N, 20), j=rng.integers(0, cuba.N, 20)),
        Synapses(poi, ifs, "v", weight=0.3, plasticity=Oja(eta=1e-4, w_max=1.0), name="oja").connect(p=0.5),
        Synapses(ifs, pool, "c0", weight=1.0).connect(i=np.arange(min(3, n_if)), j=np.arange(min(3, n_if))),
        Synapses(poi, qif, """w : volt
                 dApre/dt = -Apre/taupre : volt (event-driven)
                 dApost/dt = -Apost/taupost : volt (event-driven)
                 dg/dt = -g/taug : 1 (clock-driven)""",
                 on_pre="v_post += w*(1 + 0.1*g)\nApre += dA\nw = clip(w + Apost, 0*mV, wmax)\ng += 1",
                 on_post="Apost -= dA\nw = clip(w + Apre, 0*mV, wmax)",
                 w=lambda r, m: r.uniform(0, 2, m) * mV, taupre=20 * ms, taupost=25 * ms, taug=5 * ms,
                 dA=0.1 * mV, wmax=3 * mV, delay=lambda r, m: r.uniform(0, 1, m) * ms, name="eqrule").connect(p=0.4),
        Synapses(hh, qif, "dg/dt = -g/(3*ms) : 1 (clock-driven)\nI_syn_post = g*wg : volt/second (summed)",
                 on_pre="g += 1", wg=0.05 * mV / ms, name="summed").connect(p=0.5),
    ]
    norm = Normalization(syns[5], total=4 * mV, interval=5 * ms)
    mons = [SpikeMonitor(g) for g in groups]
    states = [StateMonitor(cuba, ("v", "ge", "gi", "theta"), record=[0, 2]), StateMonitor(adex, ("v", "w"), every=3),
              StateMonitor(coba, "v", record=True), StateMonitor(qif, "v", record=[0]),
              StateMonitor(hh, ("v", "m"), record=[1])]
    rates = [PopulationRateMonitor(cuba), PopulationRateMonitor(poi)]
    weights = [WeightMonitor(syns[0], every=7), WeightMonitor(syns[9], times=[0.0, 10 * ms])]
    net = Network(*groups, *syns, norm, *mons, *states, *rates, *weights, dt=dt, seed=seed)
    return net, groups, syns, mons, states, rates
