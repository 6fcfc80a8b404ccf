"""Reward-modulated STDP: one rewarded synapse among 80,000 (Izhikevich 2007, Fig. 1).

Izhikevich EM (2007) Solving the distal reward problem through linkage of
STDP and dopamine signaling. Cereb Cortex 17:2443-2452; the parameters are
those of the paper and of its MATLAB code (daspnet.m, on the author's site).

The network: 800 excitatory (regular spiking) and 200 inhibitory (fast
spiking) Izhikevich neurons; every neuron sends 100 synapses to distinct
random targets (inhibitory ones only onto excitatory neurons) with 1 ms
delays (``--max-delay`` for 1..D ms); excitatory weights start at 1 mV
(maximum 4 mV), inhibitory ones are -1 mV; every neuron receives a uniform
random input of +-6.5 mV in every 1 ms step.  The excitatory synapses follow
the rule of :class:`spikesim.plasticity.RewardSTDP`::

    dv/dt = (0.04/mV v^2 + 5 v + 140 mV - u + 13 mV (rand() - 0.5))/ms     (Izhikevich 2003)
    du/dt = a (b v - u);  v >= 30 mV: v = c, u += d
    dDA/dt = (DA_tonic - DA)/tau_DA                 (dopamine of each neuron: tonic 0.002, tau_DA = 200 ms)
    dc/dt = -c/tau_c;  pre arrival: c += A_minus Apost;  post spike: c += A_plus Apre   (tau_c = 1 s)
    every 10 ms: w = clip(w + 10 ms * eta * c * DA, 0, 4 mV)

with A_plus = 1, A_minus = -1.5, STDP traces of 20 ms and eta = 10 mV/s per
unit of ``c DA`` (the code adds ``(0.002 + DA) sd`` to the weight every 10 ms
with ``sd`` jumping by 0.1 per pairing).

One excitatory-to-excitatory synapse ``n1 -> n2``, starting at 0, is
rewarded: whenever ``n2`` fires within 20 ms after a spike of ``n1`` arrives
at that synapse, a reward is scheduled 1-3 s later (uniformly; while one is
pending, further pairings are ignored; the paper's code queues them all),
and the reward raises ``DA`` of every neuron by 0.5.

The closed loop is written in equations, not by running in chunks: a
one-neuron ``detector`` group holds the arrival time of ``n1``'s last spike
(a synapse from ``n1`` with the rewarded synapse's delay sets ``t_arr_post =
t``) and the pending reward time (a synapse from ``n2`` sets ``t_reward_post``
to ``t + 1 s + 2 s rand()`` if the pairing holds and nothing is pending); its
threshold is ``t >= t_reward``, its reset clears the pending time, and its
synapses onto every neuron do ``DA_post += 0.5``.  So the reward arrives at
the exact step, the run is one ``Network.run`` (one seed, no Python in the
loop), and the same script runs on every backend.

Scaling: none of the model.  The paper runs an hour of simulated time; the
default ``--duration`` is half of it (1800 s, a few minutes here), by which
time the rewarded synapse has reached the maximum; ``--duration 3600`` is
the paper's hour.  ``--eta`` and ``--reward`` scale the learning rate and
the dopamine per reward, but do not make a faithful shortcut: 4x either
potentiates the many synapses whose pairs are causal along with the rewarded
one (seed 1, 600 s: 14 % of the other synapses end above 0.9 w_max, the
rewarded one below 0.35 w_max).  The time step is the paper's 1 ms (Euler; the paper splits v
into two 0.5 ms steps).  ``--eligibility event`` runs the same rule written
by hand with ``c`` event-driven (decayed analytically when it is read): the
same spikes and weights up to rounding, about 2x slower here because every
10-ms update then computes one exponential per synapse.
"""
import numpy as np

from spikesim.argtypes import finite_float, nonnegative_float, positive_int
from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses, WeightMonitor
from spikesim.plasticity import RewardSTDP
from spikesim.runner import experiment_parser, finish, timed_run
from spikesim.units import mV, ms, second

N_EXC, N_INH, N_OUT = 800, 200, 100
W_MAX = 4 * mV
W_EXC, W_INH = 1 * mV, -1 * mV
MAX_DELAY = 1         # ms (excitatory delays are 1..MAX_DELAY ms)
THALAMIC_NOISE = 13 * mV    # each step, each neuron: v += 13 mV * (uniform(0, 1) - 0.5)
A_PLUS, A_MINUS = 1.0, -1.5
TAU_STDP, TAU_C, TAU_DA = 20 * ms, 1 * second, 200 * ms
DA_TONIC, DA_REWARD = 0.002, 0.5
ETA_PAPER = 10 * mV / second
PAIRING_WINDOW = 20 * ms
REWARD_DELAY = (1 * second, 3 * second)
UPDATE_INTERVAL = 10 * ms
DT = 1 * ms
NEVER = 1e9 * second   # "no reward pending"
RASTER_WINDOW = 2.0    # seconds at the end shown in raster.png and stored in spikes.npz

CORTEX = """dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + noise*(rand() - 0.5))/ms : volt
du/dt = a*(b*v - u) : volt
dDA/dt = (DA_tonic - DA)/tau_DA : 1
a : hertz
d : volt"""

DETECTOR = """t_arr : second
t_reward : second"""

#: the rule of RewardSTDP written by hand, with the eligibility trace c event-driven
EVENT_MODEL = """w : volt
dc/dt = -c/tau_c : 1 (event-driven)
dApre/dt = -Apre/tau_plus : 1 (event-driven)
dApost/dt = -Apost/tau_minus : 1 (event-driven)
eta : volt/second (constant)
w_max : volt (constant)"""
EVENT_UPDATE = f"w = clip(w + {UPDATE_INTERVAL / ms:g}*ms*eta*c*DA_post, 0*volt, w_max)"


def cortex():
    """The 1000 Izhikevich neurons with their dopamine (excitatory first)."""
    n = N_EXC + N_INH
    a = np.r_[np.full(N_EXC, 0.02), np.full(N_INH, 0.1)] / ms
    d = np.r_[np.full(N_EXC, 8.0), np.full(N_INH, 2.0)] * mV
    return NeuronGroup(n, CORTEX, threshold="v >= 30*mV", reset="v = c; u += d", method="euler", a=a, d=d,
                       b=0.2, c=-65 * mV, noise=THALAMIC_NOISE, v=-65 * mV, u=-13 * mV, DA=DA_TONIC,
                       DA_tonic=DA_TONIC, tau_DA=TAU_DA, name="cortex")


def connectivity(rng, max_delay=MAX_DELAY):
    """(i, j, delay) of the excitatory and (i, j) of the inhibitory synapses: 100 distinct targets each."""
    n = N_EXC + N_INH

    def targets(sources, pool):
        j = [rng.choice(pool[pool != s], N_OUT, replace=False) for s in sources]
        return np.repeat(sources, N_OUT), np.concatenate(j)
    ie, je = targets(np.arange(N_EXC), np.arange(n))
    ii, ji = targets(np.arange(N_EXC, n), np.arange(N_EXC))
    delay = rng.integers(1, max_delay + 1, ie.size) * ms
    return (ie, je, delay), (ii, ji)


def excitatory_synapses(G, i, j, delay, w0, eta, eligibility):
    """The plastic synapses: the RewardSTDP preset (clock-driven c) or the same rule by hand (event-driven c)."""
    if eligibility == "clock":
        rule = RewardSTDP(eta=eta, A_plus=A_PLUS, A_minus=A_MINUS, tau_plus=TAU_STDP, tau_minus=TAU_STDP,
                          tau_c=TAU_C, dopamine="DA", interval=UPDATE_INTERVAL, w_max=W_MAX)
        return Synapses(G, G, "v", weight=w0, plasticity=rule, delay=delay, name="exc").connect(i=i, j=j)
    S = Synapses(G, G, EVENT_MODEL, on_pre="v_post += w\nApre += A_plus\nc += Apost",
                 on_post="Apost += A_minus\nc += Apre", delay=delay, w=w0, A_plus=A_PLUS, A_minus=A_MINUS,
                 tau_plus=TAU_STDP, tau_minus=TAU_STDP, tau_c=TAU_C, eta=eta, w_max=W_MAX, name="exc")
    # eta and w_max are declared in the model: a Synapses rejects values that its equations do not use
    # yet, so a name that only the regular operation reads must be declared (see docs/plasticity.md)
    S.run_regularly(EVENT_UPDATE, dt=UPDATE_INTERVAL)
    return S.connect(i=i, j=j)


def reward_loop(G, n1, n2, delay, target=None, reward=DA_REWARD):
    """The detector of the pairing n1 -> n2 (neurons of ``G``) and its dopamine pulses onto ``target`` (default G).

    Returns (detector group, [its three Synapses]); see the module doc.
    """
    lo, hi = REWARD_DELAY
    D = NeuronGroup(1, DETECTOR, threshold="t >= t_reward", reset="t_reward = never", t_arr=-1 * second,
                    t_reward=NEVER, never=NEVER, name="detector")
    arrival = Synapses(G, D, on_pre="t_arr_post = t", delay=delay, name="n1_arrival").connect(i=[n1], j=[0])
    paired = "int(t - t_arr_post <= window and t_reward_post >= never)"
    schedule = f"t_reward_post = {paired}*(t + lo + (hi - lo)*rand()) + (1 - {paired})*t_reward_post"
    pairing = Synapses(G, D, on_pre=schedule, window=PAIRING_WINDOW, never=NEVER, lo=lo, hi=hi,
                       name="n2_pairing").connect(i=[n2], j=[0])
    dopamine = Synapses(D, G if target is None else target, on_pre="DA_post += reward", reward=reward,
                        name="dopamine").connect()
    return D, [arrival, pairing, dopamine]


def build(seed=1, eta=ETA_PAPER, reward=DA_REWARD, duration=1800.0, eligibility="clock", max_delay=MAX_DELAY,
          n_snapshots=31):
    """The network, the rewarded synapse's index and its monitors.

    Returns (net, dict of objects: G, exc, detector, spikes, rewards, w_rewarded, snapshots, rewarded).
    """
    rng = np.random.default_rng(seed)
    G = cortex()
    (ie, je, delay), (ii, ji) = connectivity(rng, max_delay)
    k = int(rng.choice(np.flatnonzero(je < N_EXC)))       # an excitatory-to-excitatory synapse
    w0 = np.full(ie.size, W_EXC)
    w0[k] = 0.0                                           # the rewarded synapse starts at 0
    S = excitatory_synapses(G, ie, je, delay, w0, eta, eligibility)
    inh = Synapses(G, G, "v", weight=W_INH, delay=1 * ms, name="inh").connect(i=ii, j=ji)
    D, loop = reward_loop(G, ie[k], je[k], delay[k], reward=reward)
    every = int(round(1 * second / DT))
    objs = dict(G=G, exc=S, detector=D, spikes=SpikeMonitor(G), rewards=SpikeMonitor(D),
                w_rewarded=WeightMonitor(S, record=[k], every=every),
                snapshots=WeightMonitor(S, times=np.linspace(0, duration, n_snapshots)[:-1]),
                rewarded=dict(index=k, pre=int(ie[k]), post=int(je[k]), delay_ms=float(delay[k] / ms)))
    parts = [G, S, inh, D, *loop, objs["spikes"], objs["rewards"], objs["w_rewarded"],
             objs["snapshots"]]
    return Network(*parts, dt=DT, seed=seed), objs


def weight_summary(w, k, reward_t, w_rec_t, w_rec):
    """Numbers for summary.json (weights in units of w_max)."""
    others = np.delete(w, k) / W_MAX
    x = w_rec / W_MAX
    reach = np.flatnonzero(x >= 0.9)
    return dict(rewarded_w_over_wmax=float(w[k] / W_MAX), others_mean_over_wmax=float(others.mean()),
                others_median_over_wmax=float(np.median(others)),
                others_p99_over_wmax=float(np.percentile(others, 99)),
                others_max_over_wmax=float(others.max()),
                others_frac_above_0_9_wmax=float(np.mean(others >= 0.9)),
                others_frac_at_or_above_rewarded=float(np.mean(others >= w[k] / W_MAX)),
                n_rewards=int(reward_t.size),
                first_reward_s=float(reward_t[0]) if reward_t.size else None,
                time_to_0_9_wmax_s=float(w_rec_t[reach[0]]) if reach.size else None)


class SpikeWindow:
    """The spikes of a SpikeMonitor in the last ``length`` seconds, shaped like a monitor for
    :func:`spikesim.runner.finish` (an hour of this network is 5 million spikes: too many for a raster)."""

    def __init__(self, monitor, t_end, length):
        keep = monitor.t >= t_end - length
        self.group, self.i, self.t = monitor.group, monitor.i[keep], monitor.t[keep]
        self.num_spikes = int(keep.sum())


def main(argv=None):
    parser = experiment_parser("reward_stdp", __doc__.splitlines()[0], duration=1800.0)
    parser.add_argument("--reward", type=finite_float, default=1.0,
                        help="dopamine per reward in units of the paper's 0.5 (default 1)")
    parser.add_argument("--eta", type=nonnegative_float, default=1.0,
                        help="learning rate in units of the paper's (10 mV/s per unit of c*DA; default 1)")
    parser.add_argument("--eligibility", choices=["clock", "event"], default="clock",
                        help="clock: the RewardSTDP preset; event: the same rule by hand, c event-driven")
    parser.add_argument("--max-delay", type=positive_int, default=MAX_DELAY,
                        help=f"excitatory delays are 1..MAX_DELAY ms (default {MAX_DELAY}, as in the paper's code)")
    args = parser.parse_args(argv)
    net, o = build(args.seed, args.eta * ETA_PAPER, args.reward * DA_REWARD, args.duration, args.eligibility,
                   args.max_delay)
    wall = timed_run(net, args.duration * second, args)
    k = o["rewarded"]["index"]
    w = o["exc"].w
    reward_t = o["rewards"].t
    w_t = np.append(o["w_rewarded"].t, net.t)
    w_k = np.append(o["w_rewarded"].w[0], w[k])
    extra = dict(weight_summary(w, k, reward_t, w_t, w_k), rewarded_synapse=o["rewarded"],
                 eta_over_paper=args.eta, reward_over_paper=args.reward, eligibility=args.eligibility,
                 max_delay_ms=args.max_delay, w_max_mV=W_MAX / mV,
                 reward_times_s=reward_t.tolist(),
                 exc_rate_hz=float(np.sum(o["spikes"].i < N_EXC) / N_EXC / net.t),
                 inh_rate_hz=float(np.sum(o["spikes"].i >= N_EXC) / N_INH / net.t))
    n_spikes = int(o["spikes"].num_spikes)
    extra.update(n_spikes=n_spikes, mean_rate_hz=n_spikes / (N_EXC + N_INH) / net.t,     # of the 1000 cells
                 raster_and_spikes_npz=f"the last {RASTER_WINDOW:g} s")
    summary = finish("reward_stdp", net, [SpikeWindow(o["spikes"], net.t, RASTER_WINDOW)], args, wall, extra=extra)
    snaps = o["snapshots"]
    np.savez(args.out / "weights.npz", w_final=w, rewarded=k, w_rewarded_t=w_t, w_rewarded=w_k,
             snapshot_t=snaps.t, snapshots=snaps.w, reward_t=reward_t)
    _figure(w_t, w_k, np.append(snaps.t, net.t), np.column_stack([snaps.w, w]), k, reward_t,
            args.out / "reward_stdp.png")
    return summary


def _figure(w_t, w_k, snap_t, snaps, k, reward_t, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    others = np.delete(snaps, k, axis=0) / W_MAX
    with lecture_style():
        fig = Figure(figsize=(14, 5), layout="constrained")
        a, b = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
        p10, med, p90, p99 = np.percentile(others, [10, 50, 90, 99], axis=0)
        a.fill_between(snap_t, p10, p90, color="0.85", label="other synapses: 10th-90th percentile")
        a.plot(snap_t, med, color="0.5", lw=1.5, label="other synapses: median")
        a.plot(snap_t, p99, color="0.5", lw=1, ls="--", label="other synapses: 99th percentile")
        a.plot(w_t, w_k / W_MAX, color="#D55E00", lw=2.5, label="rewarded synapse")
        a.plot(reward_t, np.full(reward_t.size, 1.04), "|", color="#0072B2", ms=10, label="rewards")
        a.set_ylim(-0.02, 1.08)
        a.set_xlabel("time (s)")
        a.set_ylabel("w / w_max")
        a.legend(loc="center right", fontsize=10)
        b.hist(others[:, -1], bins=np.linspace(0, 1, 41), color="0.6")
        b.axvline(w_k[-1] / W_MAX, color="#D55E00", lw=2.5, label="rewarded synapse")
        b.set_yscale("log")
        b.set_xlabel("final w / w_max")
        b.set_ylabel("synapses")
        b.legend(loc="upper center", fontsize=10)
        savefig(fig, path)


if __name__ == "__main__":
    main()
