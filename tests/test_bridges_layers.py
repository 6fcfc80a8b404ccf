"""ANN -> SNN for any stack of supported layers: the plan, average pooling, PyTorch Sequentials."""
import numpy as np
import pytest

from spikesim.ann import NetworkClassifier, Sequential, lenet5_layers
from spikesim.ann.layers import AvgPool2d, Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sigmoid
from spikesim.bridges import ann_to_snn, normalise, plan_stages


def bars(n, seed=0):
    """12x12 images with a horizontal, vertical or diagonal bar in noise; labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    X = 0.2 * rng.random((n, 12, 12))
    y = np.arange(n) % 3
    for k in range(n):
        p = rng.integers(2, 10)
        if y[k] == 0:
            X[k, p, 1:11] = 1.0
        elif y[k] == 1:
            X[k, 1:11, p] = 1.0
        else:
            X[k, np.arange(1, 11), np.arange(1, 11)] = 1.0
    return X, y


@pytest.fixture(scope="module")
def small_cnn():
    X, y = bars(240)
    layers = [Conv2d(4, 3, padding=1), ReLU(), AvgPool2d(2), Conv2d(6, 3), ReLU(), MaxPool2d(2), Flatten(),
              Dense(12), ReLU()]
    model = NetworkClassifier(layers, epochs=40, lr=1e-2, random_state=0).fit(X, y)
    assert model.score(X, y) == 1.0
    return model, X, y


def test_plan_of_lenet5_and_unconvertible_stacks():
    net = Sequential(lenet5_layers()).build((1, 28, 28), np.random.default_rng(0))
    stages = plan_stages(net)
    assert [(s.kind, s.name, s.out_shape) for s in stages] == [
        ("linear", "conv1", (6, 28, 28)), ("maxpool", "pool1", (6, 14, 14)), ("linear", "conv2", (16, 10, 10)),
        ("maxpool", "pool2", (16, 5, 5)), ("linear", "fc1", (120,)), ("linear", "fc2", (84,)),
        ("linear", "fc3", (10,))]
    rng = np.random.default_rng(1)
    bad = {
        r"layer 1 \(Sigmoid\) cannot convert": Sequential(Dense(4), Sigmoid(), Dense(2)),
        "without a ReLU between them": Sequential(Dense(4), Dense(2)),
        "a ReLU before the first": Sequential(ReLU(), Dense(2)),
        "the first stage must be a Dense or Conv2d": Sequential(MaxPool2d(2), Flatten(), Dense(2)),
    }
    for message, seq in bad.items():
        with pytest.raises(ValueError, match=message):
            plan_stages(seq.build((1, 4, 4) if isinstance(seq[0], MaxPool2d) else (3,), rng))
    seq = Sequential(Conv2d(2, 3), ReLU(), MaxPool2d(3), Flatten(), Dense(2)).build((1, 9, 9), rng)
    with pytest.raises(ValueError, match="spiking max pooling takes 2x2 windows"):
        ann_to_snn(seq, rng.random((5, 1, 9, 9)))
    assert ann_to_snn(seq, rng.random((5, 1, 9, 9)), pooling="average").stages[1].kind == "maxpool"


def test_model_normalisation_bounds_every_input():
    rng = np.random.default_rng(2)
    net = Sequential(Conv2d(3, 3), ReLU(), AvgPool2d(2), Flatten(), Dense(4), ReLU(), Dense(2)).build((1, 6, 6), rng)
    scaled, lam = normalise(net, normalisation="model")
    assert len(lam) == 4 and lam[1] == lam[0]                        # the pool keeps its input's scale
    W1, b1 = net[0].weight, net[0].bias
    assert lam[0] == pytest.approx(np.max(np.maximum(W1, 0).sum(axis=(1, 2, 3)) + np.maximum(b1, 0)))
    np.testing.assert_allclose(scaled[4].weight, net[4].weight * lam[1] / lam[2])
    np.testing.assert_allclose(scaled[6].bias, net[6].bias / lam[3])


def test_average_pooling_neurons_count_a_quarter_of_their_window(small_cnn):
    """Reset by subtraction: an average-pool neuron's count k and its window's total S obey S/4 - 2 <= k <= S/4.

    Its potential S/4 - k never goes below 0, and is at most 1 after a threshold step (one spike per step
    takes 1 away, the four inputs add at most 1), so at most 2 after the last step's inputs."""
    model, X, _ = small_cnn
    snn = ann_to_snn(model, X[:60])
    assert snn.layer_names == ["layer0", "layer2", "layer3", "layer5", "layer7", "layer9"]
    (name0, n0, i0, _), (name1, n1, i1, _) = snn.layer_spikes(X[1], timesteps=200)[:2]
    conv = np.bincount(i0, minlength=n0).reshape(4, 12, 12)
    pool = np.bincount(i1, minlength=n1).reshape(4, 6, 6)
    window = conv.reshape(4, 6, 2, 6, 2).sum(axis=(2, 4)) / 4
    assert conv.sum() > 1000
    assert np.all(pool <= window) and np.all(pool >= window - 2)


def test_converted_cnn_with_both_poolings_matches_the_ann(small_cnn):
    model, X, y = small_cnn
    snn = ann_to_snn(model, X[:60])
    curve = snn.accuracy_curve(X[:60], y[:60], timesteps=[20, 200])
    assert curve[200] >= 0.95 and curve[200] >= curve[20]
    poisson = ann_to_snn(model, X[:60], input="poisson", batch_size=30)
    assert np.mean(poisson.predict(X[:30], timesteps=300) == y[:30]) >= 0.85


def test_a_torch_sequential_converts_through_the_same_path(small_cnn):
    torch = pytest.importorskip("torch")
    from spikesim.ann.torch_io import to_torch
    model, X, y = small_cnn
    tseq = to_torch(model)                       # a torch.nn.Sequential with the trained weights
    assert isinstance(tseq, torch.nn.Sequential)
    snn_torch = ann_to_snn(tseq, X[:60])         # input shape guessed from the first Conv2d: 1 x 12 x 12
    snn_ours = ann_to_snn(model, X[:60])
    assert snn_torch.network.input_shape == (1, 12, 12)
    for (k, a), b in zip(snn_torch.network.parameters().items(), snn_ours.network.parameters().values()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=k)
    pred = snn_torch.predict(X[:30].reshape(30, -1), timesteps=200)
    with torch.no_grad():
        ann = tseq(torch.tensor(X[:30, None], dtype=torch.float32)).numpy().argmax(axis=1)
    assert np.mean(pred == ann) >= 0.95


def test_an_mlp_trained_on_shifted_images_converts_past_its_flatten_layer():
    from spikesim.ann import MLP
    X, y = bars(90)
    m = MLP(hidden=(16,), augment_shift=1, epochs=40, lr=1e-2, validation_fraction=0, random_state=0).fit(X, y)
    assert m.input_shape_ == (1, 12, 12) and isinstance(m.network_[0], Flatten)
    snn = ann_to_snn(m, X)
    assert [s.name for s in snn.stages] == ["layer1", "layer3"]
    assert np.mean(snn.predict(X[:30], timesteps=100) == m.predict(X[:30])) >= 0.9
