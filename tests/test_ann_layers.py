"""Layer modules: finite-difference gradient checks for every layer type (float64), the Sequential stack,
LeNet5's layers against the LeNet5 estimator, descriptions and state dicts."""
import numpy as np
import pytest

from spikesim.ann import LeNet5, lenet5_layers
from spikesim.ann._kernels import col2im, conv2d_forward, im2col
from spikesim.ann.layers import (ELU, AvgPool2d, Conv2d, Dense, Flatten, Identity, LeakyReLU, MaxPool2d, Maxout,
                                 ReLU, Sequential, Sigmoid, Tanh, layer_from_config)


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of x (changed in place and restored)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def check_layer_gradients(layer, in_shape, rng, n=3, scale=1.0):
    """backward() against central differences of sum(forward(x) * u), for the input and every parameter."""
    layer.build(in_shape, rng)
    x = rng.normal(size=(n, *in_shape)) * scale
    u = rng.normal(size=(n, *layer.out_shape))
    f = lambda: float(np.sum(layer.forward(x) * u))           # noqa: E731
    out = layer.forward(x, training=True)
    assert out.shape == (n, *layer.out_shape) and out.dtype == np.float64
    dx = layer.backward(u)
    np.testing.assert_allclose(dx, numerical_gradient(f, x), rtol=1e-6, atol=1e-8)
    for name, p in layer.parameters().items():
        np.testing.assert_allclose(layer.grads[name], numerical_gradient(f, p), rtol=1e-6, atol=1e-8,
                                   err_msg=f"{type(layer).__name__}.{name}")
    return layer


LAYER_CASES = [
    (lambda: Dense(4), (5,)),
    (lambda: Dense(3, bias=False, init="he"), (6,)),
    (lambda: Conv2d(3, 3, padding=1), (2, 6, 5)),
    (lambda: Conv2d(2, 5, init="lecun"), (3, 7, 7)),
    (lambda: Conv2d(2, 2, padding=2, bias=False), (1, 4, 4)),
    (lambda: MaxPool2d(2), (2, 6, 6)),
    (lambda: MaxPool2d(3), (1, 7, 8)),              # leftover rows/columns get no gradient
    (lambda: AvgPool2d(2), (2, 5, 6)),
    (lambda: AvgPool2d(3), (1, 6, 6)),
    (lambda: Flatten(), (2, 3, 4)),
    (lambda: ReLU(), (7,)),
    (lambda: LeakyReLU(), (7,)),
    (lambda: Sigmoid(), (7,)),
    (lambda: Tanh(), (7,)),
    (lambda: ELU(0.5), (7,)),
    (lambda: Identity(), (7,)),
    (lambda: Maxout(3), (9,)),
]


@pytest.mark.parametrize("make, in_shape", LAYER_CASES, ids=lambda c: repr(c() if callable(c) else c))
def test_every_layer_type_against_finite_differences(make, in_shape):
    check_layer_gradients(make(), in_shape, np.random.default_rng(len(in_shape) * 7 + sum(in_shape)))


def test_sequential_backward_is_the_chain_rule_of_its_layers():
    rng = np.random.default_rng(1)
    net = Sequential(Conv2d(3, 3, padding=1), ReLU(), AvgPool2d(2), Conv2d(4, 2), Tanh(), MaxPool2d(2), Flatten(),
                     Dense(5), Sigmoid(), Dense(3)).build((2, 8, 8), rng)
    assert net.output_shape == (3,)
    x = rng.normal(size=(4, 2, 8, 8))
    u = rng.normal(size=(4, 3))
    f = lambda: float(np.sum(net.forward(x) * u))             # noqa: E731
    net.forward(x, training=True)
    dx = net.backward(u)
    np.testing.assert_allclose(dx, numerical_gradient(f, x), rtol=1e-6, atol=1e-8)
    grads = net.gradients()
    assert list(grads) == list(net.parameters())
    for name, p in net.parameters().items():
        np.testing.assert_allclose(grads[name], numerical_gradient(f, p), rtol=1e-6, atol=1e-8, err_msg=name)
    assert net.backward(u, need_input_grad=False) is None


def test_lenet5_loss_gradients_in_float64():
    """The estimator's training step (softmax cross-entropy + L2) against finite differences of the loss."""
    rng = np.random.default_rng(5)
    X = rng.random((3, 784))
    y = np.array([1, 7, 3])
    m = LeNet5(dtype="float64", l2=0.01, epochs=1, random_state=0).fit(X, y)
    s, xb, yi = m._settings(), m._inputs(X, "test"), np.searchsorted(m.classes_, y)
    _, g = m._loss_and_gradients(xb, yi, s)
    params = m.network_.parameters()
    assert m.network_.n_parameters == 400 * 120 + 120 + 120 * 84 + 84 + 84 * 3 + 3 + 6 * 25 + 6 + 16 * 150 + 16
    for name in ("conv1.weight", "conv2.bias", "fc1.weight", "fc3.bias"):
        p = params[name]
        for i in [tuple(rng.integers(0, d) for d in p.shape) for _ in range(4)]:
            old = p[i]
            p[i] = old + 1e-6
            lp = m._loss_and_gradients(xb, yi, s)[0]
            p[i] = old - 1e-6
            lm = m._loss_and_gradients(xb, yi, s)[0]
            p[i] = old
            assert g[name][i] == pytest.approx((lp - lm) / 2e-6, rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "elu"])
def test_mlp_training_gradients(activation, loss):
    from spikesim.ann import MLP
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 6)), rng.integers(0, 3, 7)
    y[:3] = [0, 1, 2]
    m = MLP(hidden=(5, 4), activation=activation, loss=loss, l2=0.01, epochs=1, validation_fraction=0,
            random_state=0).fit(X, y)
    s = m._settings()
    _, g = m._loss_and_gradients(X, y, s)
    for name, p in m.network_.parameters().items():
        num = numerical_gradient(lambda: m._loss_and_gradients(X, y, s)[0], p)
        np.testing.assert_allclose(g[name], num, rtol=1e-5, atol=1e-7, err_msg=name)


def test_a_sequential_of_the_lenet5_layers_gives_lenet5s_logits():
    """Written by hand from the layer classes, loaded with a trained LeNet5's weights: identical logits."""
    rng = np.random.default_rng(0)
    X = rng.random((30, 28, 28))
    model = LeNet5(epochs=1, random_state=0).fit(X, np.arange(30) % 10)
    net = Sequential(Conv2d(6, 5, padding=2, name="conv1"), ReLU(), MaxPool2d(2, name="pool1"),
                     Conv2d(16, 5, name="conv2"), ReLU(), MaxPool2d(2, name="pool2"), Flatten(),
                     Dense(120, name="fc1"), ReLU(), Dense(84, name="fc2"), ReLU(), Dense(10, name="fc3"))
    net.load_state_dict(model.state_dict()).build((1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(net.forward(X[:, None].astype(np.float32)), model.decision_function(X))
    assert net.n_parameters == 61706
    # and the same numbers as LeNet5 written out directly with numpy (float64)
    p = {k: v.astype(np.float64) for k, v in model.state_dict().items()}

    def conv(x, W, b, pad):
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        windows = np.lib.stride_tricks.sliding_window_view(x, W.shape[2:], axis=(2, 3))   # (n, C, Ho, Wo, k, k)
        return np.einsum("nchwij,fcij->nfhw", windows, W) + b[None, :, None, None]

    def pool(x):
        n, c, h, w = x.shape
        return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))

    a = pool(np.maximum(conv(X[:, None], p["conv1.weight"], p["conv1.bias"], 2), 0))
    a = pool(np.maximum(conv(a, p["conv2.weight"], p["conv2.bias"], 0), 0)).reshape(len(X), -1)
    a = np.maximum(a @ p["fc1.weight"].T + p["fc1.bias"], 0)
    a = np.maximum(a @ p["fc2.weight"].T + p["fc2.bias"], 0)
    np.testing.assert_allclose(model.decision_function(X), a @ p["fc3.weight"].T + p["fc3.bias"], rtol=1e-4,
                               atol=1e-5)


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


def test_shapes_are_inferred_and_mismatches_named():
    net = Sequential(lenet5_layers()).build((1, 28, 28), np.random.default_rng(0))
    assert net[7].name == "fc1" and net[7].in_features == 400
    assert [layer.out_shape for layer in net][:7] == [(6, 28, 28)] * 2 + [(6, 14, 14), (16, 10, 10), (16, 10, 10),
                                                                         (16, 5, 5), (400,)]
    with pytest.raises(ValueError, match=r"layer 0 \(Conv2d\): Conv2d with a 5x5 kernel .* 3x3 pixels"):
        Sequential(Conv2d(2, 5)).build((1, 3, 3), np.random.default_rng(0))
    with pytest.raises(ValueError, match="add a Flatten layer"):
        Sequential(Conv2d(2, 3), Dense(4)).build((1, 5, 5), np.random.default_rng(0))
    with pytest.raises(ValueError, match="Dense expects 5 input features, got 4"):
        Sequential(Dense(3, in_features=5)).build((4,), np.random.default_rng(0))
    with pytest.raises(ValueError, match="names must be unique"):
        Sequential(Dense(3, name="a"), Dense(2, name="a"))
    with pytest.raises(TypeError, match="layer 1 must be"):
        Sequential(Dense(3), "relu")
    with pytest.raises(ValueError, match="init must be one of"):
        Dense(3, init="zeros")
    with pytest.raises(ValueError, match="Dense expects 4 input features, got 5"):
        Sequential(Dense.from_arrays(np.ones((3, 4)))).build((5,))
    damaged = Dense(3)
    damaged.weight, damaged.bias = np.ones((2, 4)), np.zeros(3)
    with pytest.raises(ValueError, match=r"weight must have shape \(3, 4\), got \(2, 4\)"):
        Sequential(damaged).build((4,))


def test_config_and_state_dict_round_trip():
    rng = np.random.default_rng(4)
    net = Sequential(Conv2d(3, 3, padding=1, name="c"), ReLU(), AvgPool2d(2), Flatten(), Dense(4, bias=False),
                     ELU(0.3), Maxout(2), Dense(2)).build((1, 6, 6), rng)
    twin = Sequential.from_config(net.config())
    twin.load_state_dict(net.state_dict()).build(net.input_shape)
    x = rng.normal(size=(5, 1, 6, 6))
    np.testing.assert_array_equal(twin.forward(x), net.forward(x))
    assert sorted(net.parameters()) == ["4.weight", "7.bias", "7.weight", "c.bias", "c.weight"]
    with pytest.raises(ValueError, match="unknown layer type 'Dropout'"):
        layer_from_config({"type": "Dropout"})
    with pytest.raises(ValueError, match=r"missing \['7.bias'\]"):
        twin.load_state_dict({k: v for k, v in net.state_dict().items() if k != "7.bias"})
    with pytest.raises(ValueError, match="c.weight must have shape"):
        twin.load_state_dict(dict(net.state_dict(), **{"c.weight": np.zeros((3, 1, 2, 2))}))
