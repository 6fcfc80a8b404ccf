"""A small CUBA network run in Brian2 (numpy target) and in spikesim gives identical spikes."""
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses
from spikesim.units import mV, ms

pytestmark = pytest.mark.brian2
b2 = pytest.importorskip("brian2")

N, NE, DURATION = 160, 128, 200 * ms


def _fixed_setup(seed=11):
    rng = np.random.default_rng(seed)
    conn = rng.random((N, N)) < 0.1
    i, j = np.nonzero(conn)
    v0 = (-60 + 10 * rng.random(N)) * mV
    gen_i = rng.integers(0, 20, 60)
    gen_t = np.sort(rng.choice(np.arange(1, 1900), 60, replace=False)) * 0.1 * ms
    keep = np.unique(np.stack([gen_i, np.round(gen_t / (0.1 * ms))]), axis=1, return_index=True)[1]
    return i, j, v0, gen_i[keep], gen_t[keep]


def _spikesim(backend):
    i, j, v0, gi_, gt_ = _fixed_setup()
    P = NeuronGroup(N, "lif_cuba", El=-49 * mV, tau_m=20 * ms, tau_e=5 * ms, tau_i=10 * ms, v_th=-50 * mV,
                    v_reset=-60 * mV, refractory=5 * ms, v=v0)
    G = SpikeGeneratorGroup(20, gi_, gt_)
    exc = i < NE
    Ce = Synapses(P, P, "ge", weight=1.62 * mV).connect(i=i[exc], j=j[exc])
    Ci = Synapses(P, P, "gi", weight=-9 * mV).connect(i=i[~exc], j=j[~exc])
    Cg = Synapses(G, P, "ge", weight=3 * mV, delay=1.5 * ms).connect(i=np.arange(20), j=np.arange(20))
    M, S = SpikeMonitor(P), StateMonitor(P, "v", record=[0, 50, 150])
    Network(P, G, Ce, Ci, Cg, M, S, dt=0.1 * ms, seed=0).run(DURATION, backend=backend, progress=False)
    return M, S


def _brian2():
    from brian2 import (NeuronGroup as BG, Network as BN, SpikeGeneratorGroup as BSG, SpikeMonitor as BSM,
                        StateMonitor as BSt, Synapses as BS, defaultclock, ms as bms, mV as bmV, prefs, second)
    prefs.codegen.target = "numpy"
    i, j, v0, gi_, gt_ = _fixed_setup()
    defaultclock.dt = 0.1 * bms
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    ns = dict(taum=20 * bms, taue=5 * bms, taui=10 * bms, Vt=-50 * bmV, Vr=-60 * bmV, El=-49 * bmV)
    P = BG(N, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * bms, method="exact", namespace=ns)
    P.v = v0 * 1e3 * bmV
    G = BSG(20, gi_, gt_ * second)
    exc = i < NE
    Ce = BS(P, P, "w : volt", on_pre="ge += w")
    Ce.connect(i=i[exc], j=j[exc])
    Ce.w = 1.62 * bmV
    Ci = BS(P, P, "w : volt", on_pre="gi += w")
    Ci.connect(i=i[~exc], j=j[~exc])
    Ci.w = -9 * bmV
    Cg = BS(G, P, "w : volt", on_pre="ge += w", delay=1.5 * bms)
    Cg.connect(i=np.arange(20), j=np.arange(20))
    Cg.w = 3 * bmV
    M, S = BSM(P), BSt(P, "v", record=[0, 50, 150])
    net = BN(P, G, Ce, Ci, Cg, M, S)
    net.run(DURATION * second)
    return M, S


@pytest.fixture(scope="module")
def brian2_result():
    M, S = _brian2()
    return np.asarray(M.i), np.asarray(M.t / b2.second), np.asarray(S.v / b2.volt)


@pytest.mark.parametrize("backend", ["cpu", "reference"])
def test_identical_spike_trains(brian2_result, backend):
    bi, bt, bv = brian2_result
    M, S = _spikesim(backend)
    assert M.num_spikes > 200
    assert M.num_spikes == bi.size
    np.testing.assert_array_equal(M.i, bi)
    np.testing.assert_allclose(M.t, bt, rtol=0, atol=1e-12)
    np.testing.assert_allclose(S.v, bv, rtol=1e-12, atol=0)
