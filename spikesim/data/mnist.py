"""MNIST in its original IDX format: reader, loader and the 8,000/2,000 protocol.

The reader checks the magic number, the dimensions and the length, so a
corrupt or truncated file is a clear ``ValueError`` rather than garbage.
Tests and the default commands read a directory holding the files (the
project's offline copy of the 10,000-image test split); on a machine with
internet, :func:`download_mnist` fetches the official files into a cache
and verifies their checksums.
"""
from __future__ import annotations

import gzip
import hashlib
import pathlib
import urllib.request

import numpy as np

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

#: official files and their SHA-256 checksums (of the gzip files)
OFFICIAL = {
    "t10k-images-idx3-ubyte.gz": "167310007f03058885c7e95e6c0b19c20de5c7fd3031f4cbdadc9014a523d80b",
    "t10k-labels-idx1-ubyte.gz": "fc607395669ec21321ea83e4b82c0544b7e8e63ff5b34337c06bc0a17cc0da3c",
}


def read_idx(path):
    """Read one IDX file (optionally gzip-compressed) into a numpy array.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ndarray
        Shape as stored, e.g. (10000, 28, 28) uint8 for images, (10000,) for labels.

    Raises
    ------
    ValueError
        Bad magic number, unknown data type, or fewer/more bytes than the header says.
    """
    path = pathlib.Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: corrupt or truncated gzip data ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (magic number {raw[:4].hex() or 'missing'})")
    code, ndim = raw[2], raw[3]
    if code not in _DTYPES:
        raise ValueError(f"{path}: unknown IDX data type 0x{code:02x}")
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{path}: truncated IDX header ({ndim} dimensions)")
    dims = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    dtype = np.dtype(_DTYPES[code])
    expected = int(np.prod(dims)) * dtype.itemsize
    body = raw[4 + 4 * ndim:]
    if len(body) != expected:
        raise ValueError(f"{path}: header says {dims} ({expected} bytes of data), file has {len(body)} bytes"
                         f" ({'truncated' if len(body) < expected else 'trailing data'})")
    return np.frombuffer(body, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


def _find(directory, stem):
    d = pathlib.Path(directory)
    for name in (stem + ".gz", stem):
        if (d / name).exists():
            return d / name
    raise FileNotFoundError(f"{d}: no {stem}(.gz)")


def load_mnist(directory, split="t10k"):
    """Images and labels of one split from ``directory``.

    Returns
    -------
    X : ndarray of shape (n, 28, 28), uint8
    y : ndarray of shape (n,), int64
    """
    X = read_idx(_find(directory, f"{split}-images-idx3-ubyte"))
    y = read_idx(_find(directory, f"{split}-labels-idx1-ubyte")).astype(np.int64)
    if X.ndim != 3 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"{directory}: images {X.shape} and labels {y.shape} do not match")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise ValueError(f"{directory}: labels outside 0-9")
    return X, y


def load_protocol(directory):
    """The 8,000/2,000 protocol of the offline copy (see its README).

    Returns
    -------
    (X_train, y_train, X_test, y_test)
        X as float64 in [0, 1], shape (n, 28, 28); 8,000 training and the
        2,000 held-out images (``holdout-indices.txt``).
    """
    X, y = load_mnist(directory)
    lines = (pathlib.Path(directory) / "holdout-indices.txt").read_text().splitlines()
    hold = np.array([int(s) for s in lines if s.strip() and not s.startswith("#")], dtype=np.int64)
    if hold.size == 0 or hold.min() < 0 or hold.max() >= len(y) or np.unique(hold).size != hold.size:
        raise ValueError(f"{directory}/holdout-indices.txt: indices must be distinct and in [0, {len(y)})")
    mask = np.zeros(len(y), dtype=bool)
    mask[hold] = True
    Xf = X.astype(np.float64) / 255.0
    return Xf[~mask], y[~mask], Xf[mask], y[mask]


def download_mnist(cache_dir, base_url="https://storage.googleapis.com/cvdf-datasets/mnist/", files=None):
    """Fetch the official MNIST files into ``cache_dir`` and verify their SHA-256 (needs internet).

    Only the files with a known checksum in :data:`OFFICIAL` are fetched by
    default; a file whose checksum does not match is deleted and reported.
    Returns the cache directory.  Never used by the tests.
    """
    cache = pathlib.Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    for name, digest in (files or OFFICIAL).items():
        target = cache / name
        if not target.exists():
            with urllib.request.urlopen(base_url + name, timeout=60) as r:
                target.write_bytes(r.read())
        got = hashlib.sha256(target.read_bytes()).hexdigest()
        if got != digest:
            target.unlink()
            raise ValueError(f"{name}: checksum mismatch (got {got}, expected {digest}); file removed")
    return cache
