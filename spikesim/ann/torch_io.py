"""Optional PyTorch interop (``pip install spikesim[torch]``).

* :func:`torch_lenet_class` is the lecture's PyTorch LeNet (conv1, conv2,
  fc1, fc2, fc3 with ReLU and 2x2 max pooling in ``forward``).
* :func:`sequential_from_torch` turns that LeNet (module or state_dict), or
  any ``torch.nn.Sequential`` of Linear, Conv2d, MaxPool2d, AvgPool2d,
  Flatten and ReLU modules, into a :class:`~spikesim.ann.layers.Sequential`
  with the same weights: the one path by which PyTorch networks reach
  spikesim (and the ANN -> SNN converter).
* :func:`from_torch` / :func:`to_torch` convert estimators both ways.
"""
from __future__ import annotations

import numpy as np

from .layers import AvgPool2d, Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential

LENET_KEYS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight",
              "fc2.bias", "fc3.weight", "fc3.bias")


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError("PyTorch is needed for this: pip install 'spikesim[torch]'") from exc
    return torch


def torch_lenet_class():
    """The PyTorch LeNet class (created lazily, so importing spikesim never needs torch)."""
    torch = _torch()
    nn, F = torch.nn, torch.nn.functional

    class TorchLeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(400, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return TorchLeNet


def _numpy(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _is_lenet(obj):
    keys = obj.state_dict().keys() if hasattr(obj, "state_dict") else obj.keys() if hasattr(obj, "keys") else ()
    return set(keys) == set(LENET_KEYS)


def _pair(v, what):
    """An int from an int or a pair of equal ints (PyTorch's kernel sizes, strides, paddings)."""
    if isinstance(v, (tuple, list)):
        if len(set(v)) != 1:
            raise ValueError(f"{what} must be the same in both directions, got {tuple(v)}")
        v = v[0]
    return int(v)


def _layer(k, m):
    """Our layer for the PyTorch module ``m`` at position ``k`` of a Sequential."""
    nn = _torch().nn
    bias = None if getattr(m, "bias", None) is None else _numpy(m.bias)
    where = f"module {k} ({type(m).__name__})"
    if isinstance(m, nn.Linear):
        return Dense.from_arrays(_numpy(m.weight), bias)
    if isinstance(m, nn.Conv2d):
        if _pair(m.stride, "stride") != 1 or _pair(m.dilation, "dilation") != 1 or m.groups != 1:
            raise ValueError(f"{where}: only stride 1, dilation 1 and groups 1 convert")
        if isinstance(m.padding, str) or m.padding_mode != "zeros":
            raise ValueError(f"{where}: only numeric zero padding converts, got {m.padding!r} / {m.padding_mode!r}")
        return Conv2d.from_arrays(_numpy(m.weight), bias, padding=_pair(m.padding, "padding"))
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        k_size = _pair(m.kernel_size, "kernel_size")
        stride = k_size if m.stride is None else _pair(m.stride, "stride")
        if stride != k_size or _pair(m.padding, "padding") != 0 or m.ceil_mode:
            raise ValueError(f"{where}: only non-overlapping pooling (stride = kernel_size, no padding, floor "
                             f"mode) converts")
        if isinstance(m, nn.MaxPool2d) and _pair(m.dilation, "dilation") != 1:
            raise ValueError(f"{where}: only dilation 1 converts")
        return (MaxPool2d if isinstance(m, nn.MaxPool2d) else AvgPool2d)(k_size)
    if isinstance(m, nn.ReLU):
        return ReLU()
    if isinstance(m, nn.Flatten):
        if m.start_dim != 1 or m.end_dim != -1:
            raise ValueError(f"{where}: only Flatten(start_dim=1) converts")
        return Flatten()
    raise ValueError(f"{where} has no spikesim layer: supported are Linear, Conv2d, MaxPool2d, AvgPool2d, "
                     f"Flatten and ReLU")


def sequential_from_torch(module_or_state_dict, input_shape=None):
    """A :class:`~spikesim.ann.layers.Sequential` with the layers and weights of a PyTorch network.

    Accepts the lecture's ``LeNet`` (module or state_dict; built for 1x28x28
    images) or a ``torch.nn.Sequential`` (nested ones are flattened; layer
    names are the module indices, as in its state_dict).  ``input_shape``
    builds the result for samples of that shape.
    """
    from .lenet5 import lenet5_layers
    obj = module_or_state_dict
    if _is_lenet(obj):
        state = obj.state_dict() if hasattr(obj, "state_dict") else obj
        net = Sequential(lenet5_layers(10)).load_state_dict(state)
        return net.build(input_shape or (1, 28, 28))
    nn = _torch().nn
    if not isinstance(obj, nn.Sequential):
        raise TypeError(f"only a torch.nn.Sequential or the lecture's LeNet converts, got {type(obj).__name__} "
                        f"(its forward() cannot be read; rewrite it as an nn.Sequential)")

    def walk(seq):
        for m in seq:
            if isinstance(m, nn.Sequential):
                yield from walk(m)
            else:
                yield m

    modules = list(walk(obj))
    net = Sequential([_layer(k, m) for k, m in enumerate(modules)])
    return net.build(input_shape) if input_shape is not None else net


def from_torch(module_or_state_dict, dtype="float32", input_shape=None):
    """A fitted :class:`~spikesim.ann.LeNet5` from the lecture's LeNet, or a Sequential from an ``nn.Sequential``."""
    from .lenet5 import LeNet5
    if _is_lenet(module_or_state_dict):
        obj = module_or_state_dict
        state = obj.state_dict() if hasattr(obj, "state_dict") else obj
        return LeNet5.from_state_dict(state, dtype=dtype)
    return sequential_from_torch(module_or_state_dict, input_shape)


def to_torch(model):
    """PyTorch's version of a model: the lecture's LeNet for a LeNet5, an ``nn.Sequential`` otherwise."""
    torch = _torch()
    from .lenet5 import LeNet5
    from .network import NetworkClassifier
    if isinstance(model, LeNet5):
        net = torch_lenet_class()()
        net.load_state_dict({k: torch.tensor(np.asarray(v, dtype=np.float32)) for k, v in model.state_dict().items()})
        return net
    seq = model.network_ if isinstance(model, NetworkClassifier) else model
    if not isinstance(seq, Sequential):
        raise TypeError(f"model must be a LeNet5, a NetworkClassifier or a Sequential, got {type(model).__name__}")
    nn = torch.nn
    mods = []
    for layer in seq:
        if isinstance(layer, Dense):
            m = nn.Linear(layer.in_features, layer.out_features, bias=layer.has_bias)
        elif isinstance(layer, Conv2d):
            m = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, padding=layer.padding,
                          bias=layer.has_bias)
        elif isinstance(layer, (MaxPool2d, AvgPool2d)):
            m = (nn.MaxPool2d if isinstance(layer, MaxPool2d) else nn.AvgPool2d)(layer.kernel_size)
        elif isinstance(layer, ReLU):
            m = nn.ReLU()
        elif isinstance(layer, Flatten):
            m = nn.Flatten()
        else:
            raise ValueError(f"{type(layer).__name__} has no PyTorch counterpart here")
        with torch.no_grad():
            for name, value in layer.parameters().items():
                getattr(m, name).copy_(torch.tensor(np.asarray(value, dtype=np.float32)))
        mods.append(m)
    return nn.Sequential(*mods)
