"""Connection rules: each returns (i, j) int64 arrays sorted by (i, j).

The sorted order is the synapses' creation order, which fixes the order in
which simultaneous inputs are summed.

Two samplers draw random connectivity, chosen by density alone (so the
same seed and parameters always give the same synapses):

* sparse (``p <= DENSE``, ``in_degree <= DENSE * candidates``): draw each
  row's partners with replacement and redraw duplicates; cheap when
  duplicates are rare, which is the usual cortical density (p = 0.02);
* dense (above ``DENSE``): one uniform number per candidate pair, a block of
  rows at a time (``p``: keep the pairs whose number is below ``p``;
  ``in_degree``: keep the ``k`` smallest numbers of each row).  Its cost is
  one draw per candidate pair, at most ``1/DENSE`` times the synapses
  drawn, whatever the density (redrawing duplicates needs ever more rounds
  as the density approaches 1).
"""
from __future__ import annotations

import numpy as np

#: density above which the dense samplers are used
DENSE = 0.25
#: candidate pairs drawn at once by the dense samplers (8 bytes each)
BLOCK_PAIRS = 1 << 20


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


def _row_blocks(n_rows, n_cols):
    """(start, stop) of consecutive blocks of rows holding about BLOCK_PAIRS candidate pairs each."""
    step = max(1, BLOCK_PAIRS // max(n_cols, 1))
    return [(a, min(a + step, n_rows)) for a in range(0, n_rows, step)]


def _dense_bernoulli(rng, n_pre, n_post, p):
    """Each pair with probability p: one uniform number per pair, drawn row block by row block."""
    i_parts, j_parts = [], []
    for a, b in _row_blocks(n_pre, n_post):
        rows, cols = np.nonzero(rng.random((b - a, n_post)) < p)
        i_parts.append(rows.astype(np.int64) + a)
        j_parts.append(cols.astype(np.int64))
    if not i_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(i_parts), np.concatenate(j_parts)


def bernoulli(rng, n_pre, n_post, p):
    """Each possible pair independently with probability p (Brian2's ``connect(p=p)``).

    Autapses, when forbidden, are removed afterwards by the caller: the
    remaining pairs are still independent draws with probability p.
    """
    if p >= 1.0:                      # every pair: nothing to draw
        return all_to_all(n_pre, n_post)
    if p > DENSE:
        return _dense_bernoulli(rng, n_pre, n_post, p)
    counts = rng.binomial(n_post, p, size=n_pre)
    return _distinct_per_row(rng, counts.astype(np.int64), n_post)


def _dense_in_degree(rng, n_pre, n_post, k, forbid):
    """``k`` of the ``n_pre`` candidates per post neuron: the k smallest of one uniform number per candidate.

    ``forbid[r]`` >= 0: the candidate post neuron ``r`` may not take (its number is set above every other).
    Returns a boolean matrix of shape (n_pre, n_post): True where a synapse is.
    """
    chosen = np.zeros((n_post, n_pre), dtype=bool)
    if k == 0:
        return chosen.T
    for a, b in _row_blocks(n_post, n_pre):
        u = rng.random((b - a, n_pre))
        if forbid is not None:
            rows = np.flatnonzero(forbid[a:b] >= 0)
            u[rows, forbid[a:b][rows]] = 2.0         # never among the k smallest (k <= candidates - 1)
        sel = np.argpartition(u, k - 1, axis=1)[:, :k]
        chosen[np.arange(a, b)[:, None], sel] = True
    return chosen.T


def _forbidden_columns(idx_pre, idx_post):
    """For each candidate post neuron, the row of the candidate pre neuron with the same global index, or -1."""
    pos = np.searchsorted(idx_pre, idx_post)
    pos = np.minimum(pos, max(idx_pre.size - 1, 0))
    hit = idx_pre.size > 0
    same = (idx_pre[pos] == idx_post) if hit else np.zeros(idx_post.size, dtype=bool)
    return np.where(same, pos, -1).astype(np.int64)


def fixed_in_degree(rng, n_pre, n_post, k, forbid=None):
    """Every post-synaptic neuron receives exactly ``k`` distinct pre-synaptic partners.

    ``forbid=(idx_pre, idx_post)``: global indices (sorted) of the candidate
    rows and columns; a post neuron may then not be paired with the pre
    neuron of the same global index (no autapses).
    """
    f = None
    limit = n_pre
    if forbid is not None:
        f = _forbidden_columns(*forbid)
        limit = n_pre - (1 if (f >= 0).any() else 0)
    if k > limit:
        raise ValueError(f"in_degree must be <= {limit} (pre-synaptic neurons available), got {k}")
    if k > DENSE * n_pre:
        i, j = np.nonzero(np.ascontiguousarray(_dense_in_degree(rng, n_pre, n_post, k, f)))
        return i.astype(np.int64), j.astype(np.int64)
    j, i = _distinct_per_row(rng, np.full(n_post, k, dtype=np.int64), n_pre, f)
    key = i * np.int64(max(n_post, 1)) + j          # order by (i, j): one int64 sort instead of a lexsort
    key.sort()
    i, j = np.divmod(key, np.int64(max(n_post, 1)))
    return i, j
