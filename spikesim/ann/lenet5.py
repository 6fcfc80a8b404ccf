"""LeNet5, exactly the classic network, trained with backpropagation in numpy/numba.

conv(1->6, 5x5, pad 2) - ReLU - maxpool 2 - conv(6->16, 5x5) - ReLU - maxpool 2
- fc 400->120 - ReLU - fc 120->84 - ReLU - fc 84->10 (logits): 61,706 parameters.

Parameters are stored with PyTorch's names and layouts (``conv1.weight`` of
shape (6, 1, 5, 5), ``fc1.weight`` of shape (120, 400), ...), so a PyTorch
state_dict maps over one to one.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ._io import load_model, save_model
from .activations import softmax
from .layers import conv2d_backward, conv2d_forward, maxpool2_backward, maxpool2_forward
from .optim import make_optimizer

SHAPES = {
    "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,),
    "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
    "fc1.weight": (120, 400), "fc1.bias": (120,),
    "fc2.weight": (84, 120), "fc2.bias": (84,),
    "fc3.weight": (10, 84), "fc3.bias": (10,),
}


def _shift(batch, rng, max_shift):
    """Random translations by up to ``max_shift`` pixels (zero fill), one per image."""
    out = np.zeros_like(batch)
    N, _, H, W = batch.shape
    dy = rng.integers(-max_shift, max_shift + 1, N)
    dx = rng.integers(-max_shift, max_shift + 1, N)
    for n in range(N):
        ys, yd = (slice(0, H - dy[n]), slice(dy[n], H)) if dy[n] >= 0 else (slice(-dy[n], H), slice(0, H + dy[n]))
        xs, xd = (slice(0, W - dx[n]), slice(dx[n], W)) if dx[n] >= 0 else (slice(-dx[n], W), slice(0, W + dx[n]))
        out[n, :, yd, xd] = batch[n, :, ys, xs]
    return out


class LeNet5:
    """The classic LeNet5 for 28x28 grey images and 10 classes.

    Parameters
    ----------
    optimizer : {"adam", "sgd"}
    lr, momentum : float
    batch_size, epochs : int
    l2 : float
        L2 penalty on the weights.
    lr_decay : float
        The learning rate is multiplied by this after every epoch (1: constant).
    augment_shift : int
        Train on images randomly translated by up to this many pixels (0: off).
    dtype : numpy dtype
        float32 (default, fast) or float64 (exact gradient checks).
    random_state : int or None
    progress : bool
        Progress bar per epoch.

    Attributes
    ----------
    params_ : dict name -> ndarray (PyTorch names and layouts)
    history_ : dict of per-epoch lists (loss, train_accuracy, epoch_seconds)
    """

    def __init__(self, *, optimizer="adam", lr=1e-3, momentum=0.9, batch_size=64, epochs=15, l2=0.0,
                 lr_decay=1.0, augment_shift=0, dtype=np.float32, random_state=None, progress=False):
        make_optimizer(optimizer, lr, momentum)
        self.optimizer, self.lr, self.momentum = optimizer, float(lr), float(momentum)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.l2 = check_float("l2", l2, nonnegative=True)
        self.lr_decay = check_float("lr_decay", lr_decay, lo=0.0, hi=1.0)
        if self.lr_decay <= 0:
            raise ValueError(f"lr_decay must be in (0, 1], got {lr_decay}")
        self.augment_shift = check_int("augment_shift", augment_shift, minimum=0)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.random_state = random_state
        self.progress = progress
        self.classes_ = np.arange(10)

    # ------------------------------------------------------------------ parameters
    def init_params(self, rng=None):
        """He-uniform initialisation (PyTorch's default bounds); returns self."""
        rng = np.random.default_rng(self.random_state) if rng is None else rng
        self.params_ = {}
        for name, shape in SHAPES.items():
            fan_in = int(np.prod(SHAPES[name.replace("bias", "weight")][1:]))
            bound = 1.0 / np.sqrt(fan_in)
            self.params_[name] = rng.uniform(-bound, bound, shape).astype(self.dtype)
        return self

    @property
    def n_parameters(self):
        return int(sum(np.prod(s) for s in SHAPES.values()))

    # ------------------------------------------------------------------ forward / backward
    def _as_images(self, X):
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 2:
            X = X.reshape(len(X), 28, 28)
        if X.ndim == 3:
            X = X[:, None]
        if X.shape[1:] != (1, 28, 28):
            raise ValueError(f"X must be images of shape (n, 28, 28), (n, 1, 28, 28) or (n, 784), got {X.shape}")
        return np.ascontiguousarray(X)

    def forward(self, X):
        """Logits of shape (n, 10) and the cache for :meth:`backward`."""
        p = self.params_
        z1, c1 = conv2d_forward(X, p["conv1.weight"], p["conv1.bias"], 2)         # (N, 6, 28, 28)
        a1 = np.maximum(z1, 0)
        m1, i1 = maxpool2_forward(a1)                                              # (N, 6, 14, 14)
        z2, c2 = conv2d_forward(m1, p["conv2.weight"], p["conv2.bias"], 0)        # (N, 16, 10, 10)
        a2 = np.maximum(z2, 0)
        m2, i2 = maxpool2_forward(a2)                                              # (N, 16, 5, 5)
        f0 = m2.reshape(len(X), 400)
        z3 = f0 @ p["fc1.weight"].T + p["fc1.bias"]
        a3 = np.maximum(z3, 0)
        z4 = a3 @ p["fc2.weight"].T + p["fc2.bias"]
        a4 = np.maximum(z4, 0)
        out = a4 @ p["fc3.weight"].T + p["fc3.bias"]
        cache = (X, z1, c1, a1, m1, i1, z2, c2, a2, i2, f0, z3, a3, z4, a4)
        return out, cache

    def backward(self, dout, cache):
        """Parameter gradients given dLoss/dlogits of shape (n, 10)."""
        X, z1, c1, a1, m1, i1, z2, c2, a2, i2, f0, z3, a3, z4, a4 = cache
        p = self.params_
        g = {}
        g["fc3.weight"], g["fc3.bias"] = dout.T @ a4, dout.sum(0)
        d4 = (dout @ p["fc3.weight"]) * (z4 > 0)
        g["fc2.weight"], g["fc2.bias"] = d4.T @ a3, d4.sum(0)
        d3 = (d4 @ p["fc2.weight"]) * (z3 > 0)
        g["fc1.weight"], g["fc1.bias"] = d3.T @ f0, d3.sum(0)
        df0 = (d3 @ p["fc1.weight"]).reshape(len(X), 16, 5, 5)
        da2 = maxpool2_backward(np.ascontiguousarray(df0), i2, 10, 10) * (z2 > 0)
        dm1, g["conv2.weight"], g["conv2.bias"] = conv2d_backward(da2, c2, m1.shape, p["conv2.weight"], 0)
        da1 = maxpool2_backward(dm1, i1, 28, 28) * (z1 > 0)
        _, g["conv1.weight"], g["conv1.bias"] = conv2d_backward(da1, c1, X.shape, p["conv1.weight"], 2,
                                                                need_dx=False)
        if self.l2:
            for k in g:
                if k.endswith("weight"):
                    g[k] = g[k] + self.l2 * p[k]
        return g

    def loss_and_gradients(self, X, y):
        """Mean softmax cross-entropy of a batch and its parameter gradients."""
        out, cache = self.forward(X)
        P = softmax(out)
        n = len(y)
        loss = -np.log(np.clip(P[np.arange(n), y], 1e-30, None)).mean()
        dout = P.copy()
        dout[np.arange(n), y] -= 1
        dout /= n
        return float(loss), self.backward(dout.astype(self.dtype), cache)

    # ------------------------------------------------------------------ training
    def fit(self, X, y):
        """Train on images ``X`` (n, 28, 28) in [0, 1] and labels ``y`` in 0-9; returns self."""
        import time
        X = self._as_images(X)
        y = np.asarray(y, dtype=np.int64)
        if y.shape != (len(X),) or (y.size and (y.min() < 0 or y.max() > 9)):
            raise ValueError(f"y must be {len(X)} labels in 0-9")
        rng = np.random.default_rng(self.random_state)
        if not hasattr(self, "params_"):
            self.init_params(rng)
        names = list(SHAPES)
        opt = make_optimizer(self.optimizer, self.lr, self.momentum)
        self.history_ = dict(loss=[], train_accuracy=[], epoch_seconds=[])
        bar = None
        if self.progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=self.epochs, desc="LeNet5", unit="epoch")
        for _ in range(self.epochs):
            t0 = time.perf_counter()
            order = rng.permutation(len(X))
            total = 0.0
            for s in range(0, len(X), self.batch_size):
                b = order[s:s + self.batch_size]
                xb = X[b] if not self.augment_shift else _shift(X[b], rng, self.augment_shift)
                loss, g = self.loss_and_gradients(xb, y[b])
                total += loss * len(b)
                opt.step([self.params_[k] for k in names], [g[k].astype(self.dtype, copy=False) for k in names])
            self.history_["epoch_seconds"].append(time.perf_counter() - t0)
            self.history_["loss"].append(total / len(X))
            self.history_["train_accuracy"].append(self.score(X, y))
            opt.lr *= self.lr_decay
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{total / len(X):.4f}")
        if bar is not None:
            bar.close()
        return self

    def decision_function(self, X, batch_size=500):
        X = self._as_images(X)
        return np.concatenate([self.forward(X[s:s + batch_size])[0] for s in range(0, len(X), batch_size)])

    def predict(self, X):
        return np.argmax(self.decision_function(X), axis=1)

    def score(self, X, y):
        return float(np.mean(self.predict(X) == np.asarray(y)))

    # ------------------------------------------------------------------ persistence and interop
    def state_dict(self):
        """Parameters by PyTorch name (copies)."""
        return {k: v.copy() for k, v in self.params_.items()}

    def load_state_dict(self, state):
        """Set the parameters from a dict of arrays (or torch tensors) with PyTorch's names and shapes."""
        new = {}
        for name, shape in SHAPES.items():
            if name not in state:
                raise ValueError(f"state_dict has no {name!r} (got {sorted(state)})")
            v = state[name]
            v = v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)
            if v.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {v.shape}")
            new[name] = np.ascontiguousarray(v, dtype=self.dtype)
        self.params_ = new
        return self

    def save(self, path):
        hyper = dict(optimizer=self.optimizer, lr=self.lr, momentum=self.momentum, batch_size=self.batch_size,
                     epochs=self.epochs, l2=self.l2, lr_decay=self.lr_decay, augment_shift=self.augment_shift,
                     dtype=self.dtype.name,
                     random_state=self.random_state)
        return save_model(path, "LeNet5", hyper, self.params_)

    @classmethod
    def load(cls, path):
        hyper, arrays = load_model(path, "LeNet5")
        m = cls(**hyper)
        return m.load_state_dict(arrays)
