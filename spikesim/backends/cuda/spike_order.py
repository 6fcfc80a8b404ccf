"""Host side of the cuda backend's spike monitors: putting a chunk's spikes into (step, index) order.

The device appends spikes with an atomic counter, so a chunk's buffer holds
the steps in order (the kernels of one step finish before the next step's
start) but each step's indices in arbitrary order.  Sorting each step's
indices on its own (a radix sort over the bytes of the index), the steps
spread over the host's cores, is faster than one sort of the whole chunk by a
(step, index) key: 2.3x on 2 cores, 1.7x on one, for the 1M-neuron CUBA
network (``experiments/benchmarks/cuda_host_costs.py``).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _step_starts(st):
    """Start of each run of equal steps in ``st`` and the end; None-like (size 0) if ``st`` decreases anywhere."""
    n = st.size
    count = 1
    for k in range(1, n):
        if st[k] < st[k - 1]:
            return np.zeros(0, np.int64)
        if st[k] != st[k - 1]:
            count += 1
    starts = np.empty(count + 1, np.int64)
    starts[0] = 0
    c = 1
    for k in range(1, n):
        if st[k] != st[k - 1]:
            starts[c] = k
            c += 1
    starts[count] = n
    return starts


@njit(cache=True, parallel=True)
def _sort_runs(i, starts, passes):
    """Sort ``i[starts[r]:starts[r + 1]]`` for every r, in place: LSD radix sort, ``passes`` bytes of the index.

    Short runs use insertion sort; the runs are spread over the host's threads."""
    for r in prange(starts.size - 1):
        a, b = starts[r], starts[r + 1]
        m = b - a
        if m <= 32:
            for x in range(a + 1, b):
                v = i[x]
                y = x - 1
                while y >= a and i[y] > v:
                    i[y + 1] = i[y]
                    y -= 1
                i[y + 1] = v
            continue
        src = i[a:b].copy()
        dst = np.empty(m, i.dtype)
        count = np.empty(257, np.int64)
        for p in range(passes):
            shift = 8 * p
            count[:] = 0
            for x in range(m):
                count[((src[x] >> shift) & 255) + 1] += 1
            for d in range(256):
                count[d + 1] += count[d]
            for x in range(m):
                d = (src[x] >> shift) & 255
                dst[count[d]] = src[x]
                count[d] += 1
            src, dst = dst, src
        i[a:b] = src


def sort_spikes(i, st, n_neurons):
    """Spikes in (step, index) order, as the cpu backend records them.

    Parameters
    ----------
    i : ndarray of int32, shape (n,)
        Neuron index of each spike.
    st : ndarray of int64, shape (n,)
        Time step of each spike.
    n_neurons : int
        Size of the group (bounds ``i``).

    Returns
    -------
    i, st : ndarray of int32 and int64, shape (n,)
        Sorted copies (``i`` is sorted in place when ``st`` never decreases).
    """
    if st.size < 2:
        return i, st
    starts = _step_starts(st)
    if starts.size:
        _sort_runs(i, starts, max(1, (max(int(n_neurons) - 1, 1).bit_length() + 7) // 8))
        return i, st
    N = max(1, int(n_neurons))
    if (int(st.max()) + 1) < (1 << 62) // N:
        key = np.sort(st * N + i)        # one int64 key: (step, index) order
        s, k = np.divmod(key, N)
        return k.astype(np.int32), s
    order = np.lexsort((i, st))
    return i[order], st[order]
