"""ANN -> SNN conversion of fully connected models."""
import numpy as np
import pytest

from spikesim.ann import MLP, Perceptron
from spikesim.bridges import SpikingClassifier, ann_to_snn, dense_layers, normalise_layers


def test_data_normalisation_on_a_hand_computed_network():
    W1 = np.array([[1.0, -1.0], [2.0, 0.5]])       # 2 inputs -> 2 hidden
    b1 = np.array([0.0, 0.5])
    W2 = np.array([[1.0], [3.0]])                  # 2 hidden -> 1 output
    b2 = np.array([0.25])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    layers, lam = normalise_layers([(W1, b1), (W2, b2)], X, "data", percentile=100)
    # hidden activations: [1, 0], [2, 1], [3, 0.5] -> positive max 3; outputs 1.25, 5.25, 4.75 -> max 5.25
    assert lam[0] == 3.0 and lam[1] == pytest.approx(5.25)
    np.testing.assert_allclose(layers[0][0], W1 / 3.0)
    np.testing.assert_allclose(layers[0][1], b1 / 3.0)
    np.testing.assert_allclose(layers[1][0], W2 * 3.0 / 5.25)
    np.testing.assert_allclose(layers[1][1], b2 / 5.25)
    _, lam_m = normalise_layers([(W1, b1), (W2, b2)], None, "model")
    assert lam_m[0] == 3.0 and lam_m[1] == pytest.approx(4.0 * 3.0 + 0.25)


def test_one_layer_spike_counts_approach_relu_with_error_1_over_T():
    rng = np.random.default_rng(0)
    W = rng.uniform(-0.3, 0.6, (6, 4))
    b = rng.uniform(-0.1, 0.1, 4)
    X = rng.random((5, 6))
    layers, lam = normalise_layers([(W, b)], X, "data", percentile=100)
    clf = SpikingClassifier(layers, lam)
    target = np.maximum(X @ layers[0][0] + layers[0][1], 0)          # rates in spikes per step
    errs = []
    for T in (10, 100, 1000):
        counts, _ = clf._scores(X, [T])
        err = np.max(np.abs(counts[T] / T - target))
        assert err <= 1.0 / T + 1e-9                                   # reset by subtraction: |count - T r| < 1
        errs.append(err)
    assert errs[2] < errs[0]


def test_converted_perceptron_and_mlp_agree_with_the_ann():
    rng = np.random.default_rng(1)
    X = rng.random((300, 8))
    y = (X[:, 0] + X[:, 1] > X[:, 2] + 0.5).astype(int) + (X[:, 3] > 0.7)
    p = Perceptron(max_epochs=30, random_state=0).fit(X, y)
    snn = ann_to_snn(p, X)
    assert np.mean(snn.predict(X, timesteps=200) == p.predict(X)) >= 0.97
    m = MLP(hidden=(16,), epochs=60, validation_fraction=0, random_state=0, lr=0.01).fit(X, y)
    snn = ann_to_snn(m, X, input="poisson", batch_size=100)
    assert np.mean(snn.predict(X[:100], timesteps=300) == m.predict(X[:100])) >= 0.9
    curve = ann_to_snn(m, X).accuracy_curve(X, y, timesteps=[5, 50, 300])
    assert curve[300] >= curve[5] - 0.02 and curve[300] >= m.score(X, y) - 0.03


def test_bad_conversion_input():
    with pytest.raises(TypeError, match="model must be a Perceptron or an MLP"):
        dense_layers("lenet")
    with pytest.raises(TypeError, match="model must be a Perceptron, an MLP, a LeNet5"):
        ann_to_snn("lenet")
    m = MLP(hidden=(4,), activation="tanh", epochs=1, validation_fraction=0).fit(np.random.rand(10, 3),
                                                                                  np.arange(10) % 2)
    with pytest.raises(ValueError, match=r"layer 1 \(Tanh\) cannot convert to spiking neurons"):
        dense_layers(m)
    with pytest.raises(ValueError, match=r"layer 1 \(Tanh\) cannot convert"):
        ann_to_snn(m, np.random.rand(10, 3))
    W = [(np.ones((3, 2)), np.zeros(2))]
    with pytest.raises(ValueError, match="calibration_X must have 3 features"):
        normalise_layers(W, np.ones((4, 5)))
    with pytest.raises(ValueError, match="needs calibration_X"):
        normalise_layers(W, None)
    clf = SpikingClassifier(W, np.ones(1))
    with pytest.raises(ValueError, match="timesteps must be >= 1"):
        clf.predict(np.ones((2, 3)), timesteps=0)
    with pytest.raises(ValueError, match="input must be"):
        SpikingClassifier(W, np.ones(1), input="burst")


def test_round_trip_ann_snn_ann_returns_the_original_weights():
    from spikesim.bridges import recover_layers
    rng = np.random.default_rng(2)
    X = rng.random((120, 6))
    y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 2] > 0.5)
    m = MLP(hidden=(5, 4), epochs=5, validation_fraction=0, random_state=0).fit(X, y)
    clf = ann_to_snn(m, X)
    back = recover_layers(clf)
    assert len(back) == 3
    for (W, b), W0, b0 in zip(back, m.coefs_, m.intercepts_):
        np.testing.assert_allclose(W, W0, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b, b0, rtol=1e-12, atol=1e-15)


def test_snn_to_ann_dense_layer_with_threshold_bias():
    from spikesim import Network, NeuronGroup, Synapses
    from spikesim.bridges import snn_to_ann, weight_matrix
    from spikesim.plasticity.homeostasis import AdaptiveThreshold
    pre = NeuronGroup(3)
    post = NeuronGroup(2, "if", v_th=[1.0, 2.0], adaptive_threshold=AdaptiveThreshold(0.1, 1.0))
    S = Synapses(pre, post, "v", weight=[0.5, 0.25, 1.0, 2.0]).connect(i=[0, 0, 2, 0], j=[1, 1, 0, 0])
    Network(pre, post, S).build()
    post.theta[:] = [0.3, 0.0]
    W, b = snn_to_ann(S)
    np.testing.assert_allclose(W, [[2.0, 0.75], [0.0, 0.0], [1.0, 0.0]])    # parallel synapses add up
    np.testing.assert_allclose(b, [-1.3, -2.0])
    np.testing.assert_allclose(snn_to_ann(S, bias="none")[1], 0.0)
    np.testing.assert_allclose(weight_matrix(S), W)
    with pytest.raises(ValueError, match="bias must be"):
        snn_to_ann(S, bias="mean")
