"""Voltage-based STDP against pairing frequency (Clopath et al. 2010, Fig. 2).

Clopath C, Buesing L, Vasilaki E, Gerstner W (2010) Connectivity reflects
coding: a model of voltage-based STDP with homeostasis. Nat Neurosci
13:344-352; the data are Sjöström PJ, Turrigiano GG, Nelson SB (2001)
Neuron 32:1149-1164 (their Fig. 7).

The protocol of Sjöström et al. as in the authors' code (ModelDB 144566):
bursts of 5 pairings at frequency rho (0.1-50 Hz), the post-synaptic spike
10 ms after (+10 ms) or before (-10 ms) the pre-synaptic one, one burst every
10 s, 15 bursts (10 at 0.1 Hz); the weight starts at 0.5 and its relative
change is reported.  The post-synaptic neuron is made to fire by a brief
strong current (a charge that raises V by 100 mV in one step, so it fires in
the next one); the plastic synapse does not move it (its target ``ge`` is
not in the voltage equation).

The neuron is the paper's adaptive exponential integrate-and-fire with a
spike after-depolarisation ``z`` and an adaptive threshold ``V_T``::

    C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w_ad + z   (unless refractory)
    tau_w dw_ad/dt = a (V - E_L) - w_ad;  tau_z dz/dt = -z;  tau_VT dV_T/dt = V_T,rest - V_T
    V > 20 mV: V = -49.5 mV, w_ad += b, z = I_sp, V_T = V_T,max; 2 ms refractory

During those 2 ms the spike is drawn as a plateau at 29.4 mV (the authors'
clamp): ``v_shape = V + int(t - lastspike < 2 ms) (29.4 mV - V)``.  The rule
(:class:`spikesim.plasticity.ClopathSTDP`) reads, from the post-synaptic
neuron, the potential ``v`` and the filters ``u_minus`` (tau 10 ms, for
depression) and ``u_plus`` (tau 7 ms, for potentiation)::

    pre spike:  w -= A_LTD [u_minus - theta_minus]_+;  xbar += 1     (tau_x = 15 ms)
    every step: w += dt A_LTP xbar [v - theta_plus]_+ [u_plus - theta_minus]_+

Two details of the authors' code need care: (1) the rule reads the filtered
potentials from before the spike (their code reads them 3 ms late); here
``u_plus`` holds its value during the 2 ms spike (``unless refractory``) and
then catches up with the filter ``u_plus_all`` that has seen the spike;
``u_minus`` is read at the time of the pre-synaptic spike.  (2) Their
pre-synaptic trace jumps by 1/tau_x (in 1/ms) while the preset's ``xbar``
jumps by 1, so the paper's A_LTP = 8e-5 mV^-2 becomes ``A_LTP = 8e-5
mV^-2 / tau_x`` here.  ``v`` and ``u_plus`` are state variables that copy
``v_shape`` and ``u_plus_all`` every step (an Euler step with time constant
dt), because synapse code cannot read a post-synaptic subexpression.

Expected (Sjöström et al.): at low frequency post-before-pre depresses and
pre-before-post changes little; at 40-50 Hz both orders potentiate, which
no pair-based rule does.
"""
import numpy as np

from spikesim.argtypes import positive_int
from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from spikesim.plasticity import ClopathSTDP
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import mV, ms, nS, pA, pF

FREQS = (0.1, 10.0, 20.0, 40.0, 50.0)
OFFSET = 10 * ms
N_PAIRINGS = 5                  # per burst
BURST_PERIOD = 10.0             # seconds (bursts repeat at 0.1 Hz)
N_BURSTS, N_BURSTS_LOW = 15, 10  # 10 bursts for the 0.1 Hz protocol
W0 = 0.5
DT = 0.1 * ms
T0 = 0.1
TAU_X = 15 * ms
RULE = dict(A_LTD=14e-5 / mV, A_LTP=8e-5 / (mV * mV) / TAU_X, theta_minus=-70.6 * mV, theta_plus=-45.3 * mV,
            tau_x=TAU_X, interval=DT, w_min=0.0, w_max=100.0)
#: Sjöström et al. (2001), Fig. 7: frequency (Hz), relative change and s.e.m. for +10 ms and -10 ms
SJOSTROM_DATA = np.array([
    [0.1, -0.04, 0.05, -0.29, 0.08],
    [10.0, 0.14, 0.10, -0.41, 0.11],
    [20.0, 0.29, 0.14, -0.34, 0.10],
    [40.0, 0.53, 0.11, 0.56, 0.32],
    [50.0, 0.56, 0.26, 0.75, 0.19],
])

CLOPATH_NEURON = """dV/dt = (gL*(EL - V) + gL*DeltaT*exp((V - VT)/DeltaT) - w_ad + z)/C : volt (unless refractory)
dw_ad/dt = (a*(V - EL) - w_ad)/tau_w : amp
dz/dt = -z/tau_z : amp
dVT/dt = (VT_rest - VT)/tau_VT : volt
v_shape = V + int(t - lastspike < t_spike)*(v_spike - V) : volt
dv/dt = (v_shape - v)/dt_copy : volt
du_minus/dt = (v_shape - u_minus)/tau_minus : volt
du_plus_all/dt = (v_shape - u_plus_all)/tau_plus : volt
du_plus/dt = (u_plus_all - u_plus)/dt_copy : volt (unless refractory)
ge : 1"""
NEURON_VALUES = dict(C=281 * pF, gL=30 * nS, EL=-70.6 * mV, DeltaT=2 * mV, VT_rest=-50.4 * mV, VT_max=-30.4 * mV,
                     tau_VT=50 * ms, tau_w=144 * ms, a=4 * nS, b=80.5 * pA, I_sp=400 * pA, tau_z=40 * ms,
                     V_th=20 * mV, V_reset=-49.5 * mV, v_spike=29.4 * mV, t_spike=2 * ms, tau_minus=10 * ms,
                     tau_plus=7 * ms, dt_copy=DT)
REST = dict(V=-70.6 * mV, v=-70.6 * mV, u_minus=-70.6 * mV, u_plus_all=-70.6 * mV, u_plus=-70.6 * mV,
            VT=-50.4 * mV)


def protocol(freq, offset, n_bursts=None):
    """Pre- and post-synaptic spike times (seconds) of one protocol."""
    n_bursts = n_bursts or (N_BURSTS_LOW if freq < 1 else N_BURSTS)
    period = max(BURST_PERIOD, N_PAIRINGS / freq)
    base = T0 + (np.arange(n_bursts)[:, None] * period + np.arange(N_PAIRINGS)[None, :] / freq).ravel()
    t_pre = base + max(0.0, -offset)
    return np.round(t_pre / DT) * DT, np.round((t_pre + offset) / DT) * DT


def build(freqs=FREQS, n_bursts=None):
    """One pre-synaptic generator, one driver and one neuron per (frequency, order); returns (net, parts)."""
    combos = [(f, o) for f in freqs for o in (OFFSET, -OFFSET)]
    pre_t, post_t = zip(*(protocol(f, o, n_bursts) for f, o in combos))
    idx = np.concatenate([np.full(t.size, k) for k, t in enumerate(pre_t)])
    n = len(combos)
    pre = SpikeGeneratorGroup(n, idx, np.concatenate(pre_t), name="pre")
    driver = SpikeGeneratorGroup(n, idx, np.concatenate(post_t) - DT, name="driver")
    post = NeuronGroup(n, CLOPATH_NEURON, threshold="V > V_th", reset="V = V_reset; w_ad += b; z = I_sp; VT = VT_max",
                       refractory=2 * ms, method="euler", name="post", **NEURON_VALUES, **REST)
    S = Synapses(pre, post, "ge", weight=W0, plasticity=ClopathSTDP(**RULE), name="clopath").connect(one_to_one=True)
    drive = Synapses(driver, post, "V", weight=100 * mV, name="drive").connect(one_to_one=True)
    M = SpikeMonitor(post)
    T = max(t.max() for t in pre_t + post_t) + 0.2
    net = Network(pre, driver, post, S, drive, M, dt=DT, seed=0)
    return net, dict(synapses=S, spikes=M, combos=combos, post_t=post_t, duration=round(T / DT) * DT)


def main(argv=None):
    parser = experiment_parser("clopath2010", __doc__.splitlines()[0], duration=0.0)
    parser.add_argument("--freqs", type=lambda s: tuple(float(f) for f in s.split(",")), default=FREQS,
                        help="pairing frequencies in Hz, comma-separated (default 0.1,10,20,40,50)")
    parser.add_argument("--bursts", type=positive_int, default=None,
                        help="bursts of 5 pairings per protocol (default 15, 10 at 0.1 Hz)")
    args = parser.parse_args(argv)
    net, o = build(args.freqs, args.bursts)
    T = max(args.duration, o["duration"])
    wall = timed_run(net, T, args)
    M, S = o["spikes"], o["synapses"]
    expected = np.array([t.size for t in o["post_t"]])
    if not np.array_equal(M.count, expected):
        raise RuntimeError(f"post-synaptic spike counts {M.count.tolist()} differ from the protocol's "
                           f"{expected.tolist()}")
    change = (S.w - W0) / W0
    dw = {"pre_post_+10ms": {}, "post_pre_-10ms": {}}
    for (f, off), c in zip(o["combos"], change):
        dw["pre_post_+10ms" if off > 0 else "post_pre_-10ms"][f"{f:g}"] = float(c)
    lo, hi = f"{min(args.freqs):g}", f"{max(args.freqs):g}"
    extra = dict(relative_change=dw, freqs_hz=list(args.freqs), offset_ms=OFFSET / ms, w0=W0,
                 rule={k: float(v) for k, v in RULE.items()},
                 low_freq_post_pre_depresses=dw["post_pre_-10ms"][lo] < 0,
                 low_freq_pre_post_small=abs(dw["pre_post_+10ms"][lo]) < abs(dw["post_pre_-10ms"][lo]),
                 high_freq_both_potentiate=dw["pre_post_+10ms"][hi] > 0 and dw["post_pre_-10ms"][hi] > 0,
                 rms_to_sjostrom2001=_rms_to_data(dw))
    summary = finish("clopath2010", net, [M], args, wall, extra=extra)
    _figure(args.freqs, dw, args.out / "clopath2010.png")
    return summary


def _rms_to_data(dw):
    """RMS distance of the relative changes to Sjöström et al.'s means, over the frequencies simulated."""
    d = []
    for f, plus, _, minus, _ in SJOSTROM_DATA:
        if f"{f:g}" in dw["pre_post_+10ms"]:
            d += [dw["pre_post_+10ms"][f"{f:g}"] - plus, dw["post_pre_-10ms"][f"{f:g}"] - minus]
    return float(np.sqrt(np.mean(np.square(d)))) if d else None


def _figure(freqs, dw, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    with lecture_style():
        fig = Figure(figsize=(8, 5.5), layout="constrained")
        ax = fig.subplots()
        f = np.asarray(freqs)
        for key, col, label, data in (("pre_post_+10ms", "#0072B2", "pre-post +10 ms", 1),
                                      ("post_pre_-10ms", "#D55E00", "post-pre -10 ms", 3)):
            ax.plot(f, [100 * dw[key][f"{x:g}"] for x in f], "o-", color=col, lw=2.5, label=f"model, {label}")
            ax.errorbar(SJOSTROM_DATA[:, 0], 100 * SJOSTROM_DATA[:, data], yerr=100 * SJOSTROM_DATA[:, data + 1],
                        fmt="s", color=col, mfc="white", capsize=3, label=f"Sjöström 2001, {label}")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel("pairing frequency (Hz)")
        ax.set_ylabel("weight change (%)")
        ax.legend(fontsize=10)
        savefig(fig, path)


if __name__ == "__main__":
    main()
