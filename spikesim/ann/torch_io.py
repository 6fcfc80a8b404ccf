"""Optional PyTorch interop for LeNet5 (``pip install spikesim[torch]``).

:class:`TorchLeNet` is the lecture's PyTorch LeNet (conv1, conv2, fc1, fc2,
fc3 with ReLU and 2x2 max pooling); its ``state_dict`` loads into
:class:`spikesim.ann.LeNet5` and back.
"""
from __future__ import annotations

import numpy as np


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


def from_torch(module_or_state_dict, dtype=np.float32):
    """A :class:`spikesim.ann.LeNet5` with the weights of a PyTorch LeNet (module or state_dict)."""
    from .lenet5 import LeNet5
    state = module_or_state_dict.state_dict() if hasattr(module_or_state_dict, "state_dict") else module_or_state_dict
    return LeNet5(dtype=dtype).load_state_dict(state)


def to_torch(model):
    """A PyTorch LeNet with the weights of a spikesim LeNet5."""
    torch = _torch()
    net = torch_lenet_class()()
    net.load_state_dict({k: torch.tensor(np.asarray(v, dtype=np.float32)) for k, v in model.params_.items()})
    return net
