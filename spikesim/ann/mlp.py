"""Multi-layer perceptron trained by backpropagation, in plain numpy.

Forward: ``a_0 = x``, ``z_l = a_{l-1} W_l + b_l``, ``a_l = f_l(z_l)``; the
last layer is linear and feeds the loss (softmax cross-entropy, or mean
squared error).  Backward, layer by layer: ``delta_L = dLoss/dz_L``,
``dW_l = a_{l-1}^T delta_l``, ``db_l = sum delta_l``,
``delta_{l-1} = (delta_l W_l^T) * f'_{l-1}(z_{l-1})``.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ._io import load_model, save_model
from .activations import get_activation, softmax
from .optim import make_optimizer


def _onehot(y, k):
    out = np.zeros((y.size, k))
    out[np.arange(y.size), y] = 1.0
    return out


class MLP:
    """A fully connected network for classification.

    Parameters
    ----------
    hidden : sequence of int
        Hidden layer sizes, e.g. ``(300,)`` for 784-300-10.
    activation : str
        Hidden activation from ``spikesim.ann.ACTIVATIONS`` (default "relu").
    loss : {"cross_entropy", "mse"}
        Softmax cross-entropy, or mean squared error on one-hot targets.
    optimizer : {"adam", "sgd"}
    lr, momentum : float
        Learning rate; momentum of SGD.
    batch_size : int
    epochs : int
        Maximum passes over the training data.
    l2 : float
        L2 penalty on the weights (not the biases), ``l2/2 * sum W^2`` per sample.
    validation_fraction : float
        Part of the training data held back for early stopping (0: none).
    patience : int
        Stop after this many epochs without a better validation accuracy, and
        keep the best weights.
    random_state : int or None

    Attributes
    ----------
    weights_, biases_ : lists of ndarrays, shapes (n_in, n_out) and (n_out,)
    classes_ : ndarray
    history_ : dict of lists (loss, train_accuracy, val_accuracy per epoch)
    """

    def __init__(self, hidden=(100,), *, activation="relu", loss="cross_entropy", optimizer="adam", lr=1e-3,
                 momentum=0.9, batch_size=64, epochs=30, l2=0.0, validation_fraction=0.1, patience=5,
                 random_state=None, progress=False):
        self.hidden = tuple(check_int("hidden", h, minimum=1) for h in hidden)
        self.activation = get_activation(activation).name
        if loss not in ("cross_entropy", "mse"):
            raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
        self.loss = loss
        make_optimizer(optimizer, lr, momentum)  # validates
        self.optimizer, self.lr, self.momentum = optimizer, float(lr), float(momentum)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.l2 = check_float("l2", l2, nonnegative=True)
        self.validation_fraction = check_float("validation_fraction", validation_fraction, lo=0.0, hi=0.9)
        self.patience = check_int("patience", patience, minimum=1)
        self.random_state = random_state
        self.progress = progress

    # ------------------------------------------------------------------ core
    def _init_params(self, sizes, rng):
        self.weights_, self.biases_ = [], []
        for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden_relu = self.activation in ("relu", "leaky_relu", "elu") and k < len(sizes) - 2
            scale = np.sqrt(2.0 / a) if hidden_relu else np.sqrt(1.0 / a)   # He / LeCun initialisation
            self.weights_.append(rng.standard_normal((a, b)) * scale)
            self.biases_.append(np.zeros(b))

    def _forward(self, X):
        f = get_activation(self.activation).f
        acts, zs = [X], []
        a = X
        for k, (W, b) in enumerate(zip(self.weights_, self.biases_)):
            z = a @ W + b
            zs.append(z)
            a = z if k == len(self.weights_) - 1 else f(z)
            acts.append(a)
        return acts, zs

    def _loss_and_delta(self, out, Y):
        n = len(Y)
        if self.loss == "cross_entropy":
            P = softmax(out)
            loss = -np.sum(Y * np.log(np.clip(P, 1e-300, None))) / n
            return loss, (P - Y) / n
        diff = out - Y
        return 0.5 * np.sum(diff ** 2) / n, diff / n

    def _gradients(self, X, Y):
        """Loss and gradients (dW list, db list) of one batch, by backpropagation."""
        df = get_activation(self.activation).df
        acts, zs = self._forward(X)
        loss, delta = self._loss_and_delta(acts[-1], Y)
        gW, gb = [None] * len(self.weights_), [None] * len(self.weights_)
        for k in range(len(self.weights_) - 1, -1, -1):
            gW[k] = acts[k].T @ delta + self.l2 * self.weights_[k]
            gb[k] = delta.sum(axis=0)
            if k:
                delta = (delta @ self.weights_[k].T) * df(zs[k - 1])
        loss += 0.5 * self.l2 * sum(np.sum(W * W) for W in self.weights_)
        return loss, gW, gb

    # ------------------------------------------------------------------ API
    def fit(self, X, y, X_val=None, y_val=None):
        """Train on ``X`` (n_samples, n_features) and integer labels ``y``; returns self."""
        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y)
        yi = np.searchsorted(self.classes_, y)
        if X_val is None and self.validation_fraction > 0:
            perm = rng.permutation(len(X))
            n_val = int(round(self.validation_fraction * len(X)))
            val, tr = perm[:n_val], perm[n_val:]
            X_val, yv, X, yi = X[val], yi[val], X[tr], yi[tr]
        elif X_val is not None:
            X_val = np.asarray(X_val, dtype=float).reshape(len(X_val), -1)
            yv = np.searchsorted(self.classes_, np.asarray(y_val))
        sizes = (X.shape[1], *self.hidden, self.classes_.size)
        self._init_params(sizes, rng)
        opt = make_optimizer(self.optimizer, self.lr, self.momentum)
        Y = _onehot(yi, self.classes_.size)
        self.history_ = dict(loss=[], train_accuracy=[], val_accuracy=[])
        best, best_params, waited = -1.0, None, 0
        epochs = range(self.epochs)
        if self.progress:
            from tqdm.auto import tqdm
            epochs = tqdm(epochs, desc="MLP", unit="epoch")
        for _ in epochs:
            order = rng.permutation(len(X))
            total = 0.0
            for s in range(0, len(X), self.batch_size):
                b = order[s:s + self.batch_size]
                loss, gW, gb = self._gradients(X[b], Y[b])
                total += loss * len(b)
                opt.step(self.weights_ + self.biases_, gW + gb)
            self.history_["loss"].append(total / len(X))
            self.history_["train_accuracy"].append(float(np.mean(self._predict_idx(X) == yi)))
            if X_val is not None:
                acc = float(np.mean(self._predict_idx(X_val) == yv))
                self.history_["val_accuracy"].append(acc)
                if acc > best:
                    best, waited = acc, 0
                    best_params = ([W.copy() for W in self.weights_], [b.copy() for b in self.biases_])
                else:
                    waited += 1
                    if waited >= self.patience:
                        break
        if best_params is not None:
            self.weights_, self.biases_ = best_params
        return self

    def _predict_idx(self, X):
        return np.argmax(self._forward(X)[0][-1], axis=1)

    def decision_function(self, X):
        """Output-layer pre-activations (logits), shape (n_samples, n_classes)."""
        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        return self._forward(X)[0][-1]

    def predict_proba(self, X):
        return softmax(self.decision_function(X))

    def predict(self, X):
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def score(self, X, y):
        return float(np.mean(self.predict(X) == np.asarray(y)))

    # ------------------------------------------------------------------ persistence
    def _hyper(self):
        return dict(hidden=list(self.hidden), activation=self.activation, loss=self.loss, optimizer=self.optimizer,
                    lr=self.lr, momentum=self.momentum, batch_size=self.batch_size, epochs=self.epochs, l2=self.l2,
                    validation_fraction=self.validation_fraction, patience=self.patience,
                    random_state=self.random_state)

    def save(self, path):
        arrays = {f"W{k}": W for k, W in enumerate(self.weights_)}
        arrays.update({f"b{k}": b for k, b in enumerate(self.biases_)})
        arrays["classes"] = self.classes_
        return save_model(path, "MLP", self._hyper(), arrays)

    @classmethod
    def load(cls, path):
        hyper, a = load_model(path, "MLP")
        m = cls(**hyper)
        n = len(m.hidden) + 1
        try:
            m.weights_ = [a[f"W{k}"] for k in range(n)]
            m.biases_ = [a[f"b{k}"] for k in range(n)]
            m.classes_ = a["classes"]
        except KeyError as exc:
            raise ValueError(f"{path}: missing array {exc} for an MLP with hidden={m.hidden}") from exc
        for k, (W, b) in enumerate(zip(m.weights_, m.biases_)):
            if W.ndim != 2 or b.shape != (W.shape[1],) or (k and W.shape[0] != m.weights_[k - 1].shape[1]):
                raise ValueError(f"{path}: layer {k} has mismatched shapes {W.shape} and {b.shape}")
        return m
