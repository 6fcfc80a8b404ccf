"""Song, Miller & Abbott (2000): competitive Hebbian learning through STDP.

Song S, Miller KD, Abbott LF (2000) Competitive Hebbian learning through
spike-timing-dependent synaptic plasticity. Nat Neurosci 3:919-926; in the
form of Brian2's ``examples/synapses/STDP.py``.

1000 Poisson inputs at 15 Hz drive one conductance-based integrate-and-fire
neuron (tau_m = 10 ms, El = -74 mV, threshold -54 mV, reset -60 mV,
excitatory reversal 0 mV, tau_e = 5 ms; conductances in units of the leak
conductance).  Every input synapse follows additive STDP with hard bounds
[0, g_max], g_max = 0.01, A+ = 0.01 g_max, A- = -1.05 A+ (tau+ = tau- =
20 ms), all-to-all pairing; initial weights uniform in [0, g_max].  Over
100 s the weight distribution turns bimodal and the output rate settles.
``--rate`` and ``--a-minus-ratio`` (|A-| tau- / (A+ tau+), 1.05 in the
paper) are the two parameters swept in docs/sweeps.md.
"""
import numpy as np

from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, WeightMonitor
from spikesim.plasticity import STDP
from spikesim.argtypes import nonnegative_float, positive_float, positive_int
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import Hz, mV, ms, second

N_INPUTS = 1000
RATE = 15 * Hz
TAU_M, TAU_E = 10 * ms, 5 * ms
E_L, E_E = -74 * mV, 0 * mV
V_T, V_R = -54 * mV, -60 * mV
TAU_PRE = TAU_POST = 20 * ms
G_MAX = 0.01
A_PRE = 0.01 * G_MAX
A_MINUS_RATIO = 1.05            # |A-| tau- / (A+ tau+): depression slightly stronger than potentiation
A_POST = -A_PRE * TAU_PRE / TAU_POST * A_MINUS_RATIO


def build(n_inputs=N_INPUTS, rate=RATE, seed=1, snapshot_times=(), a_minus_ratio=A_MINUS_RATIO):
    """(net, inputs, neuron, synapses, post spike monitor, weight monitor or None)."""
    inputs = PoissonGroup(n_inputs, rates=rate, name="inputs")
    # gl = 1 and Cm = tau_m: conductances are in units of the leak conductance, as in Brian2's example
    neuron = NeuronGroup(1, "lif_coba", El=E_L, Ee=E_E, gl=1.0, Cm=TAU_M, tau_e=TAU_E, v_th=V_T, v_reset=V_R,
                         method="euler", v=0.0, name="neuron")
    a_minus = -A_PRE * TAU_PRE / TAU_POST * a_minus_ratio     # = A_POST at the default ratio, bit for bit
    rule = STDP(A_plus=A_PRE, A_minus=a_minus, tau_plus=TAU_PRE, tau_minus=TAU_POST, w_max=G_MAX)
    S = Synapses(inputs, neuron, "ge", weight=lambda rng, n: rng.random(n) * G_MAX, plasticity=rule,
                 name="stdp").connect()
    M = SpikeMonitor(neuron)
    objs = [inputs, neuron, S, M]
    W = None
    if len(snapshot_times):
        W = WeightMonitor(S, times=snapshot_times)
        objs.append(W)
    return Network(*objs, dt=0.1 * ms, seed=seed), inputs, neuron, S, M, W


def weight_summary(w, post_spike_t, duration):
    x = w / G_MAX
    return dict(frac_below_0_1_wmax=float(np.mean(x < 0.1)), frac_above_0_9_wmax=float(np.mean(x > 0.9)),
                mean_w_over_wmax=float(x.mean()), post_rate_hz=float(post_spike_t.size / duration))


def main(argv=None):
    parser = experiment_parser("song2000", __doc__.splitlines()[0], duration=100.0)
    parser.add_argument("--n-inputs", type=positive_int, default=N_INPUTS, help=f"Poisson inputs (default {N_INPUTS})")
    parser.add_argument("--rate", type=nonnegative_float, default=RATE, help="input rate in Hz, >= 0 (default 15)")
    parser.add_argument("--a-minus-ratio", type=positive_float, default=A_MINUS_RATIO,
                        help=f"|A-| tau- / (A+ tau+), depression over potentiation (default {A_MINUS_RATIO})")
    args = parser.parse_args(argv)
    snaps = np.linspace(0, args.duration, 6)[:-1]   # the final weights are added after the run
    net, inputs, neuron, S, M, W = build(args.n_inputs, args.rate, args.seed, snapshot_times=snaps,
                                         a_minus_ratio=args.a_minus_ratio)
    net.build()
    w0 = S.w
    wall = timed_run(net, args.duration * second, args)
    ws = weight_summary(S.w, M.t, args.duration)
    extra = {"frac_below_0.1_wmax": ws["frac_below_0_1_wmax"], "frac_above_0.9_wmax": ws["frac_above_0_9_wmax"],
             "mean_w_over_wmax": ws["mean_w_over_wmax"], "post_rate_hz": ws["post_rate_hz"],
             "n_inputs": args.n_inputs, "input_rate_hz": args.rate, "a_minus_ratio": args.a_minus_ratio,
             "g_max": G_MAX}
    summary = finish("song2000", net, [M], args, wall, extra=extra)
    np.savez(args.out / "weights.npz", w_initial=w0, w_final=S.w, snapshot_t=W.t, snapshots=W.w)
    _figure(S.w, w0, W, M, args.duration, args.out / "song2000.png")
    return summary


def _figure(w, w0, W, M, duration, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    with lecture_style():
        fig = Figure(figsize=(15, 4.5))
        a, b, c = fig.subplots(1, 3)
        a.plot(w0 / G_MAX, ".", ms=3, color="0.7", label="initial")
        a.plot(w / G_MAX, ".", ms=3, color="#0072B2", label="final")
        a.set_xlabel("input index")
        a.set_ylabel("w / g_max")
        a.legend(loc="center right", markerscale=4)
        bins = np.linspace(0, 1, 21)
        for t, snap in list(zip(W.t, W.w.T)) + [(duration, w)]:
            b.hist(snap / G_MAX, bins=bins, histtype="step", lw=2, label=f"{t:g} s")
        b.set_xlabel("w / g_max")
        b.set_ylabel("synapses")
        b.legend(fontsize=10)
        edges = np.arange(0, duration + 1e-9, max(duration / 100, 0.1))
        counts, _ = np.histogram(M.t, edges)
        c.plot(edges[:-1], counts / np.diff(edges), color="#D55E00")
        c.set_xlabel("time (s)")
        c.set_ylabel("output rate (Hz)")
        savefig(fig, path)


if __name__ == "__main__":
    main()
