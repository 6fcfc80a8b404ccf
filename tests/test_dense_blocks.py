"""on_pre's loop for blocks of consecutive targets (all-to-all connectivity): the values of the general loop."""
import types

import numpy as np

from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses
from spikesim.backends.compiled import dense_blocks
from spikesim.plasticity import TripletSTDP
from spikesim.units import mV, ms


def test_dense_blocks_finds_consecutive_targets():
    s = types.SimpleNamespace(post_index=np.array([0, 1, 2, 5, 6, 3, 7, 9, 4, 5, 6, 7]),
                              dptr=np.array([0, 3, 5, 5, 6, 8, 12]))
    assert dense_blocks(s).tolist() == [0, 5, -1, 3, -1, 4]     # empty block and a gap: -1
    again = dense_blocks(s)
    assert again is dense_blocks(s)                                # kept while the arrays are the same
    s.post_index = s.post_index.copy()
    s.post_index[1] = 2
    assert dense_blocks(s).tolist() == [-1, 5, -1, 3, -1, 4]       # recomputed for new arrays


def _run(order, n_pre=30, n_post=12):
    """Input -> conductance neurons, all pairs, with a triplet rule and delays, in the given pair order."""
    inp = PoissonGroup(n_pre, rates=60.0, name="inp")
    E = NeuronGroup(n_post, "lif_coba", method="exponential_euler", El=-65 * mV, v_reset=-65 * mV, v_th=-52 * mV,
                    Ee=0.0, Ei=-100 * mV, gl=1.0, Cm=20 * ms, tau_e=1 * ms, tau_i=2 * ms, refractory=2 * ms,
                    name="E")
    ii, jj = np.meshgrid(np.arange(n_pre), np.arange(n_post), indexing="ij")
    ii, jj = ii.ravel()[order], jj.ravel()[order]
    rule = TripletSTDP(A2_plus=0.0, A3_plus=5e-3, A2_minus=1e-3, A3_minus=0.0, tau_plus=20 * ms, tau_minus=20 * ms,
                       tau_x=20 * ms, tau_y=40 * ms, pairing="nearest", w_min=0.0, w_max=1.0)
    w0 = np.random.default_rng(0).random((n_pre, n_post)) * 0.4
    S = Synapses(inp, E, "ge", weight=w0[ii, jj], plasticity=rule, delay=(ii % 3) * 0.5 * ms,
                 name="S").connect(i=ii, j=jj)
    M = SpikeMonitor(E)
    Network(inp, E, S, M, dt=0.5 * ms, seed=4).run(400 * ms, progress=False)
    w = np.empty((n_pre, n_post))
    w[ii, jj] = S.w
    return w, M.i.copy(), M.t.copy(), dense_blocks(S)


def test_all_pairs_in_order_and_shuffled_give_the_same_bits():
    n = 30 * 12
    w_a, i_a, t_a, dense_a = _run(np.arange(n))
    w_b, i_b, t_b, dense_b = _run(np.random.default_rng(1).permutation(n))
    assert (dense_a >= 0).sum() == 30 and (dense_b >= 0).sum() < 30    # consecutive blocks vs the general loop
    assert len(i_a) > 20
    assert np.array_equal(i_a, i_b) and np.array_equal(t_a, t_b)
    assert np.array_equal(w_a.view(np.uint64), w_b.view(np.uint64))
    assert not np.array_equal(w_a, np.random.default_rng(0).random((30, 12)) * 0.4)    # the rule did change them
