"""STDP window: weight change against spike timing from a pairing protocol.

Bi GQ, Poo MM (1998) Synaptic modifications in cultured hippocampal neurons:
dependence on spike timing, synaptic strength, and postsynaptic cell type.
J Neurosci 18:10464-10472; the pair-based model of Song, Miller & Abbott
(2000).  One synapse per timing: 60 pairings at 1 Hz, each a pre-synaptic
spike at t_k and a post-synaptic spike at t_k + dt, dt from -100 to +100 ms.
The post-synaptic neuron is made to fire by a strong extra input one step
before; the plastic synapse itself is too weak to matter.  The measured
change is compared with 60 x the analytic window, for the exponential
(tau = 20 ms) and the rectangular (20 ms) window.
"""

import numpy as np

from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from spikesim.plasticity import STDP
from spikesim.argtypes import positive_float
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import mV, ms, second

N_PAIRINGS = 60
PERIOD = 1 * second
W_MAX = 1e-6   # volts: a 1 uV synapse, too weak to move the post-synaptic neuron
W0 = 0.5 * W_MAX
A_PLUS = 0.005 * W_MAX
A_MINUS = -1.05 * A_PLUS
TAU = 20 * ms
DT = 0.1 * ms


def pairing_network(dts, rule, t0=0.2 * second):
    """One pre generator, one driver and one post neuron per timing in ``dts`` (seconds)."""
    k = np.arange(N_PAIRINGS)
    n = len(dts)
    t_pre = t0 + k[None, :] * PERIOD + np.where(dts < 0, -dts, 0.0)[:, None]
    t_post = t_pre + dts[:, None]
    idx = np.repeat(np.arange(n), N_PAIRINGS)
    pre = SpikeGeneratorGroup(n, idx, t_pre.ravel(), name="pre")
    driver = SpikeGeneratorGroup(n, idx, (t_post - DT).ravel(), name="driver")
    post = NeuronGroup(n, "lif_cuba", El=-70 * mV, v_reset=-70 * mV, v_th=-50 * mV, v=-70 * mV, name="post")
    S = Synapses(pre, post, "ge", weight=W0, plasticity=rule, name="plastic").connect(one_to_one=True)
    drive = Synapses(driver, post, "v", weight=100 * mV, name="drive").connect(one_to_one=True)
    Mpost, Mpre = SpikeMonitor(post), SpikeMonitor(pre)
    net = Network(pre, driver, post, S, drive, Mpre, Mpost, dt=DT, seed=0)
    duration = t0 + N_PAIRINGS * PERIOD + 0.2 * second
    return net, S, Mpre, Mpost, duration


def measure(dts, rule, backend="cpu"):
    """Weight change after the protocol for each timing; checks the post spikes landed where intended."""
    net, S, Mpre, Mpost, duration = pairing_network(dts, rule)
    net.run(duration, backend=backend, progress=False)
    counts = Mpost.count
    if not np.all(counts == N_PAIRINGS):
        raise RuntimeError(f"post-synaptic neurons fired {counts.min()}-{counts.max()} times, expected {N_PAIRINGS}")
    return S.w - W0, net, Mpre, Mpost


def main(argv=None):
    parser = experiment_parser("stdp_window", __doc__.splitlines()[0], duration=None)
    parser.add_argument("--step-ms", type=positive_float, default=2.5,
                        help="spacing of the timings, > 0 (default 2.5 ms)")
    parser.add_argument("--pairing", default="all", choices=["all", "nearest"])
    args = parser.parse_args(argv)
    dts = np.round(np.arange(-100, 100 + 1e-9, args.step_ms), 6) * ms
    results, wall, nets = {}, 0.0, None
    for window in ("exponential", "rectangular"):
        rule = STDP(A_plus=A_PLUS, A_minus=A_MINUS, tau_plus=TAU, tau_minus=TAU, w_max=W_MAX, window=window,
                    window_length=20 * ms, pairing=args.pairing)
        net, S, Mpre, Mpost, duration = pairing_network(dts, rule)
        wall += timed_run(net, duration, args)
        if not np.all(Mpost.count == N_PAIRINGS):
            raise RuntimeError(f"post-synaptic neurons fired {Mpost.count.min()}-{Mpost.count.max()} times, "
                               f"expected {N_PAIRINGS}")
        measured = S.w - W0
        analytic = N_PAIRINGS * rule.window_function(dts)
        results[window] = (measured, analytic)
        nets = (net, Mpre, Mpost)
    err = max(float(np.max(np.abs(m - a))) / W_MAX for m, a in results.values())
    extra = dict(dt_ms=(dts / ms).round(6).tolist(), pairing=args.pairing, n_pairings=N_PAIRINGS,
                 units="weight changes in units of w_max",
                 dw_measured={k: (v[0] / W_MAX).tolist() for k, v in results.items()},
                 dw_analytic={k: (v[1] / W_MAX).tolist() for k, v in results.items()}, max_abs_err=err,
                 max_rel_err=max(float(np.max(np.abs(m - a)) / np.max(np.abs(a))) for m, a in results.values()))
    net, Mpre, Mpost = nets
    summary = finish("stdp_window", net, [Mpre, Mpost], args, wall, extra=extra)
    _figure(dts, results, args.out / "stdp_window.png")
    return summary


def _figure(dts, results, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    with lecture_style():
        fig = Figure(figsize=(12, 5))
        axes = fig.subplots(1, 2, sharey=True)
        fine = np.linspace(dts.min(), dts.max(), 2001)
        for ax, (window, (measured, analytic)) in zip(axes, results.items()):
            rule = STDP(A_plus=A_PLUS, A_minus=A_MINUS, tau_plus=TAU, tau_minus=TAU, w_max=W_MAX, window=window)
            ax.plot(fine / ms, N_PAIRINGS * rule.window_function(fine) / W_MAX, color="0.6", lw=3,
                    label="analytic")
            ax.plot(dts / ms, measured / W_MAX, "o", ms=5, color="#0072B2", label="simulated")
            ax.axhline(0, color="k", lw=0.8)
            ax.axvline(0, color="k", lw=0.8)
            ax.set_title(f"{window} window")
            ax.set_xlabel("t_post - t_pre (ms)")
        axes[0].set_ylabel("weight change / w_max")
        axes[0].legend(loc="upper right")
        savefig(fig, path)


if __name__ == "__main__":
    main()
