"""CUBA: the current-based random network of Vogels & Abbott (2005).

Vogels TP, Abbott LF (2005) Signal propagation and logic gating in networks
of integrate-and-fire neurons. J Neurosci 25:10786-10795; in the form of
Brian2's ``examples/CUBA.py`` (benchmark 2 of Brette et al. 2007).

4000 leaky integrate-and-fire neurons, 80 % excitatory, each pair connected
with probability 0.02 (80 inputs per neuron); exponential current synapses,
exact integration, dt = 0.1 ms.  El = -49 mV sits above threshold, so every
neuron fires on its own and recurrent inhibition shapes the activity.
``--n`` scales the network keeping 80 inputs per neuron (p = 80/n).
"""
from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses
from spikesim.runner import network_experiment_main
from spikesim.units import mV, ms

TAU_M, TAU_E, TAU_I = 20 * ms, 5 * ms, 10 * ms
V_T, V_R, E_L = -50 * mV, -60 * mV, -49 * mV
REFRACTORY = 5 * ms
W_E = (60 * 0.27 / 10) * mV     # excitatory synaptic weight (voltage)
W_I = (-20 * 4.5 / 10) * mV     # inhibitory synaptic weight
IN_DEGREE = 80                  # p = 0.02 at n = 4000


def build(n=4000, seed=1, stdp=None):
    """The CUBA network: (net, P, spike monitor); P[:0.8 n] excitatory."""
    P = NeuronGroup(n, "lif_cuba", El=E_L, tau_m=TAU_M, tau_e=TAU_E, tau_i=TAU_I, v_th=V_T, v_reset=V_R,
                    refractory=REFRACTORY, v=lambda rng, k: V_R + rng.random(k) * (V_T - V_R), name="P")
    ne = int(0.8 * n)
    p = min(1.0, IN_DEGREE / n)
    Ce = Synapses(P, P, "ge", weight=W_E, name="Ce").connect(p=p, pre=slice(0, ne))
    Ci = Synapses(P, P, "gi", weight=W_I, name="Ci").connect(p=p, pre=slice(ne, n))
    M = SpikeMonitor(P)
    return Network(P, Ce, Ci, M, dt=0.1 * ms, seed=seed), P, M


def main(argv=None):
    return network_experiment_main("cuba", __doc__, build, argv)


if __name__ == "__main__":
    main()
