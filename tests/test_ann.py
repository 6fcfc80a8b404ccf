"""Artificial neurons: gradients, learning rules, LeNet5 shapes, persistence."""
import numpy as np
import pytest

from spikesim.ann import (ACTIVATIONS, MLP, LeNet5, McCullochPitts, Perceptron, elu, maxout, maxout_backward,
                          search_xor)
from spikesim.ann.layers import (col2im, conv2d_backward, conv2d_forward, im2col, maxpool2_backward,
                                 maxpool2_forward)


def _num_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


# ---------------------------------------------------------------- activations
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives(name):
    act = ACTIVATIONS[name]
    z = np.array([-2.3, -0.7, -0.1, 0.2, 0.9, 3.1])
    num = (act.f(z + 1e-6) - act.f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(act.df(z), num, rtol=1e-5, atol=1e-8)


def test_elu_alpha_and_maxout():
    a = elu(0.5)
    z = np.array([-1.0, 2.0])
    np.testing.assert_allclose(a.f(z), [0.5 * (np.exp(-1) - 1), 2.0])
    with pytest.raises(ValueError, match="alpha must be > 0"):
        elu(0.0)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 6))
    v, arg = maxout(z, 3)
    np.testing.assert_array_equal(v, z.reshape(3, 2, 3).max(axis=2))
    up = rng.standard_normal(v.shape)
    g = maxout_backward(up, arg, 3)
    num = _num_grad(lambda: float(np.sum(maxout(z, 3)[0] * up)), z)
    np.testing.assert_allclose(g, num, atol=1e-6)


# ---------------------------------------------------------------- McCulloch-Pitts and the perceptron
def test_mcculloch_pitts_logic_and_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(McCullochPitts.AND()(X), [0, 0, 0, 1])
    np.testing.assert_array_equal(McCullochPitts.OR()(X), [0, 1, 1, 1])
    np.testing.assert_array_equal(McCullochPitts.NOT()(np.array([[0], [1]])), [1, 0])
    assert search_xor() == []
    with pytest.raises(ValueError, match="binary"):
        McCullochPitts.AND()([0.5, 1])


def test_perceptron_converges_within_novikoff_bound():
    rng = np.random.default_rng(1)
    w_true = rng.standard_normal(5)
    X = rng.standard_normal((400, 5))
    margin = X @ w_true / np.linalg.norm(w_true)
    keep = np.abs(margin) > 0.3
    X, y = X[keep], (margin[keep] > 0).astype(int)
    p = Perceptron(max_epochs=1000, random_state=0, shuffle=True).fit(X, y)
    assert p.mistakes_per_epoch_[-1] == 0 and p.score(X, y) == 1.0
    # Novikoff: mistakes <= (R / gamma)^2, R and gamma for the bias-augmented inputs (bias weight 0)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    R = np.max(np.linalg.norm(Xa, axis=1))
    u = np.append(w_true / np.linalg.norm(w_true), 0.0)
    gamma = np.min((2 * y - 1) * (Xa @ u))
    # multiclass form with 2 classes: each mistake updates two rows, bound holds for the difference vector
    assert sum(p.mistakes_per_epoch_) <= 2 * (R / gamma) ** 2


def test_xor_needs_a_hidden_layer():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=float)
    y = np.array([0, 1, 1, 0] * 25)
    assert Perceptron(max_epochs=100, random_state=0).fit(X, y).score(X, y) <= 0.75
    mlp = MLP(hidden=(8,), activation="tanh", lr=0.05, epochs=400, batch_size=16, validation_fraction=0.0,
              random_state=0).fit(X, y)
    assert mlp.score(X, y) == 1.0


def test_perceptron_averaged_partial_fit_and_errors():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    p = Perceptron(random_state=0)
    for _ in range(10):
        p.partial_fit(X, [0, 1, 1, 1], classes=[0, 1])
    assert p.score(X, [0, 1, 1, 1]) == 1.0
    rng = np.random.default_rng(9)
    Z = rng.standard_normal((300, 4))
    yz = (Z @ [1.0, -2.0, 0.5, 1.0] + 0.3 * rng.standard_normal(300) > 0).astype(int)   # noisy: not separable
    a = Perceptron(averaged=True, max_epochs=20, random_state=0).fit(Z, yz)
    plain = Perceptron(max_epochs=20, random_state=0).fit(Z, yz)
    assert not np.array_equal(a.coef_, a._W)          # averaging changes the weights used
    assert a.score(Z, yz) >= plain.score(Z, yz) - 0.02 and a.score(Z, yz) > 0.85
    with pytest.raises(ValueError, match="classes must be given"):
        Perceptron().partial_fit(X, [0, 1, 1, 1])
    with pytest.raises(RuntimeError, match="not fitted"):
        Perceptron().coef_
    with pytest.raises(ValueError, match="lr must be > 0"):
        Perceptron(lr=0)


# ---------------------------------------------------------------- MLP gradients
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "elu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_mlp_backprop_matches_finite_differences(activation, loss):
    rng = np.random.default_rng(2)
    m = MLP(hidden=(5, 4), activation=activation, loss=loss, l2=0.01)
    m.classes_ = np.arange(3)
    m._init_params((6, 5, 4, 3), rng)
    X = rng.standard_normal((7, 6))
    Y = np.eye(3)[rng.integers(0, 3, 7)]
    _, gW, gb = m._gradients(X, Y)
    for k in range(3):
        num = _num_grad(lambda: m._gradients(X, Y)[0], m.weights_[k])
        np.testing.assert_allclose(gW[k], num, rtol=1e-5, atol=1e-7)
        numb = _num_grad(lambda: m._gradients(X, Y)[0], m.biases_[k])
        np.testing.assert_allclose(gb[k], numb, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- conv / pool / LeNet5
def test_im2col_col2im_are_adjoint_and_conv_matches_direct():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 6))
    c = rng.standard_normal(im2col(x, 3, 1).shape)
    assert np.sum(im2col(x, 3, 1) * c) == pytest.approx(np.sum(x * col2im(c, 2, 3, 7, 6, 3, 1)))
    W = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    out, _ = conv2d_forward(x, W, b, 1)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    direct = np.zeros((2, 4, 7, 6))
    for i in range(7):
        for j in range(6):
            direct[:, :, i, j] = np.einsum("nchw,fchw->nf", xp[:, :, i:i + 3, j:j + 3], W) + b
    np.testing.assert_allclose(out, direct, rtol=1e-12, atol=1e-12)


def test_conv_and_pool_gradients():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 2, 6, 6))
    W = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    up = rng.standard_normal((2, 3, 6, 6))
    out, cols = conv2d_forward(x, W, b, 1)
    dx, dW, db = conv2d_backward(up, cols, x.shape, W, 1)
    f = lambda: float(np.sum(conv2d_forward(x, W, b, 1)[0] * up))
    np.testing.assert_allclose(dx, _num_grad(f, x), atol=1e-6)
    np.testing.assert_allclose(dW, _num_grad(f, W), atol=1e-6)
    np.testing.assert_allclose(db, _num_grad(f, b), atol=1e-6)
    v, arg = maxpool2_forward(x)
    upp = rng.standard_normal(v.shape)
    g = maxpool2_backward(upp, arg, 6, 6)
    np.testing.assert_allclose(g, _num_grad(lambda: float(np.sum(maxpool2_forward(x)[0] * upp)), x), atol=1e-6)


def test_lenet5_shapes_parameters_and_gradient():
    m = LeNet5(dtype=np.float64, random_state=0).init_params()
    assert m.n_parameters == 61706
    assert sum(v.size for v in m.params_.values()) == 61706
    rng = np.random.default_rng(5)
    X = rng.random((3, 28, 28))
    y = np.array([1, 7, 3])
    out, _ = m.forward(m._as_images(X))
    assert out.shape == (3, 10)
    _, g = m.loss_and_gradients(m._as_images(X), y)
    for name in ("conv1.weight", "conv2.bias", "fc1.weight", "fc3.bias"):
        p = m.params_[name]
        idx = [tuple(rng.integers(0, s) for s in p.shape) for _ in range(4)]
        for i in idx:
            old = p[i]
            p[i] = old + 1e-6
            lp = m.loss_and_gradients(m._as_images(X), y)[0]
            p[i] = old - 1e-6
            lm = m.loss_and_gradients(m._as_images(X), y)[0]
            p[i] = old
            assert g[name][i] == pytest.approx((lp - lm) / 2e-6, rel=1e-4, abs=1e-8)


# ---------------------------------------------------------------- persistence
def test_save_load_roundtrip_and_bad_files(tmp_path):
    X = np.random.default_rng(6).random((20, 784))
    y = np.arange(20) % 10
    p = Perceptron(max_epochs=3, random_state=0).fit(X, y)
    p.save(tmp_path / "p.npz")
    np.testing.assert_array_equal(Perceptron.load(tmp_path / "p.npz").predict(X), p.predict(X))
    m = MLP(hidden=(16,), epochs=2, validation_fraction=0, random_state=0).fit(X, y)
    m.save(tmp_path / "m.npz")
    np.testing.assert_allclose(MLP.load(tmp_path / "m.npz").decision_function(X), m.decision_function(X))
    n = LeNet5(random_state=0).init_params()
    n.save(tmp_path / "n.npz")
    np.testing.assert_allclose(LeNet5.load(tmp_path / "n.npz").decision_function(X[:4]), n.decision_function(X[:4]))
    with pytest.raises(ValueError, match="holds a 'MLP' model, not a 'Perceptron'"):
        Perceptron.load(tmp_path / "m.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="not a readable spikesim model file"):
        MLP.load(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match="fc1.weight must have shape"):
        bad = n.state_dict()
        bad["fc1.weight"] = np.zeros((10, 10))
        LeNet5().load_state_dict(bad)


def test_torch_state_dict_roundtrip():
    torch = pytest.importorskip("torch")
    from spikesim.ann.torch_io import from_torch, to_torch, torch_lenet_class
    torch.manual_seed(0)
    tnet = torch_lenet_class()()
    X = np.random.default_rng(7).random((5, 1, 28, 28)).astype(np.float32)
    ours = from_torch(tnet)
    with torch.no_grad():
        ref = tnet(torch.tensor(X)).numpy()
    np.testing.assert_allclose(ours.decision_function(X), ref, atol=1e-5)
    back = to_torch(ours)
    with torch.no_grad():
        np.testing.assert_allclose(back(torch.tensor(X)).numpy(), ref, atol=1e-6)
