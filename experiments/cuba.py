"""CUBA: the current-based random network of Vogels & Abbott (2005).

Vogels TP, Abbott LF (2005) Signal propagation and logic gating in networks
of integrate-and-fire neurons. J Neurosci 25:10786-10795; in the form of
Brian2's ``examples/CUBA.py`` (benchmark 2 of Brette et al. 2007).

4000 leaky integrate-and-fire neurons, 80 % excitatory, each pair connected
with probability 0.02 (80 inputs per neuron); exponential current synapses,
exact integration, dt = 0.1 ms.  El = -49 mV sits above threshold, so every
neuron fires on its own and recurrent inhibition shapes the activity.
``--n`` scales the network keeping 80 inputs per neuron (p = 80/n);
``--we`` and ``--wi`` set the synaptic weights (swept in docs/sweeps.md),
and the summary adds the spike-count synchrony ``synchrony_chi``.
"""
import numpy as np

from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses
from spikesim.argtypes import finite_float, positive_int
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import mV, ms

TAU_M, TAU_E, TAU_I = 20 * ms, 5 * ms, 10 * ms
V_T, V_R, E_L = -50 * mV, -60 * mV, -49 * mV
REFRACTORY = 5 * ms
W_E = (60 * 0.27 / 10) * mV     # excitatory synaptic weight (voltage)
W_I = (-20 * 4.5 / 10) * mV     # inhibitory synaptic weight
IN_DEGREE = 80                  # p = 0.02 at n = 4000
SYNCHRONY_BIN = 5 * ms          # spike counts for synchrony_chi


def build(n=4000, seed=1, stdp=None, we=W_E, wi=W_I):
    """The CUBA network: (net, P, spike monitor); P[:0.8 n] excitatory."""
    P = NeuronGroup(n, "lif_cuba", El=E_L, tau_m=TAU_M, tau_e=TAU_E, tau_i=TAU_I, v_th=V_T, v_reset=V_R,
                    refractory=REFRACTORY, v=lambda rng, k: V_R + rng.random(k) * (V_T - V_R), name="P")
    ne = int(0.8 * n)
    p = min(1.0, IN_DEGREE / n)
    Ce = Synapses(P, P, "ge", weight=we, name="Ce").connect(p=p, pre=slice(0, ne))
    Ci = Synapses(P, P, "gi", weight=wi, name="Ci").connect(p=p, pre=slice(ne, n))
    M = SpikeMonitor(P)
    return Network(P, Ce, Ci, M, dt=0.1 * ms, seed=seed), P, M


def synchrony_chi(i, t, n, duration, bin_s=SYNCHRONY_BIN):
    """Spike-count synchrony: chi^2 = var(population-mean count) / mean over neurons of var(count).

    Golomb's chi (Scholarpedia 2(1):1347, 2007) on spike counts in bins of ``bin_s``: 1 when every neuron
    fires in the same bins, about 1/sqrt(n) for independent neurons.
    """
    nb = max(int(round(duration / bin_s)), 1)
    k = np.minimum((np.asarray(t) / bin_s).astype(np.int64), nb - 1)
    keys, c = np.unique(np.asarray(i, np.int64) * nb + k, return_counts=True)
    mean = np.bincount(i, minlength=n) / nb
    var_each = np.bincount(keys // nb, weights=c.astype(float) ** 2, minlength=n) / nb - mean ** 2
    var_pop = (np.bincount(k, minlength=nb) / n).var()
    return float(np.sqrt(var_pop / var_each.mean())) if var_each.mean() > 0 else 0.0


def main(argv=None):
    parser = experiment_parser("cuba", __doc__.splitlines()[0])
    parser.add_argument("--n", type=positive_int, default=4000, help="number of neurons (default 4000)")
    parser.add_argument("--we", type=finite_float, default=W_E / mV, help=f"excitatory weight in mV (default {W_E / mV:g})")
    parser.add_argument("--wi", type=finite_float, default=W_I / mV, help=f"inhibitory weight in mV (default {W_I / mV:g})")
    args = parser.parse_args(argv)
    net, P, M = build(args.n, args.seed, we=args.we * mV, wi=args.wi * mV)   # the defaults round-trip exactly
    net.build()
    wall = timed_run(net, args.duration, args)
    extra = dict(we_mV=args.we, wi_mV=args.wi, synchrony_chi=synchrony_chi(M.i, M.t, args.n, net.t))
    return finish("cuba", net, [M], args, wall, extra=extra)


if __name__ == "__main__":
    main()
