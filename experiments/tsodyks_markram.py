"""Short-term depression and facilitation: EPSC trains at 10-50 Hz (Tsodyks-Markram model).

Tsodyks M, Pawelzik K, Markram H (1998) Neural networks with dynamic
synapses. Neural Comput 10:821-835; Markram H, Wang Y, Tsodyks M (1998)
Differential signaling via the same axon of neocortical pyramidal neurons.
PNAS 95:5323-5328 (their Fig. 1: trains of 8 spikes and a recovery spike
onto a depressing and a facilitating synapse).

A spike ``n`` releases ``r_n = u_n x_n`` of the synapse's resources; the
post-synaptic current jumps by ``w r_n`` and decays with ``tau_s = 3 ms``::

    dI/dt = -I/tau_s : amp                          (post-synaptic current)
    dx/dt = (1 - x)/tau_d : 1 (event-driven)        (resources)
    du/dt = -u/tau_f : 1 (event-driven)             (utilisation; u = U without facilitation)
    on_pre: u += U*(1 - u); r = u*x; x -= r; I_post += w*r

Between spikes ``Delta`` apart the model has the closed-form recurrence
(``u_n`` after the spike's increment, ``x_n`` before the release)::

    u_{n+1} = u_n exp(-Delta/tau_f) + U (1 - u_n exp(-Delta/tau_f))
    x_{n+1} = x_n (1 - u_n) exp(-Delta/tau_d) + 1 - exp(-Delta/tau_d)

One source per frequency (10, 20, 30, 50 Hz) fires 8 spikes and a recovery
spike 500 ms after the last; each drives one depressing
(``TsodyksMarkram.depressing()``: U = 0.5, tau_d = 800 ms) and one
facilitating synapse (``.facilitating()``: U = 0.03, tau_d = 100 ms,
tau_f = 1 s) onto its own post-synaptic current.  An EPSC's amplitude is the
jump of I in the step of the spike, ``I[k+1] - I[k] exp(-dt/tau_s)``; it is
compared with ``w u_n x_n`` from the recurrence.  Expected: the depressing
synapse's last/first ratio is < 1 and falls with the rate; the facilitating
synapse's is > 1 at the higher rates.
"""
import numpy as np

from spikesim.argtypes import positive_int
from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses
from spikesim.plasticity import TsodyksMarkram
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import ms, pA, second

FREQS = (10.0, 20.0, 30.0, 50.0)
N_SPIKES = 8
RECOVERY = 500 * ms        # from the last spike of the train to the recovery spike
T0 = 50 * ms               # first spike
TAU_S = 3 * ms             # decay of the post-synaptic current
FIRST_EPSC = 100 * pA      # w = FIRST_EPSC / U: the first EPSC of both synapse types is 100 pA
DT = 0.1 * ms
RULES = {"depressing": TsodyksMarkram.depressing(), "facilitating": TsodyksMarkram.facilitating()}


def spike_times(freq, n_spikes=N_SPIKES, recovery=RECOVERY, t0=T0):
    """The train at ``freq`` Hz and its recovery spike, in seconds (on the time grid)."""
    train = t0 + np.arange(n_spikes) / freq
    t = np.append(train, train[-1] + recovery)
    return np.round(t / DT) * DT


def recurrence(rule, times, w=1.0):
    """EPSC amplitudes ``w u_n x_n`` from the closed-form recurrence (see module doc)."""
    U, tau_d, tau_f = rule.U, rule.tau_d, rule.tau_f
    u, x = U, 1.0
    out = [w * u * x]
    for delta in np.diff(times):
        ed = np.exp(-delta / tau_d)
        x = x * (1 - u) * ed + 1 - ed
        if tau_f is not None:
            decayed = u * np.exp(-delta / tau_f)
            u = decayed + U * (1 - decayed)
        out.append(w * u * x)
    return np.array(out)


def build(freqs=FREQS, n_spikes=N_SPIKES, recovery=RECOVERY):
    """One source per frequency onto one depressing and one facilitating synapse, each with its own current.

    Returns (net, source spike monitor, current monitor, {kind: post indices}, {kind: synapses}, spike times).
    """
    times = [spike_times(f, n_spikes, recovery) for f in freqs]
    idx = np.concatenate([np.full(t.size, k) for k, t in enumerate(times)])
    src = SpikeGeneratorGroup(len(freqs), idx, np.concatenate(times), name="source")
    post = NeuronGroup(len(RULES) * len(freqs), "dI/dt = -I/tau_s : amp", tau_s=TAU_S, name="epsc")
    syn, cols = {}, {}
    for k, (kind, rule) in enumerate(RULES.items()):
        j = np.arange(len(freqs)) + k * len(freqs)
        syn[kind] = Synapses(src, post, "I", weight=FIRST_EPSC / rule.U, plasticity=rule,
                             name=kind).connect(i=np.arange(len(freqs)), j=j)
        cols[kind] = j
    mon, spikes = StateMonitor(post, "I"), SpikeMonitor(src)
    net = Network(src, post, *syn.values(), mon, spikes, dt=DT, seed=0)
    return net, spikes, mon, cols, syn, times


def amplitudes(trace, times):
    """Jumps of an exponentially decaying current at the steps of ``times`` (the EPSC amplitudes)."""
    k = np.round(np.asarray(times) / DT).astype(np.int64)
    return trace[k + 1] - trace[k] * np.exp(-DT / TAU_S)


def main(argv=None):
    parser = experiment_parser("tsodyks_markram", __doc__.splitlines()[0], duration=1.5)
    parser.add_argument("--freqs", type=lambda s: tuple(float(f) for f in s.split(",")), default=FREQS,
                        help="train frequencies in Hz, comma-separated (default 10,20,30,50)")
    parser.add_argument("--n-spikes", type=positive_int, default=N_SPIKES, help=f"spikes per train (default {N_SPIKES})")
    args = parser.parse_args(argv)
    net, spikes, mon, cols, syn, times = build(args.freqs, args.n_spikes)
    needed = max(t[-1] for t in times) + 20 * ms
    if args.duration < needed:
        parser.error(f"--duration must cover the slowest train and its recovery spike: >= {needed:.3f} s")
    wall = timed_run(net, args.duration * second, args)
    measured, expected, ratios, recovered, dev = {}, {}, {}, {}, 0.0
    for kind, rule in RULES.items():
        measured[kind], expected[kind] = [], []
        for f, t, j in zip(args.freqs, times, cols[kind]):
            a = amplitudes(mon.I[j], t)
            e = recurrence(rule, t, w=FIRST_EPSC / rule.U)
            dev = max(dev, float(np.max(np.abs(a - e)) / FIRST_EPSC))
            measured[kind].append(a)
            expected[kind].append(e)
        ratios[kind] = {f"{f:g}": float(a[-2] / a[0]) for f, a in zip(args.freqs, measured[kind])}
        recovered[kind] = {f"{f:g}": float(a[-1] / a[0]) for f, a in zip(args.freqs, measured[kind])}
    extra = dict(
        freqs_hz=list(args.freqs), spikes_per_train=args.n_spikes, recovery_s=RECOVERY, tau_s_s=TAU_S,
        parameters={k: dict(U=r.U, tau_d_s=r.tau_d, tau_f_s=r.tau_f) for k, r in RULES.items()},
        ratio_last_first=ratios, ratio_recovery_first=recovered,
        amplitudes_over_first={k: {f"{f:g}": (a / a[0]).tolist() for f, a in zip(args.freqs, v)}
                               for k, v in measured.items()},
        max_dev_from_recurrence=dev, units="amplitude deviation in units of the first EPSC (100 pA)",
        depression_deepens_with_rate=bool(np.all(np.diff(list(ratios["depressing"].values())) < 0)
                                          and max(ratios["depressing"].values()) < 1),
        facilitation_above_1_at_max_rate=bool(ratios["facilitating"][f"{max(args.freqs):g}"] > 1))
    summary = finish("tsodyks_markram", net, [spikes], args, wall, extra=extra)
    _figure(mon, args.freqs, times, cols, measured, expected, args.out / "tsodyks_markram.png")
    return summary


def _figure(mon, freqs, times, cols, measured, expected, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    colors = ["#0072B2", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9"]
    with lecture_style():
        fig = Figure(figsize=(14, 8), layout="constrained")
        axes = fig.subplots(2, 2, gridspec_kw={"width_ratios": [2, 1]})
        for row, kind in zip(axes, measured):
            traces, curves = row
            for n, (f, t, j) in enumerate(zip(freqs, times, cols[kind])):
                c = colors[n % len(colors)]
                offset = n * 1.2 * np.max(mon.I[cols[kind]]) / pA
                traces.plot((mon.t - t[0]) / ms, offset + mon.I[j] / pA, color=c, lw=1, label=f"{f:g} Hz")
                a, e = measured[kind][n], expected[kind][n]
                k = np.arange(1, a.size + 1)
                curves.plot(k, a / a[0], "o", color=c, label=f"{f:g} Hz")
                curves.plot(k, e / e[0], "-", color=c, lw=1)
            traces.set_xlim(-20, (times[0][-1] - times[0][0]) / ms + 50)
            traces.set_title(f"{kind} synapse")
            traces.set_ylabel("EPSC (pA, offset per rate)")
            traces.legend(loc="upper right", fontsize=10)
            curves.axhline(1, color="k", lw=0.8)
            curves.set_ylabel("amplitude / first")
            curves.set_xticks(np.arange(1, measured[kind][0].size + 1))
            curves.set_xticklabels([str(n) for n in range(1, measured[kind][0].size)] + ["R"])
            curves.set_title("markers: simulated, lines: recurrence", fontsize=10)
        axes[1, 0].set_xlabel("time from the first spike (ms)")
        axes[1, 1].set_xlabel("spike number (R: recovery spike)")
        savefig(fig, path)


if __name__ == "__main__":
    main()
