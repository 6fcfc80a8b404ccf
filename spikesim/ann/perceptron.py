"""Rosenblatt's perceptron, binary and multiclass, with optional weight averaging."""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ._base import ClassifierBase, check_classes, check_targets, check_X, encode_labels, not_fitted_error, rng_from


class Perceptron(ClassifierBase):
    """The perceptron learning rule (Rosenblatt 1958).

    Multiclass: one weight vector and bias per class; on a mistake (predicted
    class ``p`` for true class ``t``) ``w_t += lr x``, ``w_p -= lr x`` and the
    biases likewise by ``lr``.  With two classes this is the classic binary
    rule on ``w_1 - w_0``.

    Parameters
    ----------
    max_epochs : int
        Passes over the data; ``fit`` stops early after an epoch without mistakes.
    lr : float
        Learning rate (> 0); the rule is scale-free, so it only scales the weights.
    averaged : bool
        Predict with the average of the weights over all training steps
        (Freund & Schapire 1999), which generalises better on non-separable data.
    shuffle : bool
        Visit the examples in a new random order each epoch.
    warm_start : bool
        ``fit`` continues from the current weights instead of starting from zero.
    random_state : None, int or numpy Generator

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features)
        Weights used for prediction (averaged when ``averaged``).
    intercept_ : ndarray of shape (n_classes,)
        Biases used for prediction.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    mistakes_per_epoch_ : list of int
    n_iter_ : int
        Epochs run.

    Examples
    --------
    >>> import numpy as np
    >>> from spikesim.ann import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> Perceptron(random_state=0).fit(X, [0, 1, 1, 1]).predict(X)
    array([0, 1, 1, 1])
    """

    def __init__(self, *, max_epochs=50, lr=1.0, averaged=False, shuffle=True, warm_start=False,
                 random_state=None):
        self.max_epochs = max_epochs
        self.lr = lr
        self.averaged = averaged
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.random_state = random_state

    # ------------------------------------------------------------------ training
    def _check_hyper(self):
        check_int("max_epochs", self.max_epochs, minimum=1)
        check_float("lr", self.lr, positive=True)

    def _start(self, n_features, classes):
        """Zero weights (bias in the last column) and an empty history."""
        self.classes_ = classes
        self.n_features_in_ = n_features
        self._W = np.zeros((classes.size, n_features + 1))
        self._U = np.zeros_like(self._W)       # sum of (step count * update), for averaging
        self._c = 1
        self.mistakes_per_epoch_ = []
        self.n_iter_ = 0

    def _epoch(self, Xd, yi, rng):
        order = rng.permutation(len(yi)) if self.shuffle else np.arange(len(yi))
        W, U, lr = self._W, self._U, float(self.lr)
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
        self.mistakes_per_epoch_.append(mistakes)
        self.n_iter_ += 1
        self._publish()
        return mistakes

    def _publish(self):
        """Set ``coef_`` and ``intercept_`` from the running (or averaged) weights."""
        W = self._W - self._U / self._c if self.averaged else self._W.copy()
        self.coef_, self.intercept_ = W[:, :-1].copy(), W[:, -1].copy()

    @staticmethod
    def _design(X):
        return np.hstack([X, np.ones((X.shape[0], 1))])

    def fit(self, X, y):
        """Train on ``X`` of shape (n_samples, n_features) and labels ``y`` of shape (n_samples,); returns self.

        Starts from zero weights unless ``warm_start`` (and the classes and features are unchanged).
        """
        self._check_hyper()
        X = check_X(X)
        y, classes = check_targets(y, len(X), type(self).__name__)
        self._check_two_classes(classes)
        keep = (self.warm_start and hasattr(self, "_W") and np.array_equal(classes, self.classes_)
                and X.shape[1] == self.n_features_in_)
        if not keep:
            self._start(X.shape[1], classes)
        Xd, yi = self._design(X), encode_labels(y, self.classes_)
        rng = rng_from(self.random_state)
        for _ in range(self.max_epochs):
            if self._epoch(Xd, yi, rng) == 0:
                break
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``X, y``; the first call needs ``classes`` (every label that will occur)."""
        self._check_hyper()
        X = check_X(X)
        if not hasattr(self, "_W"):
            if classes is None:
                raise not_fitted_error(self, "partial_fit", "Or pass classes= (every label that will occur) "
                                                            "on the first call to partial_fit.")
            all_classes = check_classes(classes, type(self).__name__)
            self._check_two_classes(all_classes)
            self._start(X.shape[1], all_classes)
        else:
            self._check_n_features(X)
        y, _ = check_targets(y, len(X), type(self).__name__)
        rs = self.random_state
        rng = rng_from(rs if rs is None or isinstance(rs, np.random.Generator) else rs + self.n_iter_)
        self._epoch(self._design(X), encode_labels(y, self.classes_), rng)
        return self

    # ------------------------------------------------------------------ prediction
    def _scores(self, X, method):
        X = self._check_X_predict(X, method)
        return X @ self.coef_.T + self.intercept_

    def decision_function(self, X):
        """Class scores of shape (n_samples, n_classes); with two classes the margin of class 1, shape (n_samples,)."""
        s = self._scores(X, "decision_function")
        return s[:, 1] - s[:, 0] if s.shape[1] == 2 else s

    def predict(self, X):
        """The class with the highest score, shape (n_samples,)."""
        scores = self._scores(X, "predict")
        return self.classes_[np.argmax(scores, axis=1)]

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Write the hyper-parameters and the learned state to one ``.npz`` file (see :mod:`spikesim.ann.io`)."""
        from .io import save_estimator
        self._check_fitted("save")
        return save_estimator(path, self, dict(W=self._W, U=self._U, classes=self.classes_),
                              dict(c=self._c, mistakes=list(self.mistakes_per_epoch_), n_iter=self.n_iter_))

    @classmethod
    def load(cls, path):
        """The Perceptron saved in ``path`` (a clear ``ValueError`` for damaged or foreign files)."""
        from .io import load_estimator
        return load_estimator(path, cls)

    def _restore(self, arrays, state, fail):
        W, U, classes = arrays["W"], arrays["U"], arrays["classes"]
        if W.ndim != 2 or W.shape[0] != classes.size or W.shape[1] < 2 or U.shape != W.shape:
            fail(f"weights of shape {W.shape} and {U.shape} do not fit {classes.size} classes")
        self.classes_, self.n_features_in_ = classes, W.shape[1] - 1
        self._W, self._U = W.astype(np.float64), U.astype(np.float64)
        self._c, self.mistakes_per_epoch_, self.n_iter_ = int(state["c"]), list(state["mistakes"]), int(state["n_iter"])
        self._publish()
