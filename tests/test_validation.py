"""Bad input fails early with a message naming the parameter; NaN stops a run cleanly."""
import numpy as np
import pytest

from spikesim import (Network, NeuronGroup, PoissonGroup, SimulationError, SpikeGeneratorGroup, SpikeMonitor,
                      StateMonitor, Synapses, TimedArray)
from spikesim.units import ms


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(N=0), ValueError, "N must be >= 1"),
    (dict(N=2.5), TypeError, "N must be an integer"),
    (dict(N=3, model="hodgkin"), ValueError, "model must be one of"),
    (dict(N=3, tau_m=-20 * ms), ValueError, "tau_m must be > 0"),
    (dict(N=3, tau_e=0.0), ValueError, "tau_e must be > 0"),
    (dict(N=3, El=np.nan), ValueError, "El must be finite"),
    (dict(N=3, v=[1.0, 2.0]), ValueError, "v must be a scalar or have length 3"),
    (dict(N=3, tau_x=1.0), ValueError, "unknown name"),
    (dict(N=3, refractory=-1 * ms), ValueError, "refractory must be >= 0"),
    (dict(N=3, method="leapfrog"), ValueError, "method must be one of"),
    (dict(N=3, model="dv/dt = -v/tau : volt", tau=1 * ms, threshold="v > x"), ValueError, "unknown name 'x'"),
    (dict(N=3, model="dv/dt = -v : volt"), ValueError, "units do not match"),
    (dict(N=3, model="dv/dt = -v/tau : volt"), ValueError, "unknown name 'tau'"),
    (dict(N=3, model="dv/dt = -v/ : volt", tau=1.0), ValueError, "do not parse"),
    (dict(N=3, model="dv/dt = -v/tau : volt", tau=1.0, threshold="1 > 0"), ValueError, "uses no variable"),
    (dict(N=3, v="high"), TypeError, "v must be a number"),
])
def test_neurongroup_rejects(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        NeuronGroup(**kwargs)


def test_synapses_and_inputs_reject():
    G = NeuronGroup(4)
    with pytest.raises(ValueError, match="target must be a variable of the post-synaptic group"):
        Synapses(G, G, "gx")
    with pytest.raises(ValueError, match=r"p must be in \[0.0, 1.0\]"):
        Synapses(G, G).connect(p=1.5)
    with pytest.raises(ValueError, match="delay must be >= 0"):
        Synapses(G, G, delay=-1 * ms)
    with pytest.raises(ValueError, match="weight must be finite"):
        Synapses(G, G, weight=np.inf)
    with pytest.raises(ValueError, match=r"j must be in \[0, 4\)"):
        Synapses(G, G).connect(i=[0], j=[7])
    with pytest.raises(ValueError, match="in_degree must be <= 4"):
        S = Synapses(G, G).connect(in_degree=9)
        Network(G, S).build()
    S = Synapses(G, G, weight=[1.0, 2.0]).connect(p=1.0)
    with pytest.raises(ValueError, match=r"weight must be a scalar or have one value per synapse \(16\)"):
        Network(G, S).build()
    with pytest.raises(TypeError, match="post must be a NeuronGroup"):
        Synapses(G, PoissonGroup(2, 1.0))
    with pytest.raises(ValueError, match="rates must be >= 0"):
        PoissonGroup(3, rates=-1.0)
    with pytest.raises(ValueError, match=r"indices must be in \[0, 2\)"):
        SpikeGeneratorGroup(2, [0, 5], [0.0, 1 * ms])
    with pytest.raises(ValueError, match="times must be finite and >= 0"):
        SpikeGeneratorGroup(2, [0], [-1.0])
    gen = SpikeGeneratorGroup(2, [1, 1], [1.0 * ms, 1.04 * ms])
    with pytest.raises(ValueError, match="spikes more than once in the time step"):
        Network(gen).run(2 * ms, progress=False)
    with pytest.raises(ValueError, match=r"one column per neuron \(2\), got 5"):
        NeuronGroup(2, I=TimedArray(np.zeros((3, 5)), dt=1 * ms))
    with pytest.raises(ValueError, match="dt must be > 0"):
        TimedArray([0.0, 1.0], dt=0.0)


def test_network_and_run_reject():
    G = NeuronGroup(2)
    with pytest.raises(ValueError, match="dt must be > 0"):
        Network(G, dt=0.0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        Network(NeuronGroup(1), seed=-1)
    net = Network(G)
    with pytest.raises(ValueError, match="duration must be a whole number of time steps"):
        net.run(1.05e-4)
    with pytest.raises(ValueError, match="duration must be >= 0"):
        net.run(-1.0)
    with pytest.raises(ValueError, match="backend must be"):
        net.run(1 * ms, backend="gpu")
    with pytest.raises(TypeError, match="objects must be"):
        Network("a neuron")
    del net                      # G belongs to net while net exists (it never ran: it may join another network)
    H = NeuronGroup(2)
    S = Synapses(G, H).connect()
    with pytest.raises(ValueError, match="its post group"):
        Network(G, S).build()
    with pytest.raises(ValueError, match="added twice"):
        Network(G, G)
    M = StateMonitor(G, "v")
    with pytest.raises(ValueError, match="variables must be variables of the group's model"):
        StateMonitor(G, "u")
    with pytest.raises(RuntimeError, match="has no data"):
        M.t


@pytest.mark.parametrize("backend", ["reference", "cpu"])
def test_nan_stops_run_and_keeps_records(backend):
    # AdEx with a huge step diverges: v overflows through the exponential
    G = NeuronGroup(3, "adex", I=[0.0, 0.0, 100e-9], v_th=1e300, name="runaway")
    M = StateMonitor(G, "v")
    S = SpikeMonitor(G)
    net = Network(G, M, S, dt=0.1 * ms)
    with pytest.raises(SimulationError, match=r"group 'runaway', neuron 2, at t = "):
        net.run(200 * ms, backend=backend, progress=False)
    assert 0 < net.step < 2000
    assert M.t.size == net.step + 1      # the failing step's start was recorded too
    assert np.all(np.isfinite(M.v[:, :-1]))
