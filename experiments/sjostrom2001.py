"""Frequency dependence of STDP: the triplet rule against Sjöström et al. (2001).

Sjöström PJ, Turrigiano GG, Nelson SB (2001) Rate, timing, and cooperativity
jointly determine cortical synaptic plasticity. Neuron 32:1149-1164; the model
is the triplet rule of Pfister JP, Gerstner W (2006) Triplets of spikes in a
model of spike timing-dependent plasticity. J Neurosci 26:9673-9682 (their
Fig. 6: the visual-cortex fit, all-to-all interactions).

60 pairings of one pre- and one post-synaptic spike at pairing frequencies
from 0.1 to 50 Hz, the post spike 10 ms after (+10 ms) or before (-10 ms)
the pre spike.  The relative weight change is plotted over the published
data points (mean and s.e.m.).  At low frequency only post-before-pre
depresses; at 40-50 Hz both orders potentiate, which no pair rule does.
"""
import numpy as np

from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from spikesim.plasticity import TRIPLET_PRESETS, TripletSTDP
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import mV, ms

N_PAIRINGS = 60
OFFSET = 10 * ms
DT = 0.1 * ms
W0 = 1.0
#: Sjöström et al. (2001), Fig. 7: frequency (Hz), relative change and s.e.m. for +10 ms and -10 ms
SJOSTROM_DATA = np.array([
    [0.1, -0.04, 0.05, -0.29, 0.08],
    [10.0, 0.14, 0.10, -0.41, 0.11],
    [20.0, 0.29, 0.14, -0.34, 0.10],
    [40.0, 0.53, 0.11, 0.56, 0.32],
    [50.0, 0.56, 0.26, 0.75, 0.19],
])


def protocol_network(freqs, offsets, rule, t0=0.1):
    """One pre generator, driver and post neuron per (frequency, offset) pair; returns (net, S, post mon, T)."""
    combos = [(f, o) for f in freqs for o in offsets]
    pre_i, pre_t, drv_t = [], [], []
    for k, (f, o) in enumerate(combos):
        base = t0 + np.arange(N_PAIRINGS) / f
        t_pre = base + (0.0 if o > 0 else -o)
        t_post = t_pre + o
        pre_i.append(np.full(N_PAIRINGS, k))
        pre_t.append(t_pre)
        drv_t.append(t_post - DT)
    idx = np.concatenate(pre_i)
    n = len(combos)
    pre = SpikeGeneratorGroup(n, idx, np.concatenate(pre_t), name="pre")
    drv = SpikeGeneratorGroup(n, idx, np.concatenate(drv_t), name="driver")
    # the plastic weight goes to ge, which does not move v: only the driver makes the neuron fire
    post = NeuronGroup(n, "dv/dt = (El - v)/tau_m : volt\nge : volt", threshold="v > v_th", reset="v = El",
                       El=-70 * mV, tau_m=20 * ms, v_th=-50 * mV, v=-70 * mV, name="post")
    S = Synapses(pre, post, "ge", weight=W0, plasticity=rule, name="triplet").connect(one_to_one=True)
    D = Synapses(drv, post, "v", weight=100 * mV, name="drive").connect(one_to_one=True)
    M = SpikeMonitor(post)
    T = t0 + N_PAIRINGS / min(freqs) + 0.2
    return Network(pre, drv, post, S, D, M, dt=DT, seed=0), S, M, combos, round(T / DT) * DT


def main(argv=None):
    parser = experiment_parser("sjostrom2001", __doc__.splitlines()[0], duration=None)
    parser.add_argument("--preset", default="visual_all_to_all", choices=sorted(TRIPLET_PRESETS))
    args = parser.parse_args(argv)
    freqs = np.array([0.1, 1, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50.0])
    rule = TripletSTDP.preset(args.preset, w_max=10.0)
    net, S, M, combos, T = protocol_network(freqs, [OFFSET, -OFFSET], rule)
    wall = timed_run(net, T, args)
    if not np.all(M.count == N_PAIRINGS):
        raise RuntimeError("post-synaptic spikes did not land as intended")
    dw = (S.w - W0) / W0
    plus = dw[0::2]
    minus = dw[1::2]
    rms = float(np.sqrt(np.mean(np.concatenate([
        np.interp(SJOSTROM_DATA[:, 0], freqs, plus) - SJOSTROM_DATA[:, 1],
        np.interp(SJOSTROM_DATA[:, 0], freqs, minus) - SJOSTROM_DATA[:, 3]]) ** 2)))
    extra = dict(preset=args.preset, freq_hz=freqs.tolist(), dw_plus10ms=plus.tolist(), dw_minus10ms=minus.tolist(),
                 data_freq_hz=SJOSTROM_DATA[:, 0].tolist(), data_plus10ms=SJOSTROM_DATA[:, 1].tolist(),
                 data_minus10ms=SJOSTROM_DATA[:, 3].tolist(), rms_error_vs_data=rms)
    summary = finish("sjostrom2001", net, [M], args, wall, extra=extra)
    _figure(freqs, plus, minus, args.preset, args.out / "sjostrom2001.png")
    return summary


def _figure(freqs, plus, minus, preset, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    with lecture_style():
        fig = Figure(figsize=(8, 5.5))
        ax = fig.subplots()
        d = SJOSTROM_DATA
        ax.errorbar(d[:, 0], 100 * d[:, 1], 100 * d[:, 2], fmt="o", color="#0072B2", capsize=4,
                    label="data, +10 ms")
        ax.errorbar(d[:, 0], 100 * d[:, 3], 100 * d[:, 4], fmt="s", color="#D55E00", capsize=4,
                    label="data, -10 ms")
        ax.plot(freqs, 100 * plus, "-", color="#0072B2", label="triplet rule, +10 ms")
        ax.plot(freqs, 100 * minus, "--", color="#D55E00", label="triplet rule, -10 ms")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel("pairing frequency (Hz)")
        ax.set_ylabel("weight change (%)")
        ax.set_title(f"Sjöström et al. 2001 vs triplet STDP ({preset})", fontsize=13)
        ax.legend(fontsize=11, loc="upper left")
        savefig(fig, path)


if __name__ == "__main__":
    main()
