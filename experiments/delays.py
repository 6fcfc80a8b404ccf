"""Delays: a CUBA network with heterogeneous transmission delays and refractoriness.

The network of ``cuba.py`` (Vogels & Abbott 2005; 80 inputs per neuron,
exact integration) with every synapse's delay drawn uniformly from 1-5 ms
and a 5 ms refractory period: spikes travel through the delay ring
buffers, arrive at their own times and are summed in push order, source
index, creation order.  Used to check spike-for-spike agreement with Brian2
when delays differ from synapse to synapse.
"""
from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses
from spikesim.runner import network_experiment_main
from spikesim.units import ms

import cuba

D_MIN, D_MAX = 1 * ms, 5 * ms


def build(n=4000, seed=1):
    """(net, P, spike monitor): CUBA with delays uniform in [1, 5] ms."""
    P = NeuronGroup(n, "lif_cuba", El=cuba.E_L, tau_m=cuba.TAU_M, tau_e=cuba.TAU_E, tau_i=cuba.TAU_I,
                    v_th=cuba.V_T, v_reset=cuba.V_R, refractory=cuba.REFRACTORY,
                    v=lambda rng, k: cuba.V_R + rng.random(k) * (cuba.V_T - cuba.V_R), name="P")
    ne = int(0.8 * n)
    p = min(1.0, cuba.IN_DEGREE / n)
    delay = lambda rng, k: rng.uniform(D_MIN, D_MAX, k)
    Ce = Synapses(P, P, "ge", weight=cuba.W_E, delay=delay, name="Ce").connect(p=p, pre=slice(0, ne))
    Ci = Synapses(P, P, "gi", weight=cuba.W_I, delay=delay, name="Ci").connect(p=p, pre=slice(ne, n))
    M = SpikeMonitor(P)
    return Network(P, Ce, Ci, M, dt=0.1 * ms, seed=seed), P, M


def main(argv=None):
    return network_experiment_main("delays", __doc__, build, argv)


if __name__ == "__main__":
    main()
