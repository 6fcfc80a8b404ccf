"""Training runs on the MNIST protocol that must reach a stated held-out accuracy."""
import json

import numpy as np
import pytest

from conftest import MNIST_DIR
from spikesim.ann.train import confusion_matrix, train
from spikesim.cli import main

pytestmark = pytest.mark.skipif(not (MNIST_DIR / "t10k-labels-idx1-ubyte.gz").exists(),
                                reason="shared MNIST copy not found")


def test_train_cli_perceptron_outputs(tmp_path):
    main(["train", "perceptron", "--data", str(MNIST_DIR), "--epochs", "3", "--out", str(tmp_path), "--quiet"])
    s = json.loads((tmp_path / "summary.json").read_text())
    for key in ("test_accuracy", "train_accuracy", "epochs", "wall_s"):
        assert key in s
    assert s["epochs"] == 3 and s["test_accuracy"] > 0.88
    for f in ("model.npz", "learning_curve.png", "confusion.png"):
        assert (tmp_path / f).stat().st_size > 1000


def test_confusion_matrix_counts():
    m = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], k=3)
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


@pytest.mark.slow
def test_averaged_perceptron_reaches_91_percent():
    _, s, _, _ = train("perceptron", MNIST_DIR, epochs=10, seed=0, progress=False)
    assert s["test_accuracy"] >= 0.91


@pytest.mark.slow
def test_mlp_reaches_95_percent():
    _, s, _, _ = train("mlp", MNIST_DIR, epochs=15, seed=0, progress=False)
    assert s["test_accuracy"] >= 0.95


@pytest.mark.slow
def test_lenet5_reaches_97_5_percent():
    _, s, _, _ = train("lenet5", MNIST_DIR, epochs=6, seed=0, progress=False, augment_shift=0)
    assert s["test_accuracy"] >= 0.975
