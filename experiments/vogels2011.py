"""Inhibitory plasticity balances excitation: the single cell of Vogels et al. (2011), Fig. 1.

Vogels TP, Sprekeler H, Zenke F, Clopath C, Gerstner W (2011) Inhibitory
plasticity balances excitation and inhibition in sensory pathways and memory
networks. Science 334:1569-1573.

One conductance-based integrate-and-fire neuron (the paper's values: tau_m =
20 ms, g_L = 10 nS, E_L = -60 mV, threshold -50 mV, reset -60 mV, 5 ms
refractory, E_E = 0 mV, E_I = -80 mV, tau_E = 5 ms, tau_I = 10 ms)::

    C dv/dt = g_L (E_L - v) + g_E (E_E - v) + g_I (E_I - v)

receives 800 excitatory and 200 inhibitory Poisson inputs in 8 signal
channels (100 + 25 inputs each).  All inputs of a channel fire at the same
time-varying rate ``5 Hz + [s_k(t)]_+``, where ``s_k`` is an
Ornstein-Uhlenbeck signal (tau 50 ms, s.d. 20 Hz) of its own; so excitation
and inhibition of one channel are correlated, different channels are not.
Excitatory weights are tuned to channel 5 (``g_E = 210 pS (0.3 + 1.1/(1 +
(k - 5)^4))``, the shape of the paper's tuning curve) and fixed; inhibitory
weights start flat and weak (20 pS) and follow the rule of
:class:`spikesim.plasticity.InhibitorySTDP` (the paper's)::

    dApre/dt = -Apre/tau, dApost/dt = -Apost/tau   (tau = 20 ms)
    pre spike:  Apre += 1;  w += eta (Apost - alpha)
    post spike: Apost += 1; w += eta Apre            (alpha = 2 rho0 tau)

Expected: the output rate falls from tens of Hz to the target rho0 = 5 Hz;
inhibitory weights grow until inhibition balances excitation, on average
(the mean inhibitory current nearly cancels the excitatory one) and in
detail (the inhibitory weights of each channel follow the excitatory tuning,
and the two currents co-vary in time).  The learning rate (eta = 3 pS) is
chosen so that this takes ~20 s of simulated time (the paper shows minutes).
The signals are generated in equations: 8 neurons integrate the
Ornstein-Uhlenbeck processes (``xi``) and a summed synaptic variable sets
the rate of each input neuron, which fires when ``rand() < rate*dt``.
"""
import numpy as np

from spikesim.argtypes import nonnegative_float, positive_float
from spikesim import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, WeightMonitor
from spikesim.plasticity import InhibitorySTDP
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import Hz, mV, ms, nS, pF, second

pS = 1e-3 * nS
N_CHANNELS, N_EXC, N_INH = 8, 100, 25          # inputs per channel
PREFERRED = 4                                  # channel 5 (of 1..8)
BASE_RATE, SIGNAL_SD, SIGNAL_TAU = 5 * Hz, 20 * Hz, 50 * ms
G_EXC = 210 * pS
G_INH0 = 20 * pS
RHO0 = 5.0
ETA = 3 * pS
TAU_ISTDP = 20 * ms
W_MAX = 50 * nS
DT = 0.1 * ms
RECORD_EVERY = 10          # steps between current samples (1 ms)
NEURON = dict(El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, gl=10 * nS, Cm=200 * pF, tau_e=5 * ms, tau_i=10 * ms,
              v_th=-50 * mV, v_reset=-60 * mV, refractory=5 * ms, v=-60 * mV)

SIGNAL = "ds/dt = -s/tau_signal + sigma*sqrt(2/tau_signal)*xi : hertz"
FEED = "rate_post = base + s_pre*int(s_pre > 0*Hz) : hertz (summed)"


def tuning(k=np.arange(N_CHANNELS)):
    """Excitatory tuning curve over the channels (1.4 at the preferred channel, ~0.3 far from it)."""
    return 0.3 + 1.1 / (1 + (k - PREFERRED) ** 4.0)


def channels():
    """Channel of every input neuron: the 800 excitatory ones first, then the 200 inhibitory ones."""
    return np.r_[np.repeat(np.arange(N_CHANNELS), N_EXC), np.repeat(np.arange(N_CHANNELS), N_INH)]


def build(seed=1, eta=ETA, rho0=RHO0, duration=60.0, n_snapshots=200):
    """The signals, inputs, the neuron and its synapses; returns (net, dict of objects)."""
    ch = channels()
    n_in, n_exc = ch.size, N_CHANNELS * N_EXC
    signals = NeuronGroup(N_CHANNELS, SIGNAL, tau_signal=SIGNAL_TAU, sigma=SIGNAL_SD, method="euler",
                          name="signals")
    inputs = NeuronGroup(n_in, "rate : hertz", threshold="rand() < rate*dt", name="inputs")
    feed = Synapses(signals, inputs, FEED, base=BASE_RATE, name="feed").connect(i=ch, j=np.arange(n_in))
    neuron = NeuronGroup(1, "lif_coba", method="euler", name="neuron", **NEURON)
    exc = Synapses(inputs, neuron, "ge", weight=G_EXC * tuning(ch[:n_exc]), name="exc").connect(
        i=np.arange(n_exc), j=np.zeros(n_exc, dtype=int))
    rule = InhibitorySTDP(eta=eta, rho0=rho0, tau=TAU_ISTDP, w_max=W_MAX)
    inh = Synapses(inputs, neuron, "gi", weight=G_INH0, plasticity=rule, name="inh").connect(
        i=np.arange(n_exc, n_in), j=np.zeros(n_in - n_exc, dtype=int))
    every = max(1, int(round(duration / n_snapshots / DT)))
    o = dict(neuron=neuron, exc=exc, inh=inh, spikes=SpikeMonitor(neuron), input_spikes=SpikeMonitor(inputs),
             state=StateMonitor(neuron, ["v", "ge", "gi"], every=RECORD_EVERY),
             weights=WeightMonitor(inh, every=every), rule=rule)
    net = Network(signals, inputs, feed, neuron, exc, inh, o["spikes"], o["input_spikes"], o["state"], o["weights"],
                  dt=DT, seed=seed)
    return net, o


def rate_in_bins(t, duration, width=1.0):
    """Output rate (Hz) in bins of ``width`` seconds: (bin centres, rates)."""
    edges = np.arange(0, duration + 1e-9, width)
    counts, _ = np.histogram(t, edges)
    return 0.5 * (edges[1:] + edges[:-1]), counts / width


def settling_time(centres, rates, rho0, smooth=5, tolerance=0.5):
    """First time (end of the window) at which the running mean over ``smooth`` bins is within rho0 (1 +- tolerance).

    ``None`` if it never is.
    """
    if rates.size < smooth:
        return None
    run = np.convolve(rates, np.ones(smooth) / smooth, mode="valid")
    ok = np.flatnonzero(np.abs(run - rho0) <= tolerance * rho0)
    width = centres[1] - centres[0] if centres.size > 1 else 1.0
    return float(centres[smooth - 1 + ok[0]] + width / 2) if ok.size else None


def currents(state):
    """Excitatory and inhibitory currents (A) at the recorded times: ``g_E (E_E - v)``, ``g_I (E_I - v)``."""
    v, ge, gi = state.v[0], state.ge[0], state.gi[0]
    return ge * (NEURON["Ee"] - v), gi * (NEURON["Ei"] - v)


def balance(state, t0, t1):
    """Mean -I_I/I_E and the correlation of I_E with -I_I between t0 and t1 (seconds)."""
    i_e, i_i = currents(state)
    sel = (state.t >= t0) & (state.t < t1)
    return float(-i_i[sel].mean() / i_e[sel].mean()), float(np.corrcoef(i_e[sel], -i_i[sel])[0, 1])


def main(argv=None):
    parser = experiment_parser("vogels2011", __doc__.splitlines()[0], duration=60.0)
    parser.add_argument("--eta", type=nonnegative_float, default=ETA / pS, help="learning rate in pS (default 3)")
    parser.add_argument("--rho0", type=positive_float, default=RHO0, help="target rate in Hz (default 5)")
    parser.add_argument("--window", type=positive_float, default=10.0,
                        help="seconds at the end (and start: 2 s) over which rates and currents are compared")
    args = parser.parse_args(argv)
    net, o = build(args.seed, args.eta * pS, args.rho0, args.duration)
    wall = timed_run(net, args.duration * second, args)
    T, win = args.duration, min(args.window, args.duration / 2)
    t_out = o["spikes"].t
    first_rate = float(np.sum(t_out < 2.0) / 2.0)
    last_rate = float(np.sum(t_out >= T - win) / win)
    centres, rates = rate_in_bins(t_out, T)
    ratio0, corr0 = balance(o["state"], 0.0, 2.0)
    ratio1, corr1 = balance(o["state"], T - win, T)
    ch = channels()[N_CHANNELS * N_EXC:]
    w_inh = np.array([o["inh"].w[ch == k].mean() for k in range(N_CHANNELS)])
    w_exc = G_EXC * tuning()
    extra = dict(rho0_hz=args.rho0, eta_pS=args.eta, rate_first_2s_hz=first_rate, rate_last_window_hz=last_rate,
                 last_window_s=win, settling_time_s=settling_time(centres, rates, args.rho0),
                 settling_definition="first time the 5-s running mean of the rate is within rho0 +- 50 %",
                 inh_over_exc_current_first_2s=ratio0, inh_over_exc_current_last_window=ratio1,
                 current_correlation_first_2s=corr0, current_correlation_last_window=corr1,
                 inh_weight_per_channel_pS=(w_inh / pS).tolist(), exc_weight_per_channel_pS=(w_exc / pS).tolist(),
                 tuning_correlation=float(np.corrcoef(w_inh, w_exc)[0, 1]),
                 input_rate_hz=float(o["input_spikes"].num_spikes / channels().size / T),
                 mean_rate_hz=float(t_out.size / T))     # of the one neuron (n_neurons counts the inputs too)
    summary = finish("vogels2011", net, [o["spikes"]], args, wall, extra=extra)
    _figure(o, centres, rates, args.rho0, T, args.out / "vogels2011.png")
    return summary


def _channel_weights(o):
    ch = channels()[N_CHANNELS * N_EXC:]
    W = o["weights"]
    return W.t, np.array([W.w[ch == k].mean(axis=0) for k in range(N_CHANNELS)])


def _figure(o, centres, rates, rho0, T, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    colors = [matplotlib.cm.viridis(k / (N_CHANNELS - 1)) for k in range(N_CHANNELS)]
    wt, wk = _channel_weights(o)
    i_e, i_i = currents(o["state"])
    t = o["state"].t
    with lecture_style():
        fig = Figure(figsize=(15, 9), layout="constrained")
        (a, b, c), (d, e, f) = fig.subplots(2, 3)
        a.plot(centres, rates, color="#0072B2")
        a.axhline(rho0, color="#D55E00", ls="--", label=f"rho0 = {rho0:g} Hz")
        a.set_xlabel("time (s)")
        a.set_ylabel("output rate (Hz, 1 s bins)")
        a.legend()
        for k in range(N_CHANNELS):
            b.plot(wt, wk[k] / pS, color=colors[k], label=f"channel {k + 1}")
        b.set_xlabel("time (s)")
        b.set_ylabel("mean inhibitory weight (pS)")
        b.legend(fontsize=9, ncol=2)
        k = np.arange(1, N_CHANNELS + 1)
        c.plot(k, G_EXC * tuning() / pS, "s-", color="#009E73", label="excitatory (fixed)")
        c.plot(k, wk[:, 0] / pS, "o--", color="0.6", label="inhibitory, start")
        c.plot(k, wk[:, -1] / pS, "o-", color="#D55E00", label="inhibitory, end")
        c.set_xlabel("signal channel")
        c.set_ylabel("weight (pS)")
        c.legend(fontsize=10)
        for ax, (t0, label) in zip((d, e), ((0.0, "start"), (T - 1.0, "end"))):
            sel = (t >= t0) & (t < t0 + 1.0)
            ax.plot(t[sel], i_e[sel] * 1e9, color="#009E73", lw=1, label="excitatory")
            ax.plot(t[sel], i_i[sel] * 1e9, color="#D55E00", lw=1, label="inhibitory")
            ax.plot(t[sel], (i_e[sel] + i_i[sel]) * 1e9, color="k", lw=1, label="net")
            ax.set_xlabel("time (s)")
            ax.set_ylabel("current (nA)")
            ax.set_title(f"currents at the {label}", fontsize=12)
        d.legend(fontsize=9)
        sel = t >= T / 2
        f.plot(i_e[sel] * 1e9, -i_i[sel] * 1e9, ",", color="0.3", alpha=0.4)
        lim = max(i_e[sel].max(), -i_i[sel].min()) * 1e9
        f.plot([0, lim], [0, lim], color="#D55E00", lw=1)
        f.set_xlabel("excitatory current (nA)")
        f.set_ylabel("-inhibitory current (nA)")
        f.set_title("second half of the run", fontsize=12)
        savefig(fig, path)


if __name__ == "__main__":
    main()
