"""Rosenblatt's perceptron, binary and multiclass, with optional weight averaging."""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ._io import load_model, save_model


class Perceptron:
    """The perceptron learning rule (Rosenblatt 1958).

    Multiclass: one weight vector per class; on a mistake (predicted class
    ``p`` for true class ``y``) ``W[y] += lr x`` and ``W[p] -= lr x``.  With two
    classes this is the classic binary rule.  A constant 1 is appended to
    every input, so the last column of ``W`` is the bias.

    Parameters
    ----------
    max_epochs : int
        Passes over the data; training stops early after an epoch without mistakes.
    lr : float
        Learning rate (> 0); the rule is scale-free, so it only scales W.
    averaged : bool
        Predict with the average of the weights over all training steps
        (Freund & Schapire 1999), which generalises better on non-separable data.
    shuffle : bool
        Visit the examples in a new random order each epoch.
    random_state : int or None

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features + 1)
        Weights used for prediction (averaged when ``averaged``), bias last.
    classes_ : ndarray of shape (n_classes,)
    mistakes_per_epoch_ : list of int
    n_epochs_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from spikesim.ann import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> Perceptron(random_state=0).fit(X, [0, 1, 1, 1]).predict(X)
    array([0, 1, 1, 1])
    """

    def __init__(self, *, max_epochs=50, lr=1.0, averaged=False, shuffle=True, random_state=None):
        self.max_epochs = check_int("max_epochs", max_epochs, minimum=1)
        self.lr = check_float("lr", lr, positive=True)
        self.averaged = bool(averaged)
        self.shuffle = bool(shuffle)
        self.random_state = random_state

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _design(X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            X = X.reshape(len(X), -1)
        if not np.all(np.isfinite(X)):
            raise ValueError("X must be finite")
        return np.hstack([X, np.ones((X.shape[0], 1))])

    def _init(self, n_features, classes):
        self.classes_ = np.asarray(classes)
        if self.classes_.size < 2:
            raise ValueError(f"y must contain at least 2 classes, got {self.classes_.size}")
        self._W = np.zeros((self.classes_.size, n_features + 1))
        self._U = np.zeros_like(self._W)  # sum of (step count * update), for averaging
        self._c = 1
        self.mistakes_per_epoch_ = []
        self.n_epochs_ = 0

    def _epoch(self, Xd, yi, rng):
        order = rng.permutation(len(yi)) if self.shuffle else np.arange(len(yi))
        W, U, lr = self._W, self._U, self.lr
        mistakes = 0
        for k in order:
            x = Xd[k]
            p = int(np.argmax(W @ x))
            t = yi[k]
            if p != t:
                mistakes += 1
                W[t] += lr * x
                W[p] -= lr * x
                U[t] += self._c * lr * x
                U[p] -= self._c * lr * x
            self._c += 1
        return mistakes

    def _encode(self, y):
        y = np.asarray(y)
        idx = np.searchsorted(self.classes_, y)
        if np.any(idx >= self.classes_.size) or np.any(self.classes_[np.minimum(idx, self.classes_.size - 1)] != y):
            raise ValueError(f"y contains labels not in classes {self.classes_.tolist()}")
        return idx

    # ------------------------------------------------------------------ API
    def fit(self, X, y):
        """Train from scratch on ``X`` of shape (n_samples, n_features) and labels ``y`` (n_samples,)."""
        Xd = self._design(X)
        y = np.asarray(y)
        if y.shape != (Xd.shape[0],):
            raise ValueError(f"y must have shape ({Xd.shape[0]},), got {y.shape}")
        self._init(Xd.shape[1] - 1, np.unique(y))
        yi = self._encode(y)
        rng = np.random.default_rng(self.random_state)
        for _ in range(self.max_epochs):
            m = self._epoch(Xd, yi, rng)
            self.mistakes_per_epoch_.append(m)
            self.n_epochs_ += 1
            if m == 0:
                break
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``X, y``; the first call needs ``classes`` (all labels that will occur)."""
        Xd = self._design(X)
        if not hasattr(self, "_W"):
            if classes is None:
                raise ValueError("classes must be given on the first call to partial_fit")
            self._init(Xd.shape[1] - 1, np.unique(classes))
        rng = np.random.default_rng(self.random_state if self.random_state is None else
                                    self.random_state + self.n_epochs_)
        m = self._epoch(Xd, self._encode(y), rng)
        self.mistakes_per_epoch_.append(m)
        self.n_epochs_ += 1
        return self

    @property
    def coef_(self):
        if not hasattr(self, "_W"):
            raise RuntimeError("this Perceptron is not fitted yet; call fit first")
        return self._W - self._U / self._c if self.averaged else self._W.copy()

    def decision_function(self, X):
        """Class scores, shape (n_samples, n_classes)."""
        return self._design(X) @ self.coef_.T

    def predict(self, X):
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def score(self, X, y):
        """Accuracy on ``X, y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        hyper = dict(max_epochs=self.max_epochs, lr=self.lr, averaged=self.averaged, shuffle=self.shuffle,
                     random_state=self.random_state, n_epochs=self.n_epochs_, c=self._c,
                     mistakes=self.mistakes_per_epoch_)
        return save_model(path, "Perceptron", hyper, dict(W=self._W, U=self._U, classes=self.classes_))

    @classmethod
    def load(cls, path):
        hyper, a = load_model(path, "Perceptron")
        m = cls(max_epochs=hyper["max_epochs"], lr=hyper["lr"], averaged=hyper["averaged"],
                shuffle=hyper["shuffle"], random_state=hyper["random_state"])
        m.classes_, m._W, m._U, m._c = a["classes"], a["W"], a["U"], hyper["c"]
        m.n_epochs_, m.mistakes_per_epoch_ = hyper["n_epochs"], hyper["mistakes"]
        return m
