"""Optimisers for lists of parameter arrays: SGD with momentum, and Adam."""
from __future__ import annotations

import numpy as np

from .._validate import check_float


class SGD:
    """``v = momentum v - lr g;  p += v`` (plain SGD when momentum = 0)."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = check_float("lr", lr, positive=True)
        self.momentum = check_float("momentum", momentum, lo=0.0, hi=1.0)
        self._v = None

    def step(self, params, grads):
        if self._v is None:
            self._v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._v):
            v *= self.momentum
            v -= self.lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = check_float("lr", lr, positive=True)
        self.beta1 = check_float("beta1", beta1, lo=0.0, hi=1.0)
        self.beta2 = check_float("beta2", beta2, lo=0.0, hi=1.0)
        self.eps = check_float("eps", eps, positive=True)
        self._m = self._v = None
        self._t = 0

    def step(self, params, grads):
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self._t += 1
        b1, b2 = self.beta1, self.beta2
        c1, c2 = 1 - b1 ** self._t, 1 - b2 ** self._t
        for p, g, m, v in zip(params, grads, self._m, self._v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def make_optimizer(name, lr, momentum=0.9):
    if not isinstance(name, str):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {name!r}")
    if name == "sgd":
        return SGD(lr=lr, momentum=momentum)
    if name == "adam":
        return Adam(lr=lr)
    raise ValueError(f"optimizer must be 'sgd' or 'adam', got {name!r}")
