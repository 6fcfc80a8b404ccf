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


def test_convert_cli_perceptron_and_lenet5(tmp_path, capsys):
    """spikesim convert: summary.json fields, the accuracy figure, the LeNet5 layer raster, bad input."""
    from spikesim.ann.lenet5 import LeNet5
    main(["train", "perceptron", "--data", str(MNIST_DIR), "--epochs", "2", "--out", str(tmp_path / "p"), "--quiet"])
    out = tmp_path / "cp"
    main(["convert", str(tmp_path / "p" / "model.npz"), "--data", str(MNIST_DIR), "--timesteps", "10,40",
          "--n", "60", "--calibration", "200", "--out", str(out)])
    s = json.loads((out / "summary.json").read_text())
    assert s["model_class"] == "Perceptron" and s["n_images"] == 60
    assert set(s["snn_accuracy"]) == {"10", "40"} and s["images_per_s"] > 0
    assert s["ann_accuracy"] > 0.8 and s["snn_accuracy"]["40"] > s["ann_accuracy"] - 0.1
    assert (out / "accuracy_vs_timesteps.png").stat().st_size > 1000
    # a (barely trained) LeNet5: the layer raster is written too
    from spikesim.data import load_protocol
    Xtr, ytr, _, _ = load_protocol(MNIST_DIR)
    LeNet5(epochs=1, random_state=0).fit(Xtr[:20], ytr[:20]).save(tmp_path / "lenet.npz")
    out2 = tmp_path / "cl"
    main(["convert", str(tmp_path / "lenet.npz"), "--data", str(MNIST_DIR), "--timesteps", "5", "--n", "4",
          "--calibration", "20", "--out", str(out2)])
    assert json.loads((out2 / "summary.json").read_text())["model_class"] == "LeNet5"
    assert (out2 / "layer_raster.png").stat().st_size > 1000
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 broken")
    for argv, message in ((["lenet.npz", "--timesteps", "0"], "timesteps"), (["missing.npz"], "no such file"),
                          (["junk.npz"], "junk.npz: not a readable spikesim model file")):
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            main(["convert", str(tmp_path / argv[0]), "--data", str(MNIST_DIR), *argv[1:]])
        err = capsys.readouterr().err
        assert info.value.code == 2 and message in err and len(err.splitlines()) == 1, err
    for flag in ("--n", "--calibration", "--batch-size"):         # issue 23: --n -5 ran on 1,995 images
        with pytest.raises(SystemExit) as info:
            main(["convert", str(tmp_path / "lenet.npz"), "--data", str(MNIST_DIR), flag, "-5"])
        assert info.value.code == 2
