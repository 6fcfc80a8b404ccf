"""Common base of every population of neurons or spike sources."""
from __future__ import annotations

import numpy as np

from .._validate import check_int

NEVER = -(2 ** 40)  # lastspike step of a neuron that never spiked
MAX_N = 2 ** 31 - 1  # synapses store their target index as int32


class Group:
    """A population of ``N`` units that can emit spikes.

    Subclasses hold their state in numpy arrays that the compiled network
    uses directly, so reading ``group.v`` after a run gives the live values.
    """

    def __init__(self, N, name=None):
        self.N = check_int("N", N, minimum=1, maximum=MAX_N, why="neuron indices are 32-bit integers")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        self.name = name
        self.lastspike = np.full(self.N, NEVER, dtype=np.int64)

    # --- hooks used when a Network is built
    def _resolve(self, rng, dt):
        """Resolve deferred initial values with the network's seeded ``rng``."""

    def _state_arrays(self):
        """Name -> array of everything that store/restore must copy."""
        return {"lastspike": self.lastspike}

    #: per-element variables other objects may read (``rates`` of a PoissonGroup, ...)
    variables = ()
    units = {}

    def __len__(self):
        return self.N

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r} N={self.N}>"


def resolve_value(name, value, n, rng, **checks):
    """Turn a scalar, array or ``f(rng, n)`` callable into an array of shape (n,)."""
    from .._validate import check_array
    if callable(value):
        if rng is None:
            raise RuntimeError(f"{name} is drawn from the network's RNG; add the object to a Network and run "
                               f"(or call Network.build()) before reading it")
        value = value(rng, n)
    return check_array(name, value, n, **checks)
