"""Short networks for the sweep tests: module-level functions, so Dask workers can import them."""
import os
import signal

import numpy as np

from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses
from spikesim.units import Hz, mV, ms


def short_network(rate, w, seed, out=None):
    """50 Poisson inputs at ``rate`` Hz onto 20 LIF neurons (weight ``w`` mV), 0.2 s; its summary."""
    inp = PoissonGroup(50, rates=rate * Hz, name="inp")
    G = NeuronGroup(20, "lif_cuba", tau_m=20 * ms, v_th=-50 * mV, v_reset=-60 * mV, refractory=2 * ms,
                    El=-60 * mV, v=lambda rng, k: rng.uniform(-60, -50, k) * mV, name="G")
    S = Synapses(inp, G, "ge", weight=w * mV, delay=1 * ms).connect(p=0.3)
    M = SpikeMonitor(G)
    V = StateMonitor(G, "v", record=[0, 1])
    net = Network(inp, G, S, M, V, dt=0.1 * ms, seed=seed)
    net.run(0.2)
    if out is not None:
        np.savez(out / "spikes.npz", i=M.i, t=M.t)
    return {"n_spikes": int(M.num_spikes), "mean_rate_hz": M.num_spikes / 20 / 0.2,
            "mean_v_mV": float(V.values("v").mean() / mV), "n_synapses": len(S), "first_spike_t":
            float(M.t.min()) if M.num_spikes else None}


def _log(folder, text):
    with open(os.path.join(folder, "calls.log"), "a") as fh:
        fh.write(text + "\n")


def logged_network(rate, w, seed, out, log_dir):
    """:func:`short_network`, noting each call in ``log_dir/calls.log``."""
    _log(log_dir, f"{rate} {w} {seed}")
    return short_network(rate, w, seed, out)


def killing_network(rate, w, seed, out, log_dir, kill_at):
    """:func:`logged_network`; the first call at ``rate == kill_at`` SIGKILLs its own worker process."""
    if rate == kill_at:
        try:
            fd = os.open(os.path.join(log_dir, "killed"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
    return logged_network(rate, w, seed, out, log_dir)


def interrupting_network(rate, w, seed, out, log_dir, stop_at):
    """:func:`logged_network`; the first call at ``rate == stop_at`` raises KeyboardInterrupt (Ctrl-C)."""
    if rate == stop_at and not os.path.exists(os.path.join(log_dir, "stopped")):
        open(os.path.join(log_dir, "stopped"), "w").close()
        raise KeyboardInterrupt
    return logged_network(rate, w, seed, out, log_dir)


def failing_network(rate, w, seed, out=None):
    """:func:`short_network`, except that a negative weight is refused with a ValueError."""
    if w < 0:
        raise ValueError(f"w must be >= 0 mV, got {w}")
    return short_network(rate, w, seed, out)


def inherited(x, seed):
    """Whether this process holds the module the test process registered (True in a forked worker), and
    whether the Dask worker running it (if any) samples its tasks' stacks (Dask's profiler)."""
    import sys
    distributed = sys.modules.get("distributed")
    try:
        profiler = "profile" in distributed.get_worker().periodic_callbacks
    except (AttributeError, ValueError):        # not in a worker
        profiler = None
    return {"x2": 2 * x, "inherited": "_spikesim_test_fork_marker" in sys.modules, "profiler": profiler}
