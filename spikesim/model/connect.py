"""Connection rules: each returns (i, j) int64 arrays sorted by (i, j).

The sorted order is the synapses' creation order, which fixes the order in
which simultaneous inputs are summed.
"""
from __future__ import annotations

import numpy as np


def all_to_all(n_pre, n_post):
    i = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
    j = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
    return i, j


def one_to_one(n_pre, n_post):
    if n_pre != n_post:
        raise ValueError(f"one_to_one needs groups of equal size, got {n_pre} and {n_post}")
    a = np.arange(n_pre, dtype=np.int64)
    return a, a.copy()


def _distinct_per_row(rng, counts, n_cols, forbid=None):
    """For each row r draw counts[r] distinct columns in [0, n_cols) uniformly.

    ``forbid[r]`` (optional) is a column row ``r`` must not use (autapses).
    Duplicates are redrawn until none remain; the result is sorted by (row, col).
    """
    rows = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    cols = rng.integers(0, n_cols, size=rows.size, dtype=np.int64)
    n_cols = np.int64(n_cols)
    while True:
        # one int64 key per pair: sorting it orders by (row, col) much faster than lexsort
        key = rows * n_cols + cols
        key.sort()
        rows, cols = np.divmod(key, n_cols)
        bad = np.zeros(rows.size, dtype=bool)
        if forbid is not None:
            bad |= cols == forbid[rows]
        bad[1:] |= key[1:] == key[:-1]
        if not bad.any():
            return rows, cols
        cols[bad] = rng.integers(0, n_cols, size=int(bad.sum()), dtype=np.int64)


def bernoulli(rng, n_pre, n_post, p):
    """Each possible pair independently with probability p (Brian2's ``connect(p=p)``).

    Autapses, when forbidden, are removed afterwards by the caller: the
    remaining pairs are still independent draws with probability p.
    """
    counts = rng.binomial(n_post, p, size=n_pre)
    return _distinct_per_row(rng, counts.astype(np.int64), n_post)


def fixed_in_degree(rng, n_pre, n_post, k, forbid=None):
    """Every post-synaptic neuron receives exactly ``k`` distinct pre-synaptic partners.

    ``forbid=(idx_pre, idx_post)``: global indices of the candidate rows and
    columns; a post neuron may then not be paired with the pre neuron of the
    same global index (no autapses).
    """
    f = None
    limit = n_pre
    if forbid is not None:
        idx_pre, idx_post = forbid
        pos = {int(g): r for r, g in enumerate(idx_pre)}
        f = np.array([pos.get(int(g), -1) for g in idx_post], dtype=np.int64)
        limit = n_pre - (1 if (f >= 0).any() else 0)
    if k > limit:
        raise ValueError(f"in_degree must be <= {limit} (pre-synaptic neurons available), got {k}")
    j, i = _distinct_per_row(rng, np.full(n_post, k, dtype=np.int64), n_pre, f)
    order = np.lexsort((j, i))
    return i[order], j[order]
