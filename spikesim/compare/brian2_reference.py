"""Hand-written Brian2 versions of spikesim's reference networks, fed identical inputs.

Used by the tests and benchmarks that check spikesim against Brian2 spike
for spike: the connectivity, initial state and input spikes are taken from
spikesim, so any difference comes from the simulators, not the draws.
Brian2 is imported lazily; ``target`` is Brian2's code-generation target
(``"numpy"``, ``"cython"``) or ``"cpp_standalone"``.
"""
from __future__ import annotations

import numpy as np


def _setup(target, workdir):
    from ..equations.sandbox import import_brian2
    b2 = import_brian2()
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=str(workdir), build_on_run=False)
    else:
        b2.prefs.codegen.target = target
    b2.defaultclock.dt = 0.1 * b2.ms
    return b2


def song2000(input_i, input_t, n_inputs, w0, duration, target="numpy", workdir=None, rate=15.0):
    """Brian2's examples/synapses/STDP.py with the given input spikes and initial weights.

    With ``input_i=None`` the inputs are Brian2's own PoissonGroup at ``rate`` Hz
    and ``w0=None`` draws the initial weights in Brian2 (the original example).

    Returns dict(post_t, w, sim_s): post-synaptic spike times (s), final weights, simulation time.
    """
    import time
    b2 = _setup(target, workdir)
    ms, mV, second = b2.ms, b2.mV, b2.second
    ns = dict(taum=10 * ms, taupre=20 * ms, taupost=20 * ms, Ee=0 * mV, vt=-54 * mV, vr=-60 * mV,
              El=-74 * mV, taue=5 * ms, gmax=0.01)
    ns["dApre"] = 0.01 * ns["gmax"]
    ns["dApost"] = -ns["dApre"] * 1.05
    eqs = """
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    """
    if input_i is None:
        inp = b2.PoissonGroup(n_inputs, rates=rate * b2.Hz)
    else:
        inp = b2.SpikeGeneratorGroup(n_inputs, input_i, input_t * second)
    neuron = b2.NeuronGroup(1, eqs, threshold="v>vt", reset="v = vr", method="euler", namespace=ns)
    S = b2.Synapses(inp, neuron, """w : 1
                    dApre/dt = -Apre / taupre : 1 (event-driven)
                    dApost/dt = -Apost / taupost : 1 (event-driven)""",
                    on_pre="""ge += w
                    Apre += dApre
                    w = clip(w + Apost, 0, gmax)""",
                    on_post="""Apost += dApost
                    w = clip(w + Apre, 0, gmax)""", namespace=ns)
    S.connect()
    if w0 is None:
        S.w = "rand() * gmax"
    else:
        S.w = w0
    M = b2.SpikeMonitor(neuron)
    net = b2.Network(inp, neuron, S, M)
    t0 = time.perf_counter()
    net.run(duration * second)
    if target == "cpp_standalone":
        b2.device.build(directory=str(workdir), compile=True, run=True)
        sim = b2.device._last_run_time
    else:
        sim = time.perf_counter() - t0
    return dict(post_t=np.asarray(M.t / second), w=np.asarray(S.w[:]), sim_s=float(sim))
