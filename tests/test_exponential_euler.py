"""lif_coba with exponential Euler: closed form for one step, stability, cpu == reference."""
import math

import numpy as np

from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses
from spikesim.units import mV, ms


def test_one_step_is_the_exact_relaxation_for_frozen_conductances():
    G = NeuronGroup(1, "lif_coba", method="exponential_euler", El=-65 * mV, Ee=0.0, Ei=-100 * mV, gl=1.0,
                    Cm=100 * ms, tau_e=1 * ms, tau_i=2 * ms, v=-70 * mV, ge=3.0, gi=500.0)
    dt = 0.5 * ms
    Network(G, dt=dt).run(dt, progress=False)
    ge, gi = 3.0, 500.0
    g = 1.0 + ge + gi
    v_inf = (-65e-3 + gi * -100e-3) / g
    expected = v_inf + (-70e-3 - v_inf) * math.exp(-dt * g / 0.1)
    assert abs(G.v[0] - expected) < 1e-15
    assert abs(G.ge[0] - ge * math.exp(-dt / 1e-3)) < 1e-15


def _net(backend, method):
    inp = PoissonGroup(20, rates=300.0)
    G = NeuronGroup(6, "lif_coba", method=method, El=-65 * mV, Ee=0.0, Ei=-100 * mV, gl=1.0, Cm=100 * ms,
                    tau_e=1 * ms, tau_i=2 * ms, v_th=-52 * mV, v_reset=-65 * mV, refractory=5 * ms)
    Se = Synapses(inp, G, "ge", weight=lambda r, n: r.uniform(0, 1.0, n)).connect(p=0.7)
    inh = PoissonGroup(2, rates=20.0)
    Si = Synapses(inh, G, "gi", weight=600.0).connect()     # rare, huge inhibitory jumps: dt g / Cm = 3 > 2
    M, V = SpikeMonitor(G), StateMonitor(G, ("v", "gi"))
    net = Network(inp, inh, G, Se, Si, M, V, dt=0.5 * ms, seed=4)
    net.run(0.1, backend=backend, progress=False)
    return M, V


def test_stable_where_euler_is_not_and_backends_agree():
    M1, V1 = _net("cpu", "exponential_euler")
    M2, V2 = _net("reference", "exponential_euler")
    assert np.array_equal(M1.i, M2.i) and np.array_equal(M1.step, M2.step)
    np.testing.assert_allclose(V1.v, V2.v, rtol=1e-13, atol=1e-16)
    # v stays between the reversal potentials (an exact relaxation cannot overshoot)
    assert V1.v.min() >= -100e-3 - 1e-12 and V1.v.max() <= 1e-12
    assert M1.num_spikes > 0 and V1.gi.max() > 500
