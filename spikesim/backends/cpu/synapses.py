"""CPU kernel: deliver the spikes due at step n through one Synapses object."""
from numba import njit


@njit(cache=True)
def deliver(n, hist, hist_n, hist_step, dptr, udelay, post, w, target_row):
    """Add the weights of every synapse whose spike arrives at step n to ``target_row``.

    Spikes pushed earlier (longer delays) are delivered first, then by source
    index, then in creation order: the summation order Brian2 uses.
    """
    U = udelay.size
    D = hist_n.size
    for u in range(U - 1, -1, -1):
        p = n - udelay[u]
        slot = p % D
        if hist_step[slot] != p:
            continue
        for k in range(hist_n[slot]):
            base = hist[slot, k] * U + u
            for s in range(dptr[base], dptr[base + 1]):
                target_row[post[s]] += w[s]


@njit(cache=True)
def normalize_one(j, w, rev_ptr, rev_syn, total):
    """Scale the weights onto post neuron j so that they sum to ``total`` (skipped when the sum is 0)."""
    acc = 0.0
    for r in range(rev_ptr[j], rev_ptr[j + 1]):
        acc += w[rev_syn[r]]
    if acc != 0.0:
        f = total / acc
        for r in range(rev_ptr[j], rev_ptr[j + 1]):
            w[rev_syn[r]] *= f


@njit(cache=True)
def normalize_incoming(w, rev_ptr, rev_syn, total):
    """Scale the weights onto each post neuron so that they sum to ``total`` (skipped when the sum is 0)."""
    for j in range(rev_ptr.size - 1):
        normalize_one(j, w, rev_ptr, rev_syn, total)
