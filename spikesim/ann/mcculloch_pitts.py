"""The McCulloch-Pitts (1943) threshold unit."""
from __future__ import annotations

import itertools

import numpy as np

from .._validate import check_float


class McCullochPitts:
    """``y = 1 if sum_i w_i x_i >= threshold else 0`` on binary inputs.

    Parameters
    ----------
    weights : array of shape (n_inputs,)
        Excitatory weights are positive, inhibitory ones negative.
    threshold : float

    Examples
    --------
    >>> from spikesim.ann import McCullochPitts
    >>> AND = McCullochPitts.AND(2)
    >>> [int(AND([a, b])) for a, b in [(0, 0), (0, 1), (1, 0), (1, 1)]]
    [0, 0, 0, 1]
    """

    def __init__(self, weights, threshold):
        if isinstance(weights, (str, bytes)) or not isinstance(weights, (list, tuple, np.ndarray)):
            raise TypeError(f"weights must be a 1-D array of numbers, got {weights!r}")
        try:
            self.weights = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"weights must be a 1-D array of numbers, got {weights!r}") from None
        if self.weights.ndim != 1 or self.weights.size == 0:
            raise ValueError(f"weights must be a non-empty 1-D array, got shape {self.weights.shape}")
        if not np.all(np.isfinite(self.weights)):
            raise ValueError(f"weights must be finite, got {self.weights.tolist()}")
        self.threshold = check_float("threshold", threshold)

    def __call__(self, x):
        """Output(s) for binary input(s) ``x`` of shape (n_inputs,) or (n, n_inputs)."""
        try:
            x = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"x must be an array of binary inputs (0 or 1), got {x!r}") from None
        if x.ndim not in (1, 2) or x.shape[-1] != self.weights.size:
            raise ValueError(f"x must have shape ({self.weights.size},) or (n, {self.weights.size}), got shape "
                             f"{x.shape}")
        if not np.all((x == 0) | (x == 1)):
            raise ValueError("x must be binary (0 or 1)")
        return (x @ self.weights >= self.threshold).astype(np.int64)

    @classmethod
    def AND(cls, n=2):
        return cls(np.ones(n), n)

    @classmethod
    def OR(cls, n=2):
        return cls(np.ones(n), 1)

    @classmethod
    def NOT(cls):
        return cls([-1.0], 0)

    def truth_table(self):
        """All binary inputs, shape (2**n, n), and the outputs."""
        X = np.array(list(itertools.product([0, 1], repeat=self.weights.size)))
        return X, self(X)


def search_xor(values=np.arange(-3, 3.5, 0.5)):
    """Exhaustively try every unit with weights and threshold from ``values``; return those computing XOR.

    XOR is not linearly separable, so the list is empty for every grid: the
    four constraints w2 >= t, w1 >= t, 0 < t, w1 + w2 < t contradict each other.
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    target = np.array([0, 1, 1, 0])
    found = []
    for w1, w2, t in itertools.product(values, values, values):
        if np.array_equal((X @ np.array([w1, w2]) >= t).astype(int), target):
            found.append((w1, w2, t))
    return found
