"""CPU kernels of the monitors: append this step's records to the chunk buffers (records: see
:mod:`spikesim.backends.records`)."""
from numba import njit


@njit(cache=True, forceinline=True)
def record_spikes(step, spikes, k, rec):
    """Append the k neuron indices in ``spikes`` fired at ``step``."""
    c = rec.count[0]
    for q in range(k):
        rec.i[c + q] = spikes[q]
        rec.step[c + q] = step
    rec.count[0] = c + k


@njit(cache=True, forceinline=True)
def spike_room(rec, n):
    """Whether n more spikes fit in a spike buffer."""
    return rec.count[0] + n <= rec.i.size


@njit(cache=True, forceinline=True)
def record_state(step, x, rec):
    """At steps that are multiples of ``every``: rows ``rows`` of neurons ``idx`` into ``data``."""
    if step % rec.every[0] != 0:
        return
    c = rec.count[0]
    rec.steps[c] = step
    data, rows, idx = rec.data, rec.rows, rec.idx
    for a in range(rows.size):
        for b in range(idx.size):
            data[c, a, b] = x[rows[a], idx[b]]
    rec.count[0] = c + 1


@njit(cache=True, forceinline=True)
def record_weights(step, w, rec):
    """Snapshots of ``w[pos]`` every ``every`` steps, or at the sorted steps ``req`` (every = 0)."""
    if rec.every[0] > 0:
        if step % rec.every[0] != 0:
            return
    else:
        req, cursor = rec.req, rec.cursor
        while cursor[0] < req.size and req[cursor[0]] < step:
            cursor[0] += 1
        if cursor[0] >= req.size or req[cursor[0]] != step:
            return
        cursor[0] += 1
    c = rec.count[0]
    rec.steps[c] = step
    pos, data = rec.pos, rec.data
    for a in range(pos.size):
        data[c, a] = w[pos[a]]
    rec.count[0] = c + 1


@njit(cache=True, forceinline=True)
def record_count(step, k, rec):
    """Population rate monitor: this step's spike count."""
    rec.counts[step - rec.base[0]] = k
