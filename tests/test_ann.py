"""Artificial neurons: activations, learning rules, persistence and PyTorch interop.

Gradient checks of the layers are in test_ann_layers.py, the estimator contract in test_ann_estimators.py.
"""
import zipfile

import numpy as np
import pytest

from spikesim.ann import (ACTIVATIONS, MLP, LeNet5, McCullochPitts, NetworkClassifier, NotFittedError, Perceptron,
                          elu, load_model, maxout, maxout_backward, search_xor)
from spikesim.ann.layers import AvgPool2d, Conv2d, Dense, Flatten, ReLU


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
    assert not np.array_equal(a.coef_, a._W[:, :-1])  # averaging changes the weights used
    assert a.score(Z, yz) >= plain.score(Z, yz) - 0.02 and a.score(Z, yz) > 0.85
    with pytest.raises(NotFittedError, match="classes="):
        Perceptron().partial_fit(X, [0, 1, 1, 1])
    with pytest.raises(NotFittedError, match="not fitted"):
        Perceptron().predict(X)
    assert not hasattr(Perceptron(), "coef_")
    with pytest.raises(ValueError, match="lr must be > 0"):
        Perceptron(lr=0).fit(X, [0, 1, 1, 1])


# ---------------------------------------------------------------- persistence
def _fitted_models():
    rng = np.random.default_rng(6)
    X = rng.random((20, 784))
    y = np.arange(20) % 10
    return X, [Perceptron(max_epochs=3, random_state=0).fit(X, y),
               MLP(hidden=(16,), epochs=2, validation_fraction=0, random_state=0).fit(X, y),
               LeNet5(epochs=1, random_state=0).fit(X, y),
               NetworkClassifier([Conv2d(4, 5, padding=2), ReLU(), AvgPool2d(2), Flatten(), Dense(8), ReLU()],
                                 epochs=1, random_state=0).fit(X, np.where(y < 5, "low", "high"))]


def test_save_load_round_trip(tmp_path):
    X, models = _fitted_models()
    for m in models:
        path = m.save(tmp_path / f"{type(m).__name__}.npz")
        back = type(m).load(path)
        assert type(back) is type(m) and repr(back.get_params()) == repr(m.get_params())
        np.testing.assert_array_equal(back.decision_function(X), m.decision_function(X))
        np.testing.assert_array_equal(load_model(path).predict(X), m.predict(X))
    with pytest.raises(NotFittedError):
        MLP().save(tmp_path / "unfitted.npz")


def test_model_files_of_format_version_1_still_load(tmp_path):
    """Files written before the layer modules (hand-made here in that format)."""
    import json
    rng = np.random.default_rng(0)
    W0, W1 = rng.normal(size=(784, 16)), rng.normal(size=(16, 10))
    meta = dict(version=1, kind="MLP", hyper=dict(hidden=[16], activation="relu", loss="cross_entropy",
                                                  optimizer="adam", lr=1e-3, momentum=0.9, batch_size=64, epochs=2,
                                                  l2=0.0, validation_fraction=0.0, patience=5, random_state=0))
    np.savez(tmp_path / "mlp1.npz", meta=np.array(json.dumps(meta)), **{"a.W0": W0, "a.b0": np.zeros(16),
                                                                         "a.W1": W1, "a.b1": np.ones(10),
                                                                         "a.classes": np.arange(10)})
    X = rng.random((5, 784))
    np.testing.assert_allclose(MLP.load(tmp_path / "mlp1.npz").decision_function(X),
                               np.maximum(X @ W0, 0) @ W1 + 1, rtol=1e-12)
    state = LeNet5(epochs=1, random_state=0).fit(rng.random((10, 784)), np.arange(10)).state_dict()
    meta = dict(version=1, kind="LeNet5", hyper=dict(lr=1e-3, epochs=1, dtype="float32", random_state=0))
    np.savez(tmp_path / "lenet1.npz", meta=np.array(json.dumps(meta)), **{f"a.{k}": v for k, v in state.items()})
    assert LeNet5.load(tmp_path / "lenet1.npz").predict(X).shape == (5,)


def _write_model(path, meta=None, **arrays):
    import json
    entries = {f"a.{k}": v for k, v in arrays.items()}
    if meta is not None:
        entries["meta"] = np.array(meta if isinstance(meta, str) else json.dumps(meta))
    np.savez(path, **entries)
    return path


def test_damaged_or_foreign_model_files_are_a_clear_value_error(tmp_path):
    """Issue 23: every loader problem is a ValueError naming the file (before: BadZipFile, KeyError, ...)."""
    X, models = _fitted_models()
    good = models[2].save(tmp_path / "lenet.npz")
    data = good.read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("notes.txt", "hello")
    np.save(tmp_path / "single.npy", np.zeros(3))
    np.savez(tmp_path / "foreign.npz", weights=np.zeros(3))
    import json
    meta = json.loads(str(np.load(good)["meta"]))
    state = {k: v for k, v in np.load(good).items() if k.startswith("a.")}
    no_fc1 = {k[2:]: v for k, v in state.items() if k != "a.fc1.weight"}
    bad_shape = dict({k[2:]: v for k, v in state.items()}, **{"fc1.weight": np.zeros((10, 10), np.float32)})
    _write_model(tmp_path / "badjson.npz", "{not json", x=np.zeros(2))
    _write_model(tmp_path / "nokind.npz", {"version": 2})
    _write_model(tmp_path / "future.npz", dict(meta, version=9))
    _write_model(tmp_path / "alien.npz", dict(meta, kind="SVM"))
    _write_model(tmp_path / "nofc1.npz", meta, **no_fc1)
    _write_model(tmp_path / "shape.npz", meta, **bad_shape)
    _write_model(tmp_path / "nostate.npz", {k: v for k, v in meta.items() if k != "state"})
    _write_model(tmp_path / "badparam.npz", dict(meta, params=dict(meta["params"], colour=1)),
                 **{k[2:]: v for k, v in state.items()})
    cases = {
        "truncated.npz": "not a readable spikesim model file",
        "junk.npz": "not a readable spikesim model file",
        "other.zip": "no 'meta' entry",
        "single.npy": "one .npy array",
        "foreign.npz": "no 'meta' entry",
        "missing.npz": "no such model file",
        "badjson.npz": "not valid JSON",
        "nokind.npz": "no model class",
        "future.npz": "version 9 is not supported",
        "alien.npz": "holds a 'SVM'",
        "nofc1.npz": r"missing \['fc1.weight'\]",
        "shape.npz": r"layer fc1 \(Dense\): weight must have shape",
        "nostate.npz": "lacks its parameters or state",
        "badparam.npz": r"unknown parameter\(s\) \['colour'\]",
    }
    for name, message in cases.items():
        path = tmp_path / name
        with pytest.raises(ValueError, match=message) as info:
            LeNet5.load(path)
        assert str(path) in str(info.value), name
    with pytest.raises(ValueError, match="holds a 'LeNet5' model, not a 'Perceptron'"):
        Perceptron.load(good)
    p = models[0].save(tmp_path / "p.npz")
    pmeta = json.loads(str(np.load(p)["meta"]))
    parr = {k[2:]: v for k, v in np.load(p).items() if k.startswith("a.")}
    _write_model(tmp_path / "p_noU.npz", pmeta, **{k: v for k, v in parr.items() if k != "U"})
    with pytest.raises(ValueError, match="missing entry 'U' for a Perceptron"):
        Perceptron.load(tmp_path / "p_noU.npz")
    _write_model(tmp_path / "p_shape.npz", pmeta, **dict(parr, W=np.zeros((3, 5))))
    with pytest.raises(ValueError, match="do not fit 10 classes"):
        load_model(tmp_path / "p_shape.npz")


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


def test_torch_sequential_imports_and_exports():
    torch = pytest.importorskip("torch")
    from spikesim.ann.torch_io import sequential_from_torch, to_torch
    nn = torch.nn
    torch.manual_seed(1)
    tseq = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Sequential(nn.Conv2d(4, 6, 3), nn.ReLU(), nn.MaxPool2d(2)), nn.Flatten(),
                         nn.Linear(6 * 2 * 2, 5), nn.ReLU(), nn.Linear(5, 3))
    X = np.random.default_rng(8).random((4, 1, 12, 12)).astype(np.float32)
    ours = sequential_from_torch(tseq, input_shape=(1, 12, 12))
    with torch.no_grad():
        ref = tseq(torch.tensor(X)).numpy()
    np.testing.assert_allclose(ours.forward(X.astype(np.float64)), ref, atol=1e-5)
    with torch.no_grad():
        np.testing.assert_allclose(to_torch(ours)(torch.tensor(X)).numpy(), ref, atol=1e-6)
    with pytest.raises(ValueError, match="module 1 .Sigmoid. has no spikesim layer"):
        sequential_from_torch(nn.Sequential(nn.Linear(3, 2), nn.Sigmoid()))
    with pytest.raises(ValueError, match="only stride 1"):
        sequential_from_torch(nn.Sequential(nn.Conv2d(1, 2, 3, stride=2)))
    with pytest.raises(TypeError, match="only a torch.nn.Sequential or the lecture's LeNet"):
        sequential_from_torch(nn.Linear(3, 2))
