"""Connection rules: each returns (i, j) int64 arrays sorted by (i, j).

The sorted order is the synapses' creation order, which fixes the order in
which simultaneous inputs are summed.
"""
from __future__ import annotations

import numpy as np


def all_to_all(n_pre, n_post, autapses=True):
    i = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
    j = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
    if not autapses:
        keep = i != j
        i, j = i[keep], j[keep]
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
    while True:
        bad = np.zeros(rows.size, dtype=bool)
        if forbid is not None:
            bad |= cols == forbid[rows]
        order = np.lexsort((cols, rows))
        rows, cols, bad = rows[order], cols[order], bad[order]
        bad[1:] |= (rows[1:] == rows[:-1]) & (cols[1:] == cols[:-1])
        if not bad.any():
            return rows, cols
        cols[bad] = rng.integers(0, n_cols, size=int(bad.sum()), dtype=np.int64)


def bernoulli(rng, n_pre, n_post, p, autapses=True):
    """Each possible pair independently with probability p (Brian2's ``connect(p=p)``)."""
    n_cols = n_post - (0 if autapses else 1)
    counts = rng.binomial(n_cols, p, size=n_pre) if n_cols > 0 else np.zeros(n_pre, np.int64)
    forbid = None if autapses else np.arange(n_pre, dtype=np.int64)
    return _distinct_per_row(rng, counts.astype(np.int64), n_post, forbid)


def fixed_in_degree(rng, n_pre, n_post, k, autapses=True):
    """Every post-synaptic neuron receives exactly ``k`` distinct pre-synaptic partners."""
    limit = n_pre - (0 if autapses else 1)
    if k > limit:
        raise ValueError(f"in_degree must be <= {limit} (pre-synaptic neurons available), got {k}")
    forbid = None if autapses else np.arange(n_post, dtype=np.int64)
    j, i = _distinct_per_row(rng, np.full(n_post, k, dtype=np.int64), n_pre, forbid)
    order = np.lexsort((j, i))
    return i[order], j[order]
