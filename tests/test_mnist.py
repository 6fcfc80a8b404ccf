"""The IDX reader and the 8,000/2,000 protocol on the shared MNIST files, and on corrupt files."""
import gzip

import numpy as np
import pytest

from conftest import MNIST_DIR
from spikesim.data import load_mnist, load_protocol, read_idx

needs_data = pytest.mark.skipif(not (MNIST_DIR / "t10k-labels-idx1-ubyte.gz").exists(),
                                reason="shared MNIST copy not found")


@needs_data
def test_shared_files_and_protocol():
    X, y = load_mnist(MNIST_DIR)
    assert X.shape == (10000, 28, 28) and X.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(y), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    Xtr, ytr, Xte, yte = load_protocol(MNIST_DIR)
    assert Xtr.shape == (8000, 28, 28) and Xte.shape == (2000, 28, 28)
    assert Xtr.max() <= 1.0 and Xtr.min() >= 0.0
    # stratified: 20 % of each class held out (rounded)
    np.testing.assert_allclose(np.bincount(yte) / np.bincount(y), 0.2, atol=0.002)


def _write_idx(path, arr, code=0x08, compress=False, cut=0):
    header = bytes([0, 0, code, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    data = header + arr.astype(">u1" if code == 0x08 else ">i4").tobytes()
    data = data[:len(data) - cut] if cut else data
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_reader_roundtrip_and_errors(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "a", a)), a)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "a.gz", a, compress=True)), a)
    b = np.array([1, -5, 70000], dtype=np.int32)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "b", b, code=0x0C)), b)
    with pytest.raises(ValueError, match="truncated"):
        read_idx(_write_idx(tmp_path / "c", a, cut=5))
    (tmp_path / "d").write_bytes(b"\x12\x34\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "d")
    (tmp_path / "e").write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="unknown IDX data type"):
        read_idx(tmp_path / "e")
    good = gzip.compress(_write_idx(tmp_path / "f", a).read_bytes())
    (tmp_path / "g.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        read_idx(tmp_path / "g.gz")
    with pytest.raises(FileNotFoundError):
        load_mnist(tmp_path)
