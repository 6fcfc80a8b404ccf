"""Activation functions of the lecture, each with its derivative, in a registry.

Every entry of :data:`ACTIVATIONS` is an :class:`Activation` with ``f(z)``
and ``df(z)`` (the derivative with respect to the pre-activation ``z``,
elementwise).  ``softmax`` is vector-valued and handled with the
cross-entropy loss; :func:`maxout` takes the maximum over groups of ``k``
linear pieces.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._validate import check_float


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable
    df: Callable
    formula: str


def _sigmoid(z):
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _elu(alpha=1.0):
    return Activation("elu", lambda z: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
                      lambda z: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))),
                      f"z if z > 0 else {alpha}(exp(z) - 1)")


ACTIVATIONS = {
    "identity": Activation("identity", lambda z: z, lambda z: np.ones_like(z), "z"),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), "1 / (1 + exp(-z))"),
    "tanh": Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, "tanh(z)"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float), "max(0, z)"),
    "leaky_relu": Activation("leaky_relu", lambda z: np.where(z > 0, z, 0.1 * z),
                             lambda z: np.where(z > 0, 1.0, 0.1), "z if z > 0 else 0.1 z"),
    "elu": _elu(1.0),
}


def get_activation(name):
    """Look up an activation by name (``ValueError`` listing the choices otherwise)."""
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def elu(alpha):
    """ELU with a chosen ``alpha`` (> 0)."""
    return _elu(check_float("alpha", alpha, positive=True))


def softmax(z):
    """Row-wise softmax of shape (n, k), computed stably."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def maxout(z, k):
    """Maxout over groups of ``k`` consecutive units: (n, m*k) -> values (n, m) and argmax (n, m).

    Its derivative routes the gradient to the winning piece of each group.
    """
    n, mk = z.shape
    if k < 1 or mk % k:
        raise ValueError(f"k must divide the number of units ({mk}), got {k}")
    g = z.reshape(n, mk // k, k)
    arg = g.argmax(axis=2)
    return np.take_along_axis(g, arg[..., None], axis=2)[..., 0], arg


def maxout_backward(grad, arg, k):
    """Gradient of :func:`maxout`: (n, m) upstream gradient -> (n, m*k)."""
    n, m = grad.shape
    out = np.zeros((n, m, k))
    np.put_along_axis(out, arg[..., None], grad[..., None], axis=2)
    return out.reshape(n, m * k)
