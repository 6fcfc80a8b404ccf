"""CPU kernels of network operations on synapses: weight normalisation."""
from numba import njit


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
