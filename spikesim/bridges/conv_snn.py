"""ANN -> SNN conversion of LeNet5: convolutions and pooling as spiking layers.

Layer by layer (Rueckauer et al. 2017):

* ``conv1`` is driven by the analog image: each unit receives the constant
  input ``(conv(x) + b) / lambda_1`` per step (like the first dense layer in
  :mod:`.ann_to_snn`);
* ``conv2`` and the fully connected layers are integrate-and-fire neurons
  (threshold 1, reset by subtraction or to zero) with explicit synapses: one
  synapse per (output unit, kernel tap inside the image), weight
  ``W lambda_prev / lambda_l``, bias ``b / lambda_l`` as a constant input;
* max-pooling is the ``maxpool`` neuron model: it passes the spikes of the
  input with the largest running spike count (one step of latency); with
  ``pooling="average"`` a pooling unit is an IF neuron with four inputs of
  weight 1/4 (the average of the rates; the ANN itself used max-pooling, so
  this is an approximation).

lambda_l is the ``percentile`` of layer l's positive activations on the
calibration images ("data") or the largest possible input ("model"); pooling
layers keep the scale of the layer they pool.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float
from ..ann.layers import conv2d_forward, maxpool2_forward
from ..ann.lenet5 import LeNet5
from ..model.network import Network
from ..model.neurons import NeuronGroup
from ..model.synapses import Synapses
from ..monitors.spikes import SpikeMonitor
from ..monitors.state import StateMonitor
from .ann_to_snn import SpikingClassifier


def conv_connections(in_shape, Wt, pad):
    """Synapses of one convolution for one image.

    Parameters
    ----------
    in_shape : (C, H, W)
    Wt : array, shape (K, C, k, k)
    pad : int
        Zero padding on each side.

    Returns
    -------
    i, j : int64 arrays (flat input index c*H*W + y*W + x, flat output index)
    w : float array (the kernel tap of each synapse)
    out_shape : (K, Ho, Wo)
    """
    C, H, W = in_shape
    K, C2, k, _ = Wt.shape
    if C2 != C:
        raise ValueError(f"kernel expects {C2} input channels, the layer below has {C}")
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    kk, oy, ox, c, dy, dx = np.meshgrid(np.arange(K), np.arange(Ho), np.arange(Wo), np.arange(C), np.arange(k),
                                        np.arange(k), indexing="ij")
    y, x = oy + dy - pad, ox + dx - pad
    ok = (y >= 0) & (y < H) & (x >= 0) & (x < W)
    i = (c * H * W + y * W + x)[ok]
    j = (kk * Ho * Wo + oy * Wo + ox)[ok]
    w = Wt[kk, c, dy, dx][ok]
    return i.astype(np.int64), j.astype(np.int64), w.astype(np.float64), (K, Ho, Wo)


def pool_connections(in_shape):
    """The four input sets of a 2x2 max-pool: list of (i, j) for window position q = 2a + b."""
    C, H, W = in_shape
    c, py, px = np.meshgrid(np.arange(C), np.arange(H // 2), np.arange(W // 2), indexing="ij")
    j = (c * (H // 2) * (W // 2) + py * (W // 2) + px).ravel()
    out = []
    for a in (0, 1):
        for b in (0, 1):
            i = (c * H * W + (2 * py + a) * W + (2 * px + b)).ravel()
            out.append((i.astype(np.int64), j.astype(np.int64)))
    return out, (C, H // 2, W // 2)


def _batched(i, j, n_in, n_out, B):
    """Indices of B independent copies of one connection pattern."""
    off = np.arange(B, dtype=np.int64)[:, None]
    return (i[None, :] + off * n_in).ravel(), (j[None, :] + off * n_out).ravel()


def lenet5_activations(model, X):
    """Post-ReLU activations of conv1, conv2, fc1, fc2 and the logits, for normalisation."""
    p = model.params_
    X = np.asarray(model._as_images(X), dtype=np.float64)
    pf = {k: np.asarray(v, dtype=np.float64) for k, v in p.items()}
    a1 = np.maximum(conv2d_forward(X, pf["conv1.weight"], pf["conv1.bias"], 2)[0], 0)
    m1 = maxpool2_forward(a1)[0]
    a2 = np.maximum(conv2d_forward(m1, pf["conv2.weight"], pf["conv2.bias"], 0)[0], 0)
    m2 = maxpool2_forward(a2)[0].reshape(len(X), -1)
    a3 = np.maximum(m2 @ pf["fc1.weight"].T + pf["fc1.bias"], 0)
    a4 = np.maximum(a3 @ pf["fc2.weight"].T + pf["fc2.bias"], 0)
    out = a4 @ pf["fc3.weight"].T + pf["fc3.bias"]
    return [a1, a2, a3, a4, out]


def lenet5_lambdas(model, calibration_X=None, normalisation="data", percentile=99.9):
    """Scale factors lambda of conv1, conv2, fc1, fc2, fc3."""
    if normalisation not in ("data", "model"):
        raise ValueError(f"normalisation must be 'data' or 'model', got {normalisation!r}")
    percentile = check_float("percentile", percentile, lo=0.0, hi=100.0)
    p = {k: np.asarray(v, dtype=np.float64) for k, v in model.params_.items()}
    if normalisation == "data":
        if calibration_X is None:
            raise ValueError("data-based normalisation needs calibration_X")
        acts = lenet5_activations(model, calibration_X)
        lams = []
        for a in acts:
            pos = a[a > 0]
            lams.append(float(np.percentile(pos, percentile)) if pos.size else 1.0)
        return np.array(lams)
    lams, prev = [], 1.0
    for name in ("conv1", "conv2", "fc1", "fc2", "fc3"):
        W, b = p[name + ".weight"], p[name + ".bias"]
        fan = np.maximum(W, 0).reshape(W.shape[0], -1).sum(axis=1) * prev + np.maximum(b, 0)
        lam = float(fan.max()) if fan.max() > 0 else 1.0
        lams.append(lam)
        prev = lam
    return np.array(lams)


class SpikingLeNet5(SpikingClassifier):
    """A converted LeNet5; ``predict`` / ``accuracy_curve`` as for :class:`SpikingClassifier`.

    Parameters
    ----------
    params : dict
        LeNet5 parameters (PyTorch names and layouts), float64.
    lambdas : array, shape (5,)
        Scale factors of conv1, conv2, fc1, fc2, fc3.
    pooling : {"max", "average"}
    input : {"constant"}
        The first layer is driven by the analog image.
    reset : {"subtract", "zero"}
    batch_size : int
        Images simulated at once (independent copies of the network).
    """

    def __init__(self, params, lambdas, pooling="max", input="constant", reset="subtract", batch_size=50, seed=0,
                 backend="cpu"):
        if pooling not in ("max", "average"):
            raise ValueError(f"pooling must be 'max' or 'average', got {pooling!r}")
        if input != "constant":
            raise ValueError(f"LeNet5 conversion supports input='constant' (analog first layer), got {input!r}")
        p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
        L = lambdas
        # (W, b) as spikesim will use them, normalised: dense W as (n_in, n_out)
        layers = [(p["fc3.weight"].T * L[3] / L[4], p["fc3.bias"] / L[4])]
        super().__init__(layers, lambdas, input=input, reset=reset, batch_size=batch_size, seed=seed,
                         backend=backend)
        self.params, self.pooling = p, pooling
        self.conv1 = (p["conv1.weight"] / L[0], p["conv1.bias"] / L[0])
        self.conv2 = (p["conv2.weight"] * L[0] / L[1], p["conv2.bias"] / L[1])
        self.fc = [(p["fc1.weight"].T * L[1] / L[2], p["fc1.bias"] / L[2]),
                   (p["fc2.weight"].T * L[2] / L[3], p["fc2.bias"] / L[3]),
                   (p["fc3.weight"].T * L[3] / L[4], p["fc3.bias"] / L[4])]
        self.n_classes = 10
        self.layer_names = ["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"]

    def _pool(self, pre, in_shape, B, name, objs):
        sets, out_shape = pool_connections(in_shape)
        n_in, n_out = int(np.prod(in_shape)), int(np.prod(out_shape))
        if self.pooling == "max":
            G = NeuronGroup(B * n_out, "maxpool", name=name)
        else:
            G = NeuronGroup(B * n_out, self._if_model, v_th=1.0, v_reset=0.0, name=name)
        objs.append(G)
        for q, (i, j) in enumerate(sets):
            bi, bj = _batched(i, j, n_in, n_out, B)
            target = f"c{q}" if self.pooling == "max" else "v"
            w = 1.0 if self.pooling == "max" else 0.25
            objs.append(Synapses(pre, G, target, weight=w, name=f"{name}_in{q}").connect(i=bi, j=bj))
        return G, out_shape

    @property
    def _if_model(self):
        return "if_subtract" if self.reset == "subtract" else "if"

    def _network(self, X, record_all=False):
        X = np.asarray(X, dtype=np.float64).reshape(len(X), 1, 28, 28)
        B = len(X)
        objs, groups = [], []
        W1, b1 = self.conv1
        I1 = conv2d_forward(X, W1, b1, 2)[0]                        # (B, 6, 28, 28) per-step drive
        c1 = NeuronGroup(I1.size, self._if_model, I=I1.ravel(), v_th=1.0, v_reset=0.0, name="conv1")
        objs.append(c1)
        groups.append(c1)
        p1, shape = self._pool(c1, (6, 28, 28), B, "pool1", objs)
        groups.append(p1)
        W2, b2 = self.conv2
        i, j, w, out_shape = conv_connections(shape, W2, 0)
        n_in, n_out = int(np.prod(shape)), int(np.prod(out_shape))
        c2 = NeuronGroup(B * n_out, self._if_model, I=np.tile(np.repeat(b2, out_shape[1] * out_shape[2]), B),
                         v_th=1.0, v_reset=0.0, name="conv2")
        bi, bj = _batched(i, j, n_in, n_out, B)
        objs += [c2, Synapses(p1, c2, "v", weight=np.tile(w, B), name="conv2_in").connect(i=bi, j=bj)]
        groups.append(c2)
        p2, shape = self._pool(c2, out_shape, B, "pool2", objs)
        groups.append(p2)
        pre, n_in = p2, int(np.prod(shape))
        for k, (W, b) in enumerate(self.fc):
            n_out = W.shape[1]
            G = NeuronGroup(B * n_out, self._if_model, I=np.tile(b, B), v_th=1.0, v_reset=0.0, name=f"fc{k + 1}")
            ii = np.repeat(np.arange(n_in, dtype=np.int64), n_out)
            jj = np.tile(np.arange(n_out, dtype=np.int64), n_in)
            bi, bj = _batched(ii, jj, n_in, n_out, B)
            objs += [G, Synapses(pre, G, "v", weight=np.tile(W.ravel(), B), name=f"fc{k + 1}_in").connect(i=bi, j=bj)]
            groups.append(G)
            pre, n_in = G, n_out
        out = groups[-1]
        M = SpikeMonitor(out)
        V = StateMonitor(out, "v")
        objs += [M, V]
        self._groups = groups
        if record_all:
            self._monitors = [SpikeMonitor(g) for g in groups[:-1]] + [M]
            objs += self._monitors[:-1]
        return Network(*objs, dt=1e-4, seed=self.seed), out, M, V

    def layer_spikes(self, image, timesteps=100):
        """Spike trains of every layer for one image: list of (name, n_units, i, step)."""
        net, out, M, V = self._network(np.asarray(image, dtype=np.float64).reshape(1, -1), record_all=True)
        net.run(timesteps * net.dt, backend=self.backend, progress=False)
        return [(name, g.N, m.i.copy(), m.step.copy())
                for name, g, m in zip(self.layer_names, self._groups, self._monitors)]


def lenet5_to_snn(model, calibration_X=None, normalisation="data", percentile=99.9, pooling="max",
                  input="constant", reset="subtract", batch_size=50, seed=0, backend="cpu"):
    """Convert a trained LeNet5 to a :class:`SpikingLeNet5` (see module doc).

    ``model``: a :class:`~spikesim.ann.lenet5.LeNet5`, or the lecture's PyTorch ``LeNet``
    (a module or its ``state_dict``; see :mod:`spikesim.ann.torch_io`).
    """
    if not isinstance(model, LeNet5) and (hasattr(model, "state_dict") or
                                          (hasattr(model, "keys") and "conv1.weight" in model.keys())):
        from ..ann.torch_io import from_torch
        model = from_torch(model, dtype=np.float64)
    if not isinstance(model, LeNet5):
        raise TypeError(f"model must be a LeNet5 or a PyTorch LeNet state_dict, got {type(model).__name__}")
    if calibration_X is not None:
        Xc = np.asarray(calibration_X)
        if Xc.size % 784 or Xc.ndim not in (2, 3, 4) or Xc.reshape(len(Xc), -1).shape[1] != 784:
            raise ValueError(f"calibration_X must be 28x28 images (n, 784) or (n, 28, 28), got shape {Xc.shape}")
    lambdas = lenet5_lambdas(model, calibration_X, normalisation, percentile)
    return SpikingLeNet5(model.params_, lambdas, pooling=pooling, input=input, reset=reset, batch_size=batch_size,
                         seed=seed, backend=backend)
