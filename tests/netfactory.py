"""Small random networks used by several test modules."""
import numpy as np

from spikesim import (InjectedCurrent, Network, NeuronGroup, PoissonGroup, PopulationRateMonitor,
                      SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses)
from spikesim.units import mV, ms, nS, pA


def random_network(seed, dt=0.1 * ms):
    """Every model, every input kind, heterogeneous delays and per-neuron parameters."""
    rng = np.random.default_rng(seed)
    n = lambda: int(rng.integers(5, 25))
    n_cuba = n()
    cuba = NeuronGroup(n_cuba, "lif_cuba", refractory=rng.uniform(0, 3) * ms,
                       tau_m=rng.uniform(10, 30, n_cuba) * ms,
                       v=lambda r, k: r.uniform(-60, -50, k) * mV, name="cuba")
    coba = NeuronGroup(n(), "lif_coba", method=str(rng.choice(["euler", "rk2", "rk4"])), refractory=2 * ms,
                       v=lambda r, k: r.uniform(-60, -50, k) * mV, I=rng.uniform(0, 150) * pA, name="coba")
    izh = NeuronGroup(n(), "izhikevich", method="euler", I=rng.uniform(5, 15) * mV, name="izh")
    adex = NeuronGroup(n(), "adex", method="rk2", I=rng.uniform(0.5, 1.0) * 1e-9, refractory=1 * ms,
                       current=InjectedCurrent(rng.uniform(0, 0.3e-9, size=(7, 1)), sample_dt=1 * ms), name="adex")
    n_poi = n()
    poi = PoissonGroup(n_poi, rates=rng.uniform(20, 200, n_poi), name="poisson")
    k = 30
    gen = SpikeGeneratorGroup(4, rng.integers(0, 4, k), np.sort(rng.choice(200, k, replace=False)) * 0.1 * ms,
                              name="gen")
    groups = [cuba, coba, izh, adex, poi, gen]
    syns = [
        Synapses(poi, cuba, "ge", weight=2 * mV, delay=lambda r, m: r.uniform(0, 2, m) * ms).connect(p=0.5),
        Synapses(cuba, cuba, "gi", weight=lambda r, m: -r.uniform(0, 2, m) * mV).connect(p=0.3),
        Synapses(gen, coba, "ge", weight=5 * nS, delay=1 * ms).connect(),
        Synapses(cuba, coba, "gi", weight=2 * nS, delay=lambda r, m: r.uniform(0, 3, m) * ms).connect(in_degree=3),
        Synapses(poi, izh, "v", weight=3 * mV).connect(p=0.4),
        Synapses(coba, adex, "v", weight=2 * mV, delay=0.5 * ms).connect(p=0.5),
        Synapses(izh, cuba, "ge", weight=1 * mV).connect(i=rng.integers(0, izh.N, 20), j=rng.integers(0, cuba.N, 20)),
    ]
    mons = [SpikeMonitor(g) for g in groups]
    states = [StateMonitor(cuba, ("v", "ge", "gi"), record=[0, 2]), StateMonitor(adex, ("v", "w"), every=3),
              StateMonitor(coba, "v", record=True)]
    rates = [PopulationRateMonitor(cuba), PopulationRateMonitor(poi)]
    net = Network(*groups, *syns, *mons, *states, *rates, dt=dt, seed=seed)
    return net, groups, syns, mons, states, rates

