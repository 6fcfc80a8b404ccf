"""LeNet5 -> SNN: convolution synapses, spiking max-pooling, the converted network."""
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from spikesim.ann._kernels import conv2d_forward
from spikesim.ann import NotFittedError
from spikesim.ann.lenet5 import LeNet5
from spikesim.bridges import ann_to_snn
from spikesim.bridges.ann_to_snn import conv_connections, pool_connections

DT = 1e-4


@pytest.mark.parametrize("pad", [0, 2])
def test_conv_synapses_compute_the_convolution(pad):
    rng = np.random.default_rng(0)
    Wt = rng.normal(size=(3, 2, 5, 5))
    x = rng.normal(size=(1, 2, 9, 8))
    i, j, w, shape = conv_connections((2, 9, 8), Wt, pad)
    y = np.bincount(j, weights=w * x.ravel()[i], minlength=int(np.prod(shape)))
    ref = conv2d_forward(x, Wt, np.zeros(3), pad)[0]
    assert ref.shape[1:] == shape
    np.testing.assert_allclose(y, ref.ravel(), rtol=1e-12, atol=1e-12)


def test_pool_connections_cover_each_window_once():
    sets3, shape3 = pool_connections((1, 7, 6), k=3)
    assert shape3 == (1, 2, 2) and len(sets3) == 9
    assert np.array_equal(np.sort(np.concatenate([i for i, _ in sets3])),
                          [y * 6 + x for y in range(6) for x in range(6)])     # row 6 is past the last window
    sets, shape = pool_connections((2, 4, 6))
    assert shape == (2, 2, 3)
    allin = np.concatenate([i for i, _ in sets])
    assert np.array_equal(np.sort(allin), np.arange(48))
    # window position q = 2a + b of output (c=1, py=1, px=2) is input (1, 2 + a, 4 + b)
    for q, (i, j) in enumerate(sets):
        a, b = divmod(q, 2)
        k = np.flatnonzero(j == 1 * 6 + 1 * 3 + 2)[0]
        assert i[k] == 1 * 24 + (2 + a) * 6 + (4 + b)


@pytest.mark.parametrize("backend", ["cpu", "reference"])
def test_maxpool_passes_the_spikes_of_the_input_with_the_largest_running_count(backend):
    # input 0 fires at steps 0, 1, 2; input 2 at steps 3..9 (it overtakes input 0 at step 6: counts 4 > 3)
    steps = {0: [0, 1, 2], 1: [5], 2: [3, 4, 5, 6, 7, 8, 9], 3: []}
    idx = np.concatenate([np.full(len(v), k) for k, v in steps.items()])
    t = np.concatenate([np.array(v, float) for v in steps.values()]) * DT
    gen = SpikeGeneratorGroup(4, idx, t)
    pool = NeuronGroup(1, "maxpool")
    syn = [Synapses(gen, pool, f"c{q}", weight=1.0).connect(i=[q], j=[0]) for q in range(4)]
    M = SpikeMonitor(pool)
    Network(gen, pool, *syn, M, dt=DT).run(12 * DT, backend=backend, progress=False)
    # running counts after each step: leader input 0 until input 2 has more spikes (after step 6: 4 vs 3);
    # the pool fires one step after each spike of the leader
    expected = [1, 2, 3] + [7, 8, 9, 10]
    assert M.step.tolist() == expected


def _small_lenet(Xtr, ytr):
    m = LeNet5(epochs=1, batch_size=32, random_state=0, progress=False)
    m.fit(Xtr[:1500], ytr[:1500])
    return m


def test_converted_lenet5_agrees_with_the_ann(mnist):
    Xtr, ytr, Xte, yte = mnist
    m = _small_lenet(Xtr, ytr)
    snn = ann_to_snn(m, Xtr[:300].reshape(300, -1), batch_size=40)
    X = Xte[:40].reshape(40, -1)
    ann = m.predict(Xte[:40])
    pred = snn.predict(X, timesteps=100)
    agree = np.mean(pred == ann)
    assert agree >= 0.85, agree
    # the spiking network really is layered: every layer spikes for a digit
    layers = snn.layer_spikes(X[0], timesteps=40)
    assert [name for name, *_ in layers] == ["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"]
    assert all(i.size > 0 for _, _, i, _ in layers)
    # the average-pooling option builds and classifies too
    avg = ann_to_snn(m, Xtr[:300], pooling="average", batch_size=40)
    assert np.mean(avg.predict(X[:20], timesteps=60) == ann[:20]) >= 0.6


def _untrained_lenet(Xtr, ytr, seed=0):
    return LeNet5(epochs=1, batch_size=64, random_state=seed).fit(Xtr[:200], ytr[:200])     # all ten classes


def test_lenet5_conversion_rejects_bad_input(mnist):
    Xtr, ytr, _, _ = mnist
    m = _untrained_lenet(Xtr, ytr)
    with pytest.raises(ValueError, match="calibration_X: X has 100 features, but LeNet5 is expecting 784"):
        ann_to_snn(m, np.zeros((10, 100)))
    with pytest.raises(ValueError, match="pooling"):
        ann_to_snn(m, Xtr[:20], pooling="median")
    with pytest.raises(ValueError, match="normalisation"):
        ann_to_snn(m, Xtr[:20], normalisation="batch")
    snn = ann_to_snn(m, Xtr[:20])
    with pytest.raises(ValueError, match="timesteps"):
        snn.predict(Xtr[:2].reshape(2, -1), timesteps=0)
    with pytest.raises(TypeError, match="LeNet5"):
        ann_to_snn(object(), Xtr[:20])
    with pytest.raises(NotFittedError):
        ann_to_snn(LeNet5(), Xtr[:20])


def test_lenet5_converts_from_a_state_dict(mnist):
    """The lecture's PyTorch LeNet state_dict (here as numpy arrays; torch tensors when torch is installed)."""
    Xtr, ytr, Xte, _ = mnist
    m = _untrained_lenet(Xtr, ytr, seed=3)
    state = {k: np.asarray(v) for k, v in m.state_dict().items()}
    a = ann_to_snn(m, Xtr[:50])
    b = ann_to_snn(state, Xtr[:50])
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-6)
    for (ka, wa), (kb, wb) in zip(a.network.parameters().items(), b.network.parameters().items()):
        assert ka == kb
        np.testing.assert_allclose(wa, wb, rtol=1e-6)
    torch = pytest.importorskip("torch")
    from spikesim.ann.torch_io import to_torch
    c = ann_to_snn(to_torch(m).state_dict(), Xtr[:50])
    np.testing.assert_allclose(c.network.parameters()["conv2.weight"], a.network.parameters()["conv2.weight"],
                               rtol=1e-5)
    d = ann_to_snn(to_torch(m), Xtr[:50])          # the module itself
    assert d.layer_names == ["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"]
    del torch
