"""LeNet5, exactly the classic network: its layers, written once, and the estimator that trains them.

conv(1->6, 5x5, pad 2) - ReLU - maxpool 2 - conv(6->16, 5x5) - ReLU - maxpool 2
- fc 400->120 - ReLU - fc 120->84 - ReLU - fc 84->10 (logits): 61,706 parameters
for 28x28 images.

Parameters carry PyTorch's names and layouts (``conv1.weight`` of shape
(6, 1, 5, 5), ``fc1.weight`` of shape (120, 400), ...), so the state_dict of
the lecture's PyTorch ``LeNet`` maps over one to one.
"""
from __future__ import annotations

import numpy as np

from .layers import Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential
from .network import NetworkClassifier


def lenet5_layers(n_classes=10):
    """The layers of LeNet5, readout ``fc3`` (``n_classes`` outputs) included; sizes inferred when built."""
    return [Conv2d(6, 5, padding=2, name="conv1"), ReLU(), MaxPool2d(2, name="pool1"),
            Conv2d(16, 5, name="conv2"), ReLU(), MaxPool2d(2, name="pool2"), Flatten(),
            Dense(120, name="fc1"), ReLU(), Dense(84, name="fc2"), ReLU(), Dense(n_classes, name="fc3")]


class LeNet5(NetworkClassifier):
    """The classic LeNet5 (:func:`lenet5_layers`), trained with backpropagation in numpy/numba.

    Parameters
    ----------
    input_shape : tuple or None
        Shape of one image, ``(1, 28, 28)`` for MNIST; None: images keep their
        shape, flat vectors become square images (784 values: 28x28).  Images
        smaller than 12x12, the least the two convolutions and poolings accept,
        are centred on a 12x12 zero canvas (as the 28x28 digits sit in LeNet's
        original 32x32 input).
    optimizer : {"adam", "sgd"}
    lr, momentum : float
    batch_size, epochs : int
    l2 : float
        L2 penalty on the weights.
    lr_decay : float
        The learning rate is multiplied by this after every epoch (1: constant).
    augment_shift : int
        Train on images randomly translated by up to this many pixels (0: off).
    dtype : {"float32", "float64"}
        float32 (default, fast) or float64 (exact gradient checks).
    warm_start : bool
    random_state : None, int or numpy Generator
    progress : bool
        Progress bar per epoch.

    Attributes
    ----------
    network_ : Sequential
        The trained layers; ``network_.state_dict()`` has PyTorch's names.
    classes_, n_features_in_, input_shape_, history_, n_iter_ : see NetworkClassifier
    """

    _min_side = 12

    def __init__(self, *, input_shape=None, optimizer="adam", lr=1e-3, momentum=0.9, batch_size=64, epochs=15,
                 l2=0.0, lr_decay=1.0, augment_shift=0, dtype="float32", warm_start=False, random_state=None,
                 progress=False):
        self.input_shape = input_shape
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.lr_decay = lr_decay
        self.augment_shift = augment_shift
        self.dtype = dtype
        self.warm_start = warm_start
        self.random_state = random_state
        self.progress = progress

    def _network_layers(self, n_classes):
        return lenet5_layers(n_classes)

    def state_dict(self):
        """Parameters by PyTorch name (copies)."""
        self._check_fitted("state_dict")
        return self.network_.state_dict()

    @classmethod
    def from_state_dict(cls, state, *, dtype="float32", input_shape=(1, 28, 28)):
        """A fitted LeNet5 for the ten digit classes with the weights of a state_dict (arrays or torch tensors)."""
        model = cls(dtype=dtype, input_shape=input_shape)
        s = model._settings()
        net = Sequential(lenet5_layers(10))
        net.load_state_dict(state)
        net.build(s["input_shape"], dtype=s["dtype"])
        return model._adopt(net, np.arange(10), s["input_shape"], s["input_shape"], int(np.prod(s["input_shape"])))
