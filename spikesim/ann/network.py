"""A classifier made of a stack of layers, trained by backpropagation on minibatches.

:class:`NetworkClassifier` is the general estimator; :class:`~spikesim.ann.MLP`
and :class:`~spikesim.ann.LeNet5` are the same estimator with a fixed choice
of layers.  One training step::

    z = network.forward(x_batch, training=True)       # logits, (n, n_classes)
    loss, g = loss_function(z, y_batch)                # g = dLoss/dz
    network.backward(g)                                # every layer's .grads
    optimizer.step(parameters, gradients + l2 * weights)
"""
from __future__ import annotations

import copy
import inspect
import time

import numpy as np

from .._validate import check_choice, check_float, check_int
from ._base import ClassifierBase, check_classes, check_targets, check_X, encode_labels, not_fitted_error, rng_from
from .activations import softmax
from .layers import Conv2d, Dense, Flatten, Layer, ReLU, Sequential, _Elementwise, _Pool2d
from .losses import LOSSES
from .optim import make_optimizer


def shift_images(batch, rng, max_shift):
    """Random translations of images (N, C, H, W) by up to ``max_shift`` pixels (zero fill), one per image."""
    out = np.zeros_like(batch)
    N, _, H, W = batch.shape
    dy = rng.integers(-max_shift, max_shift + 1, N)
    dx = rng.integers(-max_shift, max_shift + 1, N)
    for n in range(N):
        ys, yd = (slice(0, H - dy[n]), slice(dy[n], H)) if dy[n] >= 0 else (slice(-dy[n], H), slice(0, H + dy[n]))
        xs, xd = (slice(0, W - dx[n]), slice(dx[n], W)) if dx[n] >= 0 else (slice(-dx[n], W), slice(0, W + dx[n]))
        out[n, :, yd, xd] = batch[n, :, ys, xs]
    return out


def _needs_images(layers):
    """True when the first layer that is not an activation reads images (Conv2d, pooling, Flatten)."""
    for layer in layers:
        if isinstance(layer, (_Elementwise, ReLU)):
            continue
        return isinstance(layer, (Conv2d, _Pool2d, Flatten))
    return False


class NetworkClassifier(ClassifierBase):
    """A network of layers (:mod:`spikesim.ann.layers`) trained as a classifier.

    ``fit`` builds ``network_``: a copy of ``layers`` followed by a Dense
    readout with one output per class (the logits), and trains it with
    minibatches on the softmax cross-entropy (or the squared error).

    Parameters
    ----------
    layers : list of Layer, Sequential or None
        The hidden layers (they are copied, never changed).  None: one hidden
        layer of 100 ReLU units.
    input_shape : tuple or None
        Shape of one sample as the first layer reads it, e.g. ``(1, 28, 28)``;
        None: images keep the shape they come in, and a flat ``X`` becomes
        square one-channel images (zero-filled to the next square) when the
        first layer needs images.
    loss : {"cross_entropy", "mse"}
    optimizer : {"adam", "sgd"}
    lr, momentum : float
        Learning rate; momentum of SGD.
    batch_size, epochs : int
    l2 : float
        L2 penalty ``l2/2 * sum W^2`` on the weights (not the biases).
    lr_decay : float
        The learning rate is multiplied by this after every epoch, in (0, 1].
    augment_shift : int
        Train on images translated at random by up to this many pixels (0: off).
    validation_fraction : float
        Part of the training data held back for early stopping (0: none).
    patience : int
        With a validation part: stop after this many epochs without a better
        validation accuracy, and keep the best weights.
    dtype : {"float64", "float32"}
    warm_start : bool
        ``fit`` continues from the current weights (same classes and input shape).
    random_state : None, int or numpy Generator
    progress : bool
        A progress bar over epochs.

    Attributes
    ----------
    network_ : Sequential
        The trained layers, readout included.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    input_shape_ : tuple
        Shape of one sample as the network reads it.
    history_ : dict of lists
        Per epoch: ``loss``, ``train_accuracy``, ``val_accuracy``, ``epoch_seconds``.
    n_iter_ : int
        Epochs run.

    Examples
    --------
    >>> import numpy as np
    >>> from spikesim.ann import NetworkClassifier
    >>> from spikesim.ann.layers import Dense, ReLU
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> clf = NetworkClassifier([Dense(16), ReLU()], epochs=200, lr=0.01, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    _accepts_images = True
    _min_side = 1                 # smallest image side the layers accept (LeNet5: 12)

    def __init__(self, layers=None, *, input_shape=None, loss="cross_entropy", optimizer="adam", lr=1e-3,
                 momentum=0.9, batch_size=64, epochs=30, l2=0.0, lr_decay=1.0, augment_shift=0,
                 validation_fraction=0.0, patience=5, dtype="float64", warm_start=False, random_state=None,
                 progress=False):
        self.layers = layers
        self.input_shape = input_shape
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.lr_decay = lr_decay
        self.augment_shift = augment_shift
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.dtype = dtype
        self.warm_start = warm_start
        self.random_state = random_state
        self.progress = progress

    # ------------------------------------------------------------------ the layers
    def _hidden_layers(self):
        """Fresh copies of the hidden layers."""
        if self.layers is None:
            return [Dense(100), ReLU()]
        layers = self.layers.layers if isinstance(self.layers, Sequential) else self.layers
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer) for x in layers):
            raise TypeError(f"layers must be a list of spikesim.ann.layers.Layer objects or a Sequential, "
                            f"got {self.layers!r}")
        return copy.deepcopy(list(layers))

    def _network_layers(self, n_classes):
        """Every layer of the network: the hidden ones and the readout."""
        return self._hidden_layers() + [Dense(n_classes)]

    # ------------------------------------------------------------------ settings
    def _settings(self):
        """Every training setting, checked: this estimator's parameters, NetworkClassifier's defaults otherwise."""
        sig = inspect.signature(NetworkClassifier.__init__)
        s = {n: p.default for n, p in sig.parameters.items() if n not in ("self", "layers")}
        s.update({k: v for k, v in self.get_params().items() if k in s})
        check_choice("loss", s["loss"], sorted(LOSSES))
        make_optimizer(s["optimizer"], s["lr"], s["momentum"])      # checks optimizer, lr, momentum
        check_int("batch_size", s["batch_size"], minimum=1)
        check_int("epochs", s["epochs"], minimum=1)
        check_float("l2", s["l2"], nonnegative=True)
        if check_float("lr_decay", s["lr_decay"], lo=0.0, hi=1.0) <= 0:
            raise ValueError(f"lr_decay must be in (0, 1], got {s['lr_decay']}")
        check_int("augment_shift", s["augment_shift"], minimum=0)
        check_float("validation_fraction", s["validation_fraction"], lo=0.0, hi=0.9)
        check_int("patience", s["patience"], minimum=1)
        try:
            s["dtype"] = np.dtype(s["dtype"])
        except (TypeError, ValueError):
            s["dtype"] = None
        if s["dtype"] not in (np.float32, np.float64):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.get_params().get('dtype')!r}")
        shape = s["input_shape"]
        if shape is not None:
            ok = isinstance(shape, (tuple, list)) and len(shape) in (1, 2, 3) and all(
                isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 1 for d in shape)
            if not ok:
                raise ValueError(f"input_shape must be None or a tuple of 1-3 positive integers, got {shape!r}")
            s["input_shape"] = (1, *shape) if len(shape) == 2 else tuple(int(d) for d in shape)
        rng_from(s["random_state"])
        return s

    # ------------------------------------------------------------------ inputs
    def _resolve_input_shape(self, X, s, needs_images):
        """(image shape before padding, network input shape) for the training data ``X``."""
        d = int(np.prod(X.shape[1:]))
        if s["input_shape"] is not None:
            image = s["input_shape"]
            if int(np.prod(image)) != d:
                raise ValueError(f"input_shape {image} holds {int(np.prod(image))} values, but X has {d} features")
            if not needs_images:
                image = (d,)
        elif X.ndim == 4:
            image = X.shape[1:]
        elif X.ndim == 3 and needs_images:
            image = (1,) + X.shape[1:]
        elif needs_images:
            side = int(np.ceil(np.sqrt(d)))
            image = (1, side, side)
        else:
            image = (d,)
        image = tuple(int(v) for v in image)
        if len(image) == 3:
            C, h, w = image
            return image, (C, max(h, self._min_side), max(w, self._min_side))
        return image, image

    def _shape_inputs(self, X):
        """Checked samples ``X`` shaped as the network reads them: (n, *input_shape_)."""
        n, image, shape = len(X), self.image_shape_, self.input_shape_
        flat = X.reshape(n, -1)
        size = int(np.prod(image))
        if flat.shape[1] < size:                                    # zero-fill to a square image
            flat = np.concatenate([flat, np.zeros((n, size - flat.shape[1]), dtype=flat.dtype)], axis=1)
        X = flat.reshape((n,) + image)
        if shape != image:                                          # centre in the smallest image the layers accept
            out = np.zeros((n,) + shape, dtype=X.dtype)
            top, left = (shape[1] - image[1]) // 2, (shape[2] - image[2]) // 2
            out[:, :, top:top + image[1], left:left + image[2]] = X
            X = out
        return np.ascontiguousarray(X)

    def _inputs(self, X, method):
        """``X`` checked against the fitted estimator and shaped for the network."""
        self._check_fitted(method)
        return self._shape_inputs(self._check_X_predict(X, method, dtype=self.network_.dtype))

    # ------------------------------------------------------------------ training
    def fit(self, X, y):
        """Train on ``X`` (n_samples, n_features), or images, and labels ``y`` (n_samples,); returns self.

        Starts from freshly drawn weights, unless ``warm_start`` and the
        classes and input shape are those of the previous fit.
        """
        s = self._settings()
        Xc = check_X(X, dtype=s["dtype"], images=True)
        y, classes = check_targets(y, len(Xc), type(self).__name__)
        self._check_two_classes(classes)
        layers = self._network_layers(classes.size)
        image, shape = self._resolve_input_shape(Xc, s, _needs_images(layers))
        warm = (s["warm_start"] and self.__sklearn_is_fitted__() and np.array_equal(classes, self.classes_)
                and shape == self.input_shape_ and int(np.prod(Xc.shape[1:])) == self.n_features_in_)
        self.image_shape_, self.input_shape_ = image, shape
        self.n_features_in_ = int(np.prod(Xc.shape[1:]))
        X = self._shape_inputs(Xc)
        if s["augment_shift"] and X.ndim != 4:
            raise ValueError(f"augment_shift needs image inputs, but the network reads samples of shape {shape}")
        rng = rng_from(s["random_state"])
        self.classes_ = classes
        yi = encode_labels(y, classes)
        X_val = y_val = None
        if s["validation_fraction"] > 0:
            perm = rng.permutation(len(X))
            n_val = int(round(s["validation_fraction"] * len(X)))
            if n_val < 1 or n_val == len(X):
                raise ValueError(f"validation_fraction={s['validation_fraction']} leaves {n_val} of {len(X)} "
                                 f"samples for validation: use more samples or validation_fraction=0")
            X_val, y_val, X, yi = X[perm[:n_val]], yi[perm[:n_val]], X[perm[n_val:]], yi[perm[n_val:]]
        if not warm:
            self.network_ = Sequential(layers).build(shape, rng, s["dtype"])
            self._optimizer = make_optimizer(s["optimizer"], s["lr"], s["momentum"])
            self.history_ = dict(loss=[], train_accuracy=[], val_accuracy=[], epoch_seconds=[])
            self.n_iter_ = 0
        self._train(X, yi, X_val, y_val, rng, s, s["epochs"])
        self._rng = rng
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``X, y``; the first call needs ``classes`` (every label that will occur)."""
        s = self._settings()
        if not self.__sklearn_is_fitted__():
            if classes is None:
                raise not_fitted_error(self, "partial_fit", "Or pass classes= (every label that will occur) "
                                                            "on the first call to partial_fit.")
            Xc = check_X(X, dtype=s["dtype"], images=True)
            all_classes = check_classes(classes, type(self).__name__)
            self._check_two_classes(all_classes)
            layers = self._network_layers(all_classes.size)
            self.image_shape_, self.input_shape_ = self._resolve_input_shape(Xc, s, _needs_images(layers))
            self.n_features_in_ = int(np.prod(Xc.shape[1:]))
            Xn = self._shape_inputs(Xc)
            self._rng = rng_from(s["random_state"])
            self.classes_ = all_classes
            self.network_ = Sequential(layers).build(self.input_shape_, self._rng, s["dtype"])
            self._optimizer = make_optimizer(s["optimizer"], s["lr"], s["momentum"])
            self.history_ = dict(loss=[], train_accuracy=[], val_accuracy=[], epoch_seconds=[])
            self.n_iter_ = 0
        else:
            Xn = self._inputs(X, "partial_fit")
        y, _ = check_targets(y, len(Xn), type(self).__name__)
        if not hasattr(self, "_rng"):
            self._rng = rng_from(s["random_state"])
        self._train(Xn, encode_labels(y, self.classes_), None, None, self._rng, s, 1)
        return self

    def _loss_and_gradients(self, xb, yb, s):
        """Loss of a batch (L2 term included) and the gradient of every parameter, by backpropagation."""
        net = self.network_
        z = net.forward(xb, training=True)
        loss, g = LOSSES[s["loss"]](z, yb)
        net.backward(g.astype(s["dtype"], copy=False), need_input_grad=False)
        grads = net.gradients()
        if s["l2"]:
            params = net.parameters()
            for n in params:
                if n.endswith("weight"):
                    grads[n] = grads[n] + s["l2"] * params[n]
                    loss += 0.5 * s["l2"] * float(np.sum(params[n] * params[n]))
        return loss, {n: g.astype(s["dtype"], copy=False) for n, g in grads.items()}

    def _train(self, X, yi, X_val, y_val, rng, s, epochs):
        """``epochs`` passes over (X, yi) in random minibatches; early stopping on (X_val, y_val) if given."""
        net, opt = self.network_, self._optimizer
        params = net.parameters()
        names = list(params)
        bs, shift = s["batch_size"], s["augment_shift"]
        best, best_state, waited = -1.0, None, 0
        bar = None
        if s["progress"]:
            from tqdm.auto import tqdm
            bar = tqdm(total=epochs, desc=type(self).__name__, unit="epoch")
        for _ in range(epochs):
            t0 = time.perf_counter()
            order = rng.permutation(len(X))
            total = 0.0
            for start in range(0, len(X), bs):
                b = order[start:start + bs]
                xb = shift_images(X[b], rng, shift) if shift else X[b]
                loss, grads = self._loss_and_gradients(xb, yi[b], s)
                opt.step([params[n] for n in names], [grads[n] for n in names])
                total += loss * len(b)
            h = self.history_
            h["epoch_seconds"].append(time.perf_counter() - t0)
            h["loss"].append(total / len(X))
            h["train_accuracy"].append(float(np.mean(self._predict_indices(X) == yi)))
            self.n_iter_ += 1
            opt.lr *= s["lr_decay"]
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{h['loss'][-1]:.4f}")
            if X_val is not None:
                acc = float(np.mean(self._predict_indices(X_val) == y_val))
                h["val_accuracy"].append(acc)
                if acc > best:
                    best, best_state, waited = acc, net.state_dict(), 0
                else:
                    waited += 1
                    if waited >= s["patience"]:
                        break
        if bar is not None:
            bar.close()
        if best_state is not None:
            net.load_state_dict(best_state)
        net.forget()

    # ------------------------------------------------------------------ prediction
    def _logits_of(self, X, batch_size=500):
        return np.concatenate([self.network_.forward(X[s:s + batch_size]) for s in range(0, len(X), batch_size)])

    def _predict_indices(self, X):
        return np.argmax(self._logits_of(X), axis=1)

    def _logits(self, X, method):
        return self._logits_of(self._inputs(X, method))

    def decision_function(self, X):
        """Logits of shape (n_samples, n_classes); with two classes ``z_1 - z_0``, shape (n_samples,)."""
        z = self._logits(X, "decision_function")
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def predict_proba(self, X):
        """Softmax of the logits, shape (n_samples, n_classes)."""
        return softmax(self._logits(X, "predict_proba"))

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably."""
        z = self._logits(X, "predict_log_proba")
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def predict(self, X):
        """The class with the largest logit, shape (n_samples,)."""
        z = self._logits(X, "predict")
        return self.classes_[np.argmax(z, axis=1)]

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Write hyper-parameters, layers and weights to one ``.npz`` file (see :mod:`spikesim.ann.io`)."""
        from .io import save_estimator
        self._check_fitted("save")
        arrays = dict(self.network_.parameters())
        arrays["classes"] = self.classes_
        state = dict(network=self.network_.config(), image_shape=list(self.image_shape_),
                     input_shape=list(self.input_shape_), n_features_in=self.n_features_in_, n_iter=self.n_iter_,
                     history=self.history_)
        return save_estimator(path, self, arrays, state)

    @classmethod
    def load(cls, path):
        """The estimator saved in ``path`` (a clear ``ValueError`` for damaged or foreign files)."""
        from .io import load_estimator
        return load_estimator(path, cls)

    def _adopt(self, network, classes, image_shape, input_shape, n_features, n_iter=0, history=None):
        """Become a fitted estimator with a built ``network`` (for loaders and converters)."""
        if network.output_shape != (len(classes),):
            raise ValueError(f"the network has outputs of shape {network.output_shape} for {len(classes)} classes")
        if int(np.prod(image_shape)) < n_features:
            raise ValueError(f"image shape {tuple(image_shape)} is too small for {n_features} features")
        self.network_, self.classes_ = network, np.asarray(classes)
        self.image_shape_, self.input_shape_ = tuple(image_shape), tuple(input_shape)
        self.n_features_in_, self.n_iter_ = int(n_features), int(n_iter)
        self.history_ = history or dict(loss=[], train_accuracy=[], val_accuracy=[], epoch_seconds=[])
        s = self._settings()
        self._optimizer = make_optimizer(s["optimizer"], s["lr"], s["momentum"])
        return self

    def _restore(self, arrays, state, fail):
        net = Sequential.from_config(state["network"])
        params = {k: v for k, v in arrays.items() if k != "classes"}
        net.load_state_dict(params)
        dtype = next(iter(params.values())).dtype if params else np.float64
        net.build(tuple(state["input_shape"]), dtype=dtype)
        classes = arrays["classes"]
        if classes.ndim != 1:
            fail(f"classes must be 1-D, got shape {classes.shape}")
        self._adopt(net, classes, state["image_shape"], state["input_shape"], state["n_features_in"],
                    state["n_iter"], {k: list(v) for k, v in state["history"].items()})
