"""Artificial neurons of the lecture: McCulloch-Pitts, the perceptron, MLPs and LeNet5.

numpy/numba only; sklearn conventions (``fit`` returns self, learned
attributes end in ``_``, ``random_state``, ``predict``, ``score``).
"""
from .activations import ACTIVATIONS, Activation, elu, get_activation, maxout, maxout_backward, softmax
from .lenet5 import LeNet5
from .mcculloch_pitts import McCullochPitts, search_xor
from .mlp import MLP
from .perceptron import Perceptron

__all__ = ["ACTIVATIONS", "Activation", "get_activation", "elu", "softmax", "maxout", "maxout_backward",
           "McCullochPitts", "search_xor", "Perceptron", "MLP", "LeNet5"]
