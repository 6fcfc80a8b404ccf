"""COBAHH: benchmark 3 of Brette et al. (2007), Hodgkin-Huxley neurons with conductance synapses.

Brette R, Rudolph M, Carnevale T, et al. (2007) Simulation of networks of
spiking neurons: a review of tools and strategies. J Comput Neurosci
23:349-398 (benchmark 3); the network of Brian2's ``examples/COBAHH.py``.

4000 Hodgkin-Huxley neurons with Traub & Miles (1991) kinetics (the ``hh``
preset; 80 % excitatory), connection probability 0.02.  Membrane: area
20,000 um^2, Cm = 1 uF/cm^2, gL = 5e-5 S/cm^2, El = -60 mV, gNa = 100 mS/cm^2,
gK = 30 mS/cm^2, ENa = 50 mV, EK = -90 mV, VT = -63 mV; a spike is counted
when v crosses -20 mV, then 3 ms refractory (no reset).  Synapses:
exponential conductances, tau_e = 5 ms, tau_i = 10 ms, Ee = 0 mV,
Ei = -80 mV, increments 6 nS (excitatory) and 67 nS (inhibitory).  Initial
state as in Brian2's example: v ~ El + N(-5, 5) mV, ge ~ N(40, 15) nS,
gi ~ N(200, 120) nS.  Exponential Euler, dt = 0.1 ms.
"""
from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses
from spikesim.runner import network_experiment_main
from spikesim.units import mV, ms, nS

W_E, W_I = 6 * nS, 67 * nS
P_CONNECT = 0.02


def build(n=4000, seed=1):
    """The COBAHH network of ``n`` neurons: (net, P, spike monitor)."""
    P = NeuronGroup(n, "hh", v=lambda rng, k: -60 * mV + (rng.standard_normal(k) * 5 - 5) * mV,
                    ge=lambda rng, k: (rng.standard_normal(k) * 1.5 + 4) * 10 * nS,
                    gi=lambda rng, k: (rng.standard_normal(k) * 12 + 20) * 10 * nS, name="P")
    ne = int(0.8 * n)
    Ce = Synapses(P, P, "ge", weight=W_E, name="Ce").connect(p=P_CONNECT, pre=slice(0, ne))
    Ci = Synapses(P, P, "gi", weight=W_I, name="Ci").connect(p=P_CONNECT, pre=slice(ne, n))
    M = SpikeMonitor(P)
    return Network(P, Ce, Ci, M, dt=0.1 * ms, seed=seed), P, M


def main(argv=None):
    return network_experiment_main("cobahh", __doc__, build, argv)


if __name__ == "__main__":
    main()
