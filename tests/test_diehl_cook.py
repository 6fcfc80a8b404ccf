"""The Diehl & Cook (2015) network: receptive fields become digit-like; the labelling scheme; the readouts."""
import importlib.util
import pathlib

import numpy as np
import pytest

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[1] / "experiments"


def _dc():
    spec = importlib.util.spec_from_file_location("diehl_cook", EXPERIMENTS / "diehl_cook.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_receptive_fields_become_digit_like(mnist):
    dc = _dc()
    Xtr, ytr, Xte, yte = mnist
    X = Xtr.reshape(len(Xtr), -1)
    rng = np.random.default_rng(0)
    r0 = dc.class_mean_correlation(rng.random((784, 20)) * 0.3, X, ytr)
    W, theta = dc.train(X[:400], n_e=20, progress=False)
    r = dc.class_mean_correlation(W, X, ytr)
    best = max(dc.class_mean_correlation(W[:, [k]], X, ytr) for k in range(20))
    # random initial fields correlate ~0.02 with the best-matching class mean; learned ones far more
    assert r0 < 0.05 and r > 0.2 and best > 0.5, (r0, r, best)
    assert theta.min() >= 0 and theta.max() > 0                     # thresholds adapted
    assert np.all(W >= 0) and np.all(W <= 1)
    sums = W.sum(axis=0)
    assert np.all(np.abs(sums - 78.0) < 0.3 * 78.0), sums            # normalised before each image
    # frozen responses: every image gets at least 5 spikes (or the maximum intensity was reached)
    counts = dc.responses(W, theta, X[:30], batch=15, progress=False)
    assert counts.shape == (30, 20) and np.mean(counts.sum(axis=1) >= 5) > 0.9


def test_labelling_and_prediction_on_synthetic_counts():
    dc = _dc()
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 300)
    pref = np.repeat(np.arange(10), 3)                       # 30 neurons, 3 per class
    counts = rng.poisson(1.0, (300, 30)) + 6 * (pref[None, :] == y[:, None])
    labels = dc.assign_labels(counts, y)
    assert np.array_equal(labels, pref)
    assert np.mean(dc.predict_by_labels(counts, labels) == y) > 0.95
    assert dc.readout_accuracy(counts[:200].astype(float), y[:200], counts[200:].astype(float), y[200:]) > 0.9


def test_learning_network_is_one_copy():
    dc = _dc()
    with pytest.raises(ValueError, match="one copy"):
        dc.build(5, batch=2, learn=True)


def _a_run_per_phase(dc, X, n_e, seed):
    """Training as it was written before Presentation: two runs per showing, normalisation in numpy."""
    from spikesim.units import ms
    net, parts = dc.build(n_e, learn=True, seed=seed)
    inputs, S, E = parts["inputs"], parts["S"], parts["E"]
    from spikesim import SpikeMonitor
    M = SpikeMonitor(E)
    net._compiled = None            # add the monitor, rebuild (the same seed: the same network)
    net.add(M)
    net.build()
    for k in np.random.default_rng(seed).permutation(len(X)):
        pix = np.clip(X[k], 0, 1) * 255.0
        intensity = 2
        while intensity <= 16:
            w = S.w.reshape(784, n_e)
            sums = w.sum(axis=0)
            S.w = (w * np.where(sums > 0, dc.W_TOTAL / np.where(sums > 0, sums, 1.0), 1.0)).ravel()
            start = M.num_spikes
            inputs.rates = pix / 8.0 * intensity
            net.run(350 * ms, progress=False)
            fired = M.num_spikes - start
            inputs.rates = np.zeros(784)
            net.run(150 * ms, progress=False)
            if fired >= 5:
                break
            intensity += 1
    return S.w.reshape(784, n_e).copy(), E.theta.copy()


def test_one_run_gives_the_weights_of_a_run_per_phase(mnist):
    """A Presentation shows the images inside one run: bit-identical to showing them with two runs each."""
    dc = _dc()
    X = mnist[0].reshape(len(mnist[0]), -1)[:1000]          # 100 neurons, 1000 presentations
    W, theta = dc.train(X, n_e=100, seed=3, progress=False)
    W0, theta0 = _a_run_per_phase(dc, X, 100, 3)
    assert np.array_equal(W, W0) and np.array_equal(theta, theta0)
    assert np.abs(W - W0).max() == 0.0 and theta.max() > 0


def test_saved_weights_evaluate_as_the_run_that_made_them(mnist, tmp_path):
    """``--weights`` skips training: the evaluation of a run's weights.npz gives that run's accuracies."""
    from conftest import MNIST_DIR
    dc = _dc()
    common = ["--data", str(MNIST_DIR), "--n", "6", "--n-train", "30", "--n-test", "12", "--quiet"]
    first = dc.main(common + ["--out", str(tmp_path / "a")])
    again = dc.main(common + ["--out", str(tmp_path / "b"), "--weights", str(tmp_path / "a" / "weights.npz")])
    assert again["train_wall_s"] is None and first["train_wall_s"] > 0
    for key in ("accuracy_labelling", "accuracy_readout_spike_counts", "accuracy_readout_dense_layer",
                "mean_test_spikes_per_image"):
        assert again[key] == first[key], key
    with pytest.raises(ValueError, match=r"do not fit --n 5"):
        dc.main(common[:3] + ["5"] + common[4:] + ["--out", str(tmp_path / "c"), "--weights",
                                                  str(tmp_path / "a" / "weights.npz")])
