"""Connection rules and the CSR layout."""
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, Synapses
from spikesim.units import ms


def _built(S, *groups, seed=0):
    Network(*groups, S, seed=seed).build()
    return S


def test_bernoulli_count_and_subsets():
    G = NeuronGroup(1000)
    S = _built(Synapses(G, G).connect(p=0.02, pre=slice(0, 800)), G)
    n = len(S)
    assert abs(n - 0.02 * 800 * 1000) < 5 * np.sqrt(0.02 * 800 * 1000)
    assert S.i.max() < 800
    pairs = S.i * 1000 + S.j
    assert np.unique(pairs).size == n                     # no duplicate pairs
    assert np.all(np.diff(pairs) > 0)                     # creation order sorted by (i, j)


def test_in_degree_one_to_one_all_and_autapses():
    G, H = NeuronGroup(30), NeuronGroup(20)
    S = _built(Synapses(G, H).connect(in_degree=7), G, H)
    assert np.all(np.bincount(S.j, minlength=20) == 7)
    A = _built(Synapses(G, G).connect(in_degree=29, autapses=False), G)
    assert np.all(A.i != A.j) and np.all(np.bincount(A.j, minlength=30) == 29)
    O = _built(Synapses(G, G).connect(one_to_one=True), G)
    np.testing.assert_array_equal(O.i, O.j)
    F = _built(Synapses(G, H).connect(), G, H)
    assert len(F) == 600
    N = _built(Synapses(G, G).connect(autapses=False), G)
    assert len(N) == 870 and np.all(N.i != N.j)


def test_explicit_order_weights_delays_and_reverse_index():
    G = NeuronGroup(4)
    i = np.array([2, 0, 2, 1, 0])
    j = np.array([1, 3, 0, 0, 2])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    d = np.array([0.3, 0.1, 0.1, 0.0, 0.2]) * ms
    S = _built(Synapses(G, G, "v", weight=w, delay=d).connect(i=i, j=j), G)
    np.testing.assert_array_equal(S.i, i)
    np.testing.assert_array_equal(S.j, j)
    np.testing.assert_array_equal(S.w, w)
    np.testing.assert_array_equal(S.delay_steps(), [3, 1, 1, 0, 2])
    S.w = w * 10
    np.testing.assert_array_equal(S.w, w * 10)
    ptr, syn = S.reverse_index()
    for post in range(4):
        assert sorted(S.post_index[syn[ptr[post]:ptr[post + 1]]]) == [post] * (ptr[post + 1] - ptr[post])
    assert ptr[-1] == 5


def test_static_synapse_memory_is_at_most_16_bytes():
    G = NeuronGroup(2000)
    S = _built(Synapses(G, G, weight=1e-3).connect(p=0.02), G)
    assert S.memory_bytes() / len(S) <= 16
    # heterogeneous delays add a creation-order permutation (4 B) and one row pointer
    # per (source, distinct delay): 41 delays x 2000 sources x 8 B over ~80,000 synapses
    T = _built(Synapses(G, G, weight=1e-3, delay=lambda r, n: r.uniform(1, 5, n) * ms).connect(p=0.02), G)
    assert T.memory_bytes() / len(T) <= 16 + 4 + 41 * 2000 * 8 / len(T) + 1e-9


def test_connect_twice_and_unbuilt_access():
    G = NeuronGroup(3)
    S = Synapses(G, G).connect(p=0.5)
    with pytest.raises(RuntimeError, match="already connected"):
        S.connect(p=0.1)
    with pytest.raises(RuntimeError, match="drawn when the network is built"):
        S.w
    with pytest.raises(RuntimeError, match="never connected"):
        Network(G, Synapses(G, G)).build()
