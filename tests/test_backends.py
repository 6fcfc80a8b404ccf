"""The numba cpu backend against the numpy reference on random small networks.

The random network (tests/netfactory.py) runs every neuron preset, an equation model, every input kind and
every plasticity rule next to rules written as equations; states, weights and traces must be identical.
"""
import numpy as np
import pytest

from netfactory import random_network
from spikesim.backends import _scalar as S
from spikesim.backends import reference as R
from spikesim.units import ms


def _run(seed, backend, chunks):
    net, groups, syns, mons, states, rates = random_network(seed)
    for c in chunks:
        net.run(c, backend=backend, progress=False)
    return net, groups, syns, mons, states, rates


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cpu_equals_reference(seed):
    a = _run(seed, "reference", [40 * ms])
    b = _run(seed, "cpu", [40 * ms])
    _, ga, _, ma, sa, ra = a
    _, gb, _, mb, sb, rb = b
    total = 0
    for x, y in zip(ma, mb):
        np.testing.assert_array_equal(x.i, y.i)
        np.testing.assert_array_equal(x.step, y.step)
        total += x.num_spikes
    assert total > 50, "the random network should be active"
    for x, y in zip(ga, gb):
        if hasattr(x, "_x"):
            np.testing.assert_array_equal(x._x, y._x)
    for x, y in zip(a[2], b[2]):
        for arr in ("_sx", "_bx", "_px", "lastupdate"):
            np.testing.assert_array_equal(getattr(x, arr), getattr(y, arr), err_msg=f"{x.name}.{arr}")
    learned = [s.name for s, w0 in zip(b[2], _initial_weights(seed)) if not np.array_equal(s._sx, w0)]
    assert {"stdp", "triplet", "hebb", "eqrule"} <= set(learned), learned
    for x, y in zip(sa, sb):
        for v in x.variables:
            np.testing.assert_array_equal(x.values(v), y.values(v))
        np.testing.assert_array_equal(x.step, y.step)
    for x, y in zip(ra, rb):
        np.testing.assert_array_equal(x.rate, y.rate)


def _initial_weights(seed):
    net, groups, syns, *_ = random_network(seed)
    net.build()
    return [s._sx.copy() for s in syns]


def test_chunking_does_not_change_results():
    a = _run(4, "cpu", [40 * ms])
    b = _run(4, "cpu", [7 * ms, 0.1 * ms, 20 * ms, 12.9 * ms])
    for x, y in zip(a[3], b[3]):
        np.testing.assert_array_equal(x.i, y.i)
        np.testing.assert_array_equal(x.step, y.step)
    net, *_ = _run(4, "cpu", [])
    net.run(40 * ms, progress=False, chunk_steps=13)
    for x, y in zip(a[3], _run_mons(net)):
        np.testing.assert_array_equal(x.step, y.step)


def test_adaptive_chunks_do_not_change_results(monkeypatch):
    from spikesim.model import network as N
    a = _run(4, "cpu", [40 * ms])
    sizes = []
    real = N._next_chunk
    monkeypatch.setattr(N, "CHUNK_STEPS", (7, 3, 50))     # 400 steps: 7, 14, 28, 50, 50, ...
    monkeypatch.setattr(N, "_next_chunk", lambda s, w, m: sizes.append(real(s, 0.0, m)) or sizes[-1])
    net, *_ = _run(4, "cpu", [])
    net.run(40 * ms, progress=False)
    assert sizes[:4] == [14, 28, 50, 50], sizes
    for x, y in zip(a[3], _run_mons(net)):
        np.testing.assert_array_equal(x.i, y.i)
        np.testing.assert_array_equal(x.step, y.step)


def test_next_chunk_doubles_when_fast_halves_when_slow_and_stays_in_bounds():
    from spikesim.model.network import CHUNK_STEPS, _next_chunk
    first, fewest, most = CHUNK_STEPS
    assert _next_chunk(first, 0.01, most) == 2 * first
    assert _next_chunk(first, 0.5, most) == first
    assert _next_chunk(first, 5.0, most) == first // 2
    assert _next_chunk(most, 0.01, most) == most
    assert _next_chunk(fewest, 5.0, most) == fewest
    assert _next_chunk(first, 0.01, 300) == 300          # a state monitor's memory cap wins
    assert _next_chunk(300, 5.0, 300) == 300


def _run_mons(net):
    from spikesim import SpikeMonitor
    return [o for o in net.objects if isinstance(o, SpikeMonitor)]


def test_spike_buffer_overflow_splits_chunk():
    from spikesim.backends.cpu.run import CpuEngine
    net, groups, syns, mons, states, rates = random_network(5)
    ref_net, *rest = random_network(5)
    ref_net.run(30 * ms, progress=False)
    cn = net.build()
    cn.prepare()
    cn.start(0)
    eng = CpuEngine(cn, spike_buffer=1)   # capacity = 2 N: forces many short chunks
    n = 0
    while n < 300:
        res = eng.run_chunk(n, 300 - n)
        net._hand_over(res)
        assert res.steps_done >= 1
        n += res.steps_done
    for x, y in zip(mons, rest[2]):
        np.testing.assert_array_equal(x.step, y.step)


def test_counter_rng_matches_python_integers():
    rng = np.random.default_rng(0)
    for _ in range(200):
        key, i, k = (int(x) for x in rng.integers(0, 2 ** 63, 3))
        key |= int(rng.integers(0, 2)) << 63
        assert S.uniform01(np.uint64(key), i, k) == R.uniform01(key, i, k)


def test_poisson_rate_statistics():
    from spikesim import Network, PoissonGroup, SpikeMonitor
    P = PoissonGroup(2000, rates=np.repeat([5.0, 50.0], 1000))
    M = SpikeMonitor(P)
    Network(P, M, seed=7).run(2.0, progress=False)
    c = M.count
    for block, rate in ((c[:1000], 5.0), (c[1000:], 50.0)):
        mean = block.mean() / 2.0
        # 1000 neurons x 2 s: the standard error of the mean rate is sqrt(rate/2000)
        assert abs(mean - rate) < 5 * np.sqrt(rate / 2000)
        # Poisson counts: variance equals the mean (Fano factor 1)
        assert block.var() / block.mean() == pytest.approx(1.0, abs=0.15)
    isi = np.diff(M.spike_trains()[1500])
    assert isi.min() >= 1e-4 - 1e-12


# ---------------------------------------------------------------- property-based
from hypothesis import example, given, settings, strategies as st  # noqa: E402


# derandomize: the same examples on every run, so CI cannot fail by chance; the explicit
# examples are edge cases found earlier (rates so small that the waiting time overflows)
@settings(max_examples=15, deadline=None, derandomize=True)
@example(n_pre=1, n_post=1, p=0.0, max_delay=0, rate=2.35e-307, seed=0, w=0.0)
@example(n_pre=1, n_post=1, p=0.0, max_delay=0, rate=2.6e-156, seed=0, w=0.0)
@given(n_pre=st.integers(1, 12), n_post=st.integers(1, 12), p=st.floats(0.0, 1.0),
       max_delay=st.integers(0, 30), rate=st.floats(0.0, 2000.0), seed=st.integers(0, 2 ** 32 - 1),
       w=st.floats(-5.0, 5.0))
def test_random_delay_networks_cpu_equals_reference(n_pre, n_post, p, max_delay, rate, seed, w):
    from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses
    from spikesim.units import mV

    def build():
        src = PoissonGroup(n_pre, rates=rate)
        G = NeuronGroup(n_post, "lif_cuba", refractory=1 * ms, v=lambda r, k: r.uniform(-60, -50, k) * mV)
        S1 = Synapses(src, G, "ge", weight=w * mV,
                      delay=lambda r, k: r.integers(0, max_delay + 1, k) * 0.1 * ms).connect(p=p)
        S2 = Synapses(G, G, "gi", weight=-w * mV, delay=max_delay * 0.1 * ms).connect(p=p)
        M, V = SpikeMonitor(G), StateMonitor(G, ("v", "ge", "gi"))
        return Network(src, G, S1, S2, M, V, seed=seed), M, V

    a, ma, va = build()
    b, mb, vb = build()
    a.run(5 * ms, backend="reference", progress=False)
    b.run(5 * ms, backend="cpu", progress=False)
    np.testing.assert_array_equal(ma.i, mb.i)
    np.testing.assert_array_equal(ma.step, mb.step)
    for var in ("v", "ge", "gi"):
        np.testing.assert_array_equal(va.values(var), vb.values(var))


def test_calendar_window_must_be_a_power_of_two():
    from spikesim.backends.cpu.inputs import HORIZON, calendar_build
    assert HORIZON & (HORIZON - 1) == 0
    n = 4
    args = (np.full(n, -1, np.int64), np.zeros(n, np.int64), np.full(n, np.log1p(-0.01)), np.uint64(7))
    with pytest.raises(ValueError, match="power of two"):
        calendar_build(0, *args, np.full(3, -1, np.int64), np.full(n, -1, np.int64), np.zeros(n, np.int64),
                       np.zeros(1, np.int64))
    head = np.full(8, -1, np.int64)
    calendar_build(0, *args, head, np.full(n, -1, np.int64), np.zeros(n, np.int64), np.zeros(1, np.int64))
    assert (head >= 0).any() or args[0].min() >= 8          # every neuron filed: in a bucket or far
