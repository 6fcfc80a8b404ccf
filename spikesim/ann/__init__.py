"""Artificial neurons of the lecture: McCulloch-Pitts, the perceptron, MLPs, LeNet5 and networks of layers.

numpy/numba only.  Layers are modules (:mod:`spikesim.ann.layers`: Dense,
Conv2d, MaxPool2d, AvgPool2d, Flatten, activations, Sequential); the
classifiers follow scikit-learn's estimator contract (``__init__`` stores
hyper-parameters, ``fit`` learns attributes ending in ``_``,
``get_params`` / ``set_params``, ``random_state``, ``predict``, ``score``).
"""
from ._base import DataConversionWarning, NotFittedError
from .activations import ACTIVATIONS, Activation, elu, get_activation, maxout, maxout_backward, softmax
from .io import load_model
from .layers import Sequential
from .lenet5 import LeNet5, lenet5_layers
from .mcculloch_pitts import McCullochPitts, search_xor
from .mlp import MLP
from .network import NetworkClassifier
from .perceptron import Perceptron

__all__ = ["ACTIVATIONS", "Activation", "get_activation", "elu", "softmax", "maxout", "maxout_backward",
           "McCullochPitts", "search_xor", "Perceptron", "MLP", "LeNet5", "NetworkClassifier", "Sequential",
           "lenet5_layers", "load_model", "NotFittedError", "DataConversionWarning"]
