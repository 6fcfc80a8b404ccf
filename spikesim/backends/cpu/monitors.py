"""CPU kernels of the monitors: append this step's records to the chunk buffers."""
from numba import njit


@njit(cache=True)
def record_spikes(step, spikes, k, rec):
    """Append the k neuron indices in ``spikes`` fired at ``step``; rec = (i buffer, step buffer, count)."""
    bi, bs, cnt = rec
    c = cnt[0]
    for q in range(k):
        bi[c + q] = spikes[q]
        bs[c + q] = step
    cnt[0] = c + k


@njit(cache=True)
def spike_room(rec, n):
    """Whether n more spikes fit in a spike buffer."""
    return rec[2][0] + n <= rec[0].size


@njit(cache=True)
def record_state(step, x, rec):
    """At steps that are multiples of ``every``: rows ``rows`` of neurons ``idx``; rec = (rows, idx, every,
    step buffer, data buffer of shape (n, rows, idx), count)."""
    rows, idx, every, bs, data, cnt = rec
    if step % every[0] != 0:
        return
    c = cnt[0]
    bs[c] = step
    for a in range(rows.size):
        for b in range(idx.size):
            data[c, a, b] = x[rows[a], idx[b]]
    cnt[0] = c + 1


@njit(cache=True)
def record_weights(step, w, rec):
    """Weight snapshots every ``every`` steps, or at the sorted steps ``req`` (every = 0); rec = (pos, every,
    req, cursor, step buffer, data buffer, count)."""
    pos, every, req, cursor, bs, data, cnt = rec
    if every[0] > 0:
        if step % every[0] != 0:
            return
    else:
        while cursor[0] < req.size and req[cursor[0]] < step:
            cursor[0] += 1
        if cursor[0] >= req.size or req[cursor[0]] != step:
            return
        cursor[0] += 1
    c = cnt[0]
    bs[c] = step
    for a in range(pos.size):
        data[c, a] = w[pos[a]]
    cnt[0] = c + 1


@njit(cache=True)
def record_count(step, k, rec):
    """Population rate monitor: this step's spike count; rec = (counts, first step of the chunk)."""
    counts, base = rec
    counts[step - base[0]] = k
