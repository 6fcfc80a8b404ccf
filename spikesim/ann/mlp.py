"""Multi-layer perceptron: a :class:`~spikesim.ann.NetworkClassifier` of Dense layers.

Forward: ``a_0 = x``, ``z_l = a_{l-1} W_l + b_l``, ``a_l = f(z_l)``; the last
layer is linear and feeds the loss (softmax cross-entropy, or mean squared
error).  Backward, layer by layer (:mod:`spikesim.ann.layers`):
``delta_L = dLoss/dz_L``, ``dW_l = a_{l-1}^T delta_l``, ``db_l = sum delta_l``,
``delta_{l-1} = (delta_l W_l^T) * f'(z_{l-1})``.
"""
from __future__ import annotations

from .._validate import check_int
from .activations import get_activation
from .layers import Dense, Flatten, activation_layer
from .network import NetworkClassifier


class MLP(NetworkClassifier):
    """A fully connected network for classification.

    Parameters
    ----------
    hidden : sequence of int
        Hidden layer sizes, e.g. ``(300,)`` for 784-300-10; ``()`` is softmax regression.
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
    lr_decay : float
        The learning rate is multiplied by this after every epoch, in (0, 1].
    validation_fraction : float
        Part of the training data held back for early stopping (0: none).
    patience : int
        Stop after this many epochs without a better validation accuracy, and
        keep the best weights.
    augment_shift : int
        Train on images translated at random by up to this many pixels (0: off).
        The network then starts with a Flatten layer and reads each sample as
        an image (of ``input_shape``, or square).
    input_shape : tuple or None
        The image shape of a sample for ``augment_shift``, e.g. ``(1, 28, 28)``.
    warm_start : bool
        ``fit`` continues from the current weights.
    random_state : None, int or numpy Generator
    progress : bool

    Weights start He-normal for ReLU-like hidden layers and LeCun-normal
    otherwise (and for the output layer), biases at zero.

    Attributes
    ----------
    coefs_ : list of ndarrays of shape (n_in, n_out)
        The weight matrices, input layer first (views of ``network_``'s).
    intercepts_ : list of ndarrays of shape (n_out,)
    network_, classes_, n_features_in_, history_, n_iter_ : see NetworkClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from spikesim.ann import MLP
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=float)
    >>> y = np.array([0, 1, 1, 0] * 25)               # XOR: needs the hidden layer
    >>> mlp = MLP(hidden=(8,), activation="tanh", lr=0.05, epochs=400, batch_size=16,
    ...           validation_fraction=0.0, random_state=0).fit(X, y)
    >>> mlp.score(X, y)
    1.0
    """

    def __init__(self, hidden=(100,), *, activation="relu", loss="cross_entropy", optimizer="adam", lr=1e-3,
                 momentum=0.9, batch_size=64, epochs=30, l2=0.0, lr_decay=1.0, validation_fraction=0.1, patience=5,
                 augment_shift=0, input_shape=None, warm_start=False, random_state=None, progress=False):
        self.hidden = hidden
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.lr_decay = lr_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.augment_shift = augment_shift
        self.input_shape = input_shape
        self.warm_start = warm_start
        self.random_state = random_state
        self.progress = progress

    def _network_layers(self, n_classes):
        name = get_activation(self.activation).name
        try:
            sizes = [check_int("hidden", h, minimum=1) for h in self.hidden]
        except TypeError:
            raise TypeError(f"hidden must be a sequence of layer sizes, got {self.hidden!r}") from None
        init = "he" if name in ("relu", "leaky_relu", "elu") else "lecun"
        layers = [Flatten()] if self.augment_shift else []
        for h in sizes:
            layers += [Dense(h, init=init), activation_layer(name)]
        return layers + [Dense(n_classes, init="lecun")]

    def _dense(self):
        self._check_fitted("coefs_")
        return [layer for layer in self.network_ if isinstance(layer, Dense)]

    @property
    def coefs_(self):
        return [layer.weight.T for layer in self._dense()]

    @property
    def intercepts_(self):
        return [layer.bias for layer in self._dense()]
