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
