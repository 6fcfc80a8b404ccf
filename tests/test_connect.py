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


# digests of (S.i, S.j, delay steps, dptr, post_index, perm) made by the sparse samplers and the layout before the
# dense samplers existed (spikesim at commit a196cf3): the usual densities keep their synapses for a given seed
GOLDEN = {"p02": (20027, "e08b902a50213078"), "p02_noaut": (19982, "7a208bca4e1d9de8"),
          "p2_sub": (48666, "df79f010bda83331"), "indeg": (50000, "b75d07a76c549df1"),
          "indeg_sub": (10000, "e373fca2b7468314"), "delays": (15030, "9504cb04fbcf4b62"),
          "explicit": (5000, "512ccd4fa4fbc09e")}


def test_sparse_densities_draw_the_same_synapses_as_before():
    import hashlib

    def digest(*arrs):
        h = hashlib.sha1()
        for a in arrs:
            h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
        return h.hexdigest()[:16]

    G, H = NeuronGroup(1000), NeuronGroup(300)
    r3, r4 = np.random.default_rng(3), np.random.default_rng(4)
    cases = {
        "p02": Synapses(G, G, weight=1e-3).connect(p=0.02),
        "p02_noaut": Synapses(G, G, weight=1e-3).connect(p=0.02, autapses=False),
        "p2_sub": Synapses(G, H, weight=1e-3).connect(p=0.2, pre=slice(100, 900)),
        "indeg": Synapses(G, G, weight=1e-3).connect(in_degree=50, autapses=False),
        "indeg_sub": Synapses(G, G, weight=1e-3).connect(in_degree=20, autapses=False, pre=np.arange(0, 1000, 3),
                                                         post=slice(0, 500)),
        "delays": Synapses(G, H, weight=1e-3, delay=lambda r, n: r.uniform(0, 3, n) * ms).connect(p=0.05),
        "explicit": Synapses(H, H, weight=1e-3, delay=lambda r, n: r.uniform(0, 1, n) * ms).connect(
            i=r3.integers(0, 300, 5000), j=r4.integers(0, 300, 5000)),
    }
    Network(G, H, *cases.values(), seed=7).build()
    for k, S in cases.items():
        perm = S._perm if S._perm is not None else []
        assert (len(S), digest(S.i, S.j, S.delay_steps(), S.dptr, S.post_index, perm)) == GOLDEN[k], k


@pytest.mark.parametrize("p", [0.3, 0.7, 0.95])
def test_dense_bernoulli_statistics(p):
    n_pre, n_post = 300, 200
    G, H = NeuronGroup(n_pre), NeuronGroup(n_post)
    S = _built(Synapses(G, H).connect(p=p), G, H, seed=5)
    n = len(S)
    mean, sd = p * n_pre * n_post, np.sqrt(n_pre * n_post * p * (1 - p))
    assert abs(n - mean) < 5 * sd
    pairs = S.i * n_post + S.j
    assert np.all(np.diff(pairs) > 0)                          # distinct, sorted by (i, j)
    rows = np.bincount(S.i, minlength=n_pre)                   # Binomial(n_post, p) per row
    assert abs(rows.var() / (n_post * p * (1 - p)) - 1) < 0.3
    cols = np.bincount(S.j, minlength=n_post)                  # every target equally likely
    assert abs(cols.mean() - n_pre * p) < 1e-9 + 5 * np.sqrt(n_pre * p * (1 - p) / n_post)
    A = _built(Synapses(G, G).connect(p=p, autapses=False), G, seed=5)
    assert np.all(A.i != A.j)
    assert abs(len(A) - p * n_pre * (n_pre - 1)) < 5 * np.sqrt(n_pre * (n_pre - 1) * p * (1 - p))


def test_p_one_and_dense_in_degree():
    G, H = NeuronGroup(50), NeuronGroup(40)
    F = _built(Synapses(G, H).connect(p=1.0), G, H)
    assert len(F) == 2000
    N = _built(Synapses(G, G).connect(p=1.0, autapses=False), G)
    assert len(N) == 50 * 49 and np.all(N.i != N.j)
    for k in (49, 30, 20):
        A = _built(Synapses(G, G).connect(in_degree=k, autapses=False), G, seed=k)
        assert np.all(A.i != A.j) and np.all(np.bincount(A.j, minlength=50) == k)
        assert np.unique(A.i * 50 + A.j).size == len(A)
    # overlapping subsets: only the pairs of one neuron with itself are excluded
    sub = _built(Synapses(G, G).connect(in_degree=19, autapses=False, pre=slice(0, 20), post=slice(10, 40)), G)
    assert np.all(sub.i != sub.j) and np.all(sub.i < 20) and np.all(np.bincount(sub.j, minlength=40)[10:] == 19)
    # each candidate equally likely: counts of pre neurons over many post neurons
    big, tgt = NeuronGroup(40), NeuronGroup(3000)
    D = _built(Synapses(big, tgt).connect(in_degree=30), big, tgt, seed=2)
    counts = np.bincount(D.i, minlength=40)
    expect, sd = 3000 * 30 / 40, np.sqrt(3000 * 0.75 * 0.25)
    assert np.all(np.abs(counts - expect) < 5 * sd)
