import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

import pathlib

import pytest

MNIST_DIR = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@pytest.fixture(params=["reference", "cpu"])
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def mnist():
    """The 8,000 / 2,000 MNIST protocol (skips when ../shared/data/mnist is absent)."""
    if not (MNIST_DIR / "holdout-indices.txt").exists():
        pytest.skip("no MNIST data beside the repository")
    from spikesim.data.mnist import load_protocol
    return load_protocol(MNIST_DIR)
