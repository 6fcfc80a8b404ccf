"""COBA: benchmark 1 of Brette et al. (2007), conductance-based synapses.

Brette R, Rudolph M, Carnevale T, et al. (2007) Simulation of networks of
spiking neurons: a review of tools and strategies. J Comput Neurosci
23:349-398 (benchmark 1, after Vogels & Abbott 2005).

4000 leaky integrate-and-fire neurons (80 % excitatory), connection
probability 0.02.  Membrane: area 20,000 um^2, Cm = 1 uF/cm^2 (200 pF),
gL = 5e-5 S/cm^2 (10 nS, tau_m = 20 ms), El = -60 mV, threshold -50 mV,
reset -60 mV, refractory 5 ms.  Synapses: exponential conductances with
tau_e = 5 ms, tau_i = 10 ms, reversal Ee = 0 mV, Ei = -80 mV, increments
6 nS (excitatory) and 67 nS (inhibitory).  Initial state as in the
benchmark script of Brette (2007): v ~ N(-65, 5) mV, ge ~ N(40, 15) nS, gi ~ N(200, 120) nS.
Forward Euler, dt = 0.1 ms (Brian2's choice for these equations).
"""
from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses
from spikesim.runner import network_experiment_main
from spikesim.units import mV, ms, nS, pF

CM, GL = 200 * pF, 10 * nS
E_L, V_T, V_R = -60 * mV, -50 * mV, -60 * mV
E_E, E_I = 0 * mV, -80 * mV
TAU_E, TAU_I = 5 * ms, 10 * ms
REFRACTORY = 5 * ms
W_E, W_I = 6 * nS, 67 * nS
IN_DEGREE = 80


def build(n=4000, seed=1):
    """The COBA network: (net, P, spike monitor)."""
    P = NeuronGroup(n, "lif_coba", El=E_L, Ee=E_E, Ei=E_I, gl=GL, Cm=CM, tau_e=TAU_E, tau_i=TAU_I,
                    v_th=V_T, v_reset=V_R, refractory=REFRACTORY, method="euler",
                    v=lambda rng, k: (rng.standard_normal(k) * 5 - 65) * mV,
                    ge=lambda rng, k: (rng.standard_normal(k) * 1.5 + 4) * 10 * nS,
                    gi=lambda rng, k: (rng.standard_normal(k) * 12 + 20) * 10 * nS, name="P")
    ne = int(0.8 * n)
    p = min(1.0, IN_DEGREE / n)
    Ce = Synapses(P, P, "ge", weight=W_E, name="Ce").connect(p=p, pre=slice(0, ne))
    Ci = Synapses(P, P, "gi", weight=W_I, name="Ci").connect(p=p, pre=slice(ne, n))
    M = SpikeMonitor(P)
    return Network(P, Ce, Ci, M, dt=0.1 * ms, seed=seed), P, M


def main(argv=None):
    return network_experiment_main("coba", __doc__, build, argv)


if __name__ == "__main__":
    main()
