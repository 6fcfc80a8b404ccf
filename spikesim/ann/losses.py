"""Losses of a classifier's output layer: the loss of a batch and its gradient with respect to the outputs.

Both take the outputs ``z`` of shape (n, n_classes) and integer labels ``y``
(n,) and return ``(loss, dLoss/dz)``, the loss averaged over the batch.
"""
from __future__ import annotations

import numpy as np

from .activations import softmax


def cross_entropy(z, y):
    """Softmax cross-entropy ``-mean log softmax(z)[y]``; gradient ``(softmax(z) - onehot(y)) / n``."""
    n = len(y)
    P = softmax(z)
    rows = np.arange(n)
    loss = -np.log(np.clip(P[rows, y], np.finfo(P.dtype).tiny, None)).mean()
    grad = P.copy()
    grad[rows, y] -= 1
    grad /= n
    return float(loss), grad


def mse(z, y):
    """Mean squared error to one-hot targets ``0.5/n sum (z - onehot(y))^2``; gradient ``(z - onehot(y)) / n``."""
    n = len(y)
    diff = z.copy()
    diff[np.arange(n), y] -= 1
    return float(0.5 * np.sum(diff * diff) / n), diff / n


LOSSES = {"cross_entropy": cross_entropy, "mse": mse}
