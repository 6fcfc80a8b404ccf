"""ANN -> SNN conversion by rate coding, for any stack of Dense, Conv2d, pooling, Flatten and ReLU layers.

The converter walks a :class:`~spikesim.ann.layers.Sequential` (a trained
Perceptron, MLP, LeNet5 or NetworkClassifier, or an imported PyTorch
network) and makes one population of spiking neurons per stage (Cao et al.
2015; Diehl et al. 2015; Rueckauer et al. 2017):

* a Dense or Conv2d layer with the ReLU after it becomes non-leaky
  integrate-and-fire neurons (``if_subtract``: reset by subtraction, or
  ``if``: reset to zero) with threshold 1, whose firing rate (spikes per
  step) approximates the unit's activation.  Its weights become synapses
  (one per weight; a convolution gets one per kernel tap inside the image),
  its bias a constant input per step.  The last linear layer (the logits)
  is a layer of such neurons too: the class is the one with most spikes;
* MaxPool2d (2x2) is the ``maxpool`` neuron model, which passes the spikes
  of the input with the largest running spike count (Rueckauer et al.'s
  gating); with ``pooling="average"`` it becomes an average pool instead;
* AvgPool2d (k x k) is IF neurons with k^2 inputs of weight 1/k^2;
* Flatten changes nothing (neurons are numbered in C order); a ReLU after a
  pooling layer changes nothing either (rates are never negative).

Rates must stay below one spike per step, so weights are rescaled stage by
stage: ``W_l <- W_l * lambda_{l-1} / lambda_l``, ``b_l <- b_l / lambda_l``
(lambda_0 = 1 for inputs in [0, 1]), with

* ``normalisation="data"``: lambda_l the ``percentile`` (99.9) of the
  stage's positive activations on calibration data (training split only);
* ``normalisation="model"``: lambda_l the largest possible input of a unit,
  sum of positive weights times lambda_{l-1} plus the positive bias.

Pooling stages keep the scale of the stage they pool.  The first layer is
driven either by the constant (analog) input ``(W x + b) / lambda_1`` per
step, or by Poisson spike trains with one spike per step at intensity 1.
The spiking network runs on spikesim's engine; many samples are simulated at
once as independent copies of the network in one Network.
"""
from __future__ import annotations

import numpy as np

from .. import Network, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses
from .._validate import check_float, check_int
from ..ann.layers import AvgPool2d, Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential

DT = 1e-4                   # the network's dt; the neurons work in steps, so its value does not matter
SYNAPSES_PER_BATCH = 15e6   # default batch size: about this many synapses per simulated batch

LINEAR = (Dense, Conv2d)
POOLS = (MaxPool2d, AvgPool2d)


# ---------------------------------------------------------------- connectivity of one copy
def conv_connections(in_shape, Wt, pad):
    """Synapses of one convolution for one sample.

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


def dense_connections(W):
    """Synapses of a dense layer with weights W of shape (n_out, n_in): i, j, w (input-major order)."""
    n_out, n_in = W.shape
    i = np.repeat(np.arange(n_in, dtype=np.int64), n_out)
    j = np.tile(np.arange(n_out, dtype=np.int64), n_in)
    return i, j, np.ascontiguousarray(W.T, dtype=np.float64).ravel()


def pool_connections(in_shape, k=2):
    """The k*k input sets of a k x k pooling: list of (i, j) for window position q = a*k + b."""
    C, H, W = in_shape
    Ho, Wo = H // k, W // k
    c, py, px = np.meshgrid(np.arange(C), np.arange(Ho), np.arange(Wo), indexing="ij")
    j = (c * Ho * Wo + py * Wo + px).ravel()
    out = []
    for a in range(k):
        for b in range(k):
            i = (c * H * W + (k * py + a) * W + (k * px + b)).ravel()
            out.append((i.astype(np.int64), j.astype(np.int64)))
    return out, (C, Ho, Wo)


def _batched(i, j, n_in, n_out, B):
    """Indices of B independent copies of one connection pattern."""
    off = np.arange(B, dtype=np.int64)[:, None]
    return (i[None, :] + off * n_in).ravel(), (j[None, :] + off * n_out).ravel()


# ---------------------------------------------------------------- the plan: stages of a Sequential
class Stage:
    """One population of the spiking network: a linear layer (with its ReLU) or a pooling layer."""

    def __init__(self, kind, index, layer, name, in_shape, out_shape):
        self.kind, self.index, self.layer, self.name = kind, index, layer, name
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)

    @property
    def size(self):
        return int(np.prod(self.out_shape))

    def __repr__(self):
        return f"Stage({self.kind!r}, {self.name!r}, {self.in_shape} -> {self.out_shape})"


def plan_stages(network):
    """The spiking stages of a built Sequential, or a ValueError naming the layer that cannot convert."""
    if not isinstance(network, Sequential) or not network.built:
        raise TypeError("network must be a built spikesim.ann.layers.Sequential")
    layers, keys = list(network), network.layer_keys()
    stages, after_linear = [], False
    for idx, (layer, key) in enumerate(zip(layers, keys)):
        where = f"layer {idx} ({type(layer).__name__})"
        name = key if not key.isdigit() else f"layer{key}"
        if isinstance(layer, LINEAR):
            if after_linear:
                raise ValueError(f"{where} follows a linear layer without a ReLU between them: spiking rates "
                                 f"cannot carry the negative values of a linear layer that is not the last")
            stages.append(Stage("linear", idx, layer, name, layer.in_shape, layer.out_shape))
            after_linear = True
        elif isinstance(layer, ReLU):
            if not stages:
                raise ValueError(f"{where}: a ReLU before the first Dense or Conv2d layer cannot convert")
            after_linear = False
        elif isinstance(layer, POOLS):
            if not stages:
                raise ValueError(f"{where}: the first stage must be a Dense or Conv2d layer (it receives the input)")
            if after_linear:
                raise ValueError(f"{where} follows a linear layer without a ReLU between them")
            kind = "maxpool" if isinstance(layer, MaxPool2d) else "avgpool"
            stages.append(Stage(kind, idx, layer, name, layer.in_shape, layer.out_shape))
        elif isinstance(layer, Flatten):
            continue
        else:
            raise ValueError(f"{where} cannot convert to spiking neurons: supported are Dense, Conv2d, "
                             f"MaxPool2d, AvgPool2d, Flatten and ReLU")
    if not stages:
        raise ValueError("the network has no Dense or Conv2d layer to convert")
    return stages


# ---------------------------------------------------------------- normalisation
def _positive_percentile(a, percentile):
    pos = a[a > 0]
    return float(np.percentile(pos, percentile)) if pos.size else 1.0


def normalise(network, calibration_X=None, normalisation="data", percentile=99.9):
    """A copy of ``network`` (float64) with every linear stage rescaled, and the scales lambda of the stages.

    ``calibration_X`` : samples shaped as the network reads them, (n, *network.input_shape).
    """
    if normalisation not in ("data", "model"):
        raise ValueError(f"normalisation must be 'data' or 'model', got {normalisation!r}")
    percentile = check_float("percentile", percentile, lo=0.0, hi=100.0)
    net = network.astype(np.float64)
    stages = plan_stages(net)
    by_index = {s.index: s for s in stages}
    scale = {}
    if normalisation == "data":
        if calibration_X is None:
            raise ValueError("data-based normalisation needs calibration_X")
        x = np.asarray(calibration_X, dtype=np.float64)
        if x.shape[1:] != net.input_shape:
            raise ValueError(f"calibration_X must have samples of shape {net.input_shape}, got {x.shape[1:]}")
        layers = list(net)
        for idx, layer in enumerate(layers):
            x = layer.forward(x)
            stage = by_index.get(idx)
            if stage is not None and stage.kind == "linear":
                nxt = layers[idx + 1] if idx + 1 < len(layers) else None
                scale[idx] = _positive_percentile(np.maximum(x, 0) if isinstance(nxt, ReLU) else x, percentile)
    lambdas, prev = [], 1.0
    for stage in stages:
        if stage.kind != "linear":
            lambdas.append(prev)
            continue
        layer = stage.layer
        W = layer.weight
        b = layer.bias if layer.has_bias else np.zeros(W.shape[0])
        if normalisation == "data":
            lam = scale[stage.index]
        else:
            fan = np.maximum(W, 0).reshape(W.shape[0], -1).sum(axis=1) * prev + np.maximum(b, 0)
            lam = float(fan.max()) if fan.max() > 0 else 1.0
        layer.weight = W * (prev / lam)
        if layer.has_bias:
            layer.bias = b / lam
        lambdas.append(lam)
        prev = lam
    return net, np.array(lambdas)


# ---------------------------------------------------------------- the spiking classifier
def _dense_stack(layers):
    """A built Sequential from [(W, b), ...] with W of shape (n_in, n_out), ReLU between the layers."""
    out = []
    for k, (W, b) in enumerate(layers):
        W = np.asarray(W, dtype=np.float64)
        out.append(Dense.from_arrays(W.T, np.asarray(b, dtype=np.float64)))
        if k < len(layers) - 1:
            out.append(ReLU())
    return Sequential(out).build((np.asarray(layers[0][0]).shape[0],))


class SpikingClassifier:
    """A converted network: ``predict(X, timesteps)`` classifies by the most output spikes.

    Ties (e.g. no output spike) are broken by the output membrane potential.

    Parameters
    ----------
    network : Sequential or list of (W, b)
        The *normalised* network (see :func:`normalise`), built; or dense
        layers ``(W, b)`` with W of shape (n_in, n_out), a ReLU between them.
    lambdas : array
        The scale of each stage (kept to undo the normalisation).
    input : {"constant", "poisson"}
    reset : {"subtract", "zero"}
    pooling : {"max", "average"}
        How a MaxPool2d layer spikes: the gating ``maxpool`` neurons, or an
        average pool (an approximation).
    batch_size : int or None
        Samples simulated at once (copies of the network); None: about
        15 million synapses per batch, at most 500 samples.
    seed : int
        The network seed (Poisson input).
    backend : {"cpu", "reference", "cuda"}
    prepare : callable or None
        Turns the X given to ``predict`` into samples of shape
        ``network.input_shape`` (default: a reshape).
    classes : array or None
        The label of each output unit (default: the unit's index).
    """

    def __init__(self, network, lambdas=None, input="constant", reset="subtract", pooling="max", batch_size=None,
                 seed=0, backend="cpu", prepare=None, classes=None):
        if input not in ("constant", "poisson"):
            raise ValueError(f"input must be 'constant' or 'poisson', got {input!r}")
        if reset not in ("subtract", "zero"):
            raise ValueError(f"reset must be 'subtract' or 'zero', got {reset!r}")
        if pooling not in ("max", "average"):
            raise ValueError(f"pooling must be 'max' or 'average', got {pooling!r}")
        if backend not in ("cpu", "reference", "cuda"):
            raise ValueError(f"backend must be 'cpu', 'reference' or 'cuda', got {backend!r}")
        if isinstance(network, (list, tuple)):
            network = _dense_stack(network)
        self.network = network
        self.stages = plan_stages(network)
        for s in self.stages:
            if s.kind == "maxpool" and pooling == "max" and s.layer.kernel_size != 2:
                raise ValueError(f"{s.name}: spiking max pooling takes 2x2 windows (the maxpool neuron has four "
                                 f"inputs), got {s.layer.kernel_size}x{s.layer.kernel_size}; use pooling='average'")
        self.lambdas = np.ones(len(self.stages)) if lambdas is None else np.asarray(lambdas, dtype=float)
        self.input, self.reset, self.pooling = input, reset, pooling
        self.batch_size = (self._default_batch() if batch_size is None
                           else check_int("batch_size", batch_size, minimum=1))
        self.seed = seed
        self.backend = backend
        self.prepare = prepare
        self.classes = np.arange(self.n_classes) if classes is None else np.asarray(classes)
        if self.classes.shape != (self.n_classes,):
            raise ValueError(f"classes must have one label per output unit ({self.n_classes}), "
                             f"got shape {self.classes.shape}")
        self.progress = False       # a progress bar over batches (set by ``spikesim convert``)

    @property
    def layer_names(self):
        return [s.name for s in self.stages]

    @property
    def n_classes(self):
        return self.stages[-1].size

    def n_synapses(self):
        """Synapses of one copy of the network."""
        n = 0
        for k, s in enumerate(self.stages):
            if s.kind == "linear" and (k > 0 or self.input == "poisson"):
                w = s.layer.weight
                n += w.size if isinstance(s.layer, Dense) else conv_connections(s.in_shape, w, s.layer.padding)[0].size
            elif s.kind != "linear":
                n += int(np.prod(s.out_shape)) * s.layer.kernel_size ** 2
        return n

    def _default_batch(self):
        return int(np.clip(SYNAPSES_PER_BATCH // max(self.n_synapses(), 1), 1, 500))

    def _samples(self, X):
        if self.prepare is not None:
            return self.prepare(X)
        X = np.asarray(X, dtype=np.float64)
        shape = self.network.input_shape
        if int(np.prod(X.shape[1:])) != int(np.prod(shape)):
            raise ValueError(f"X must have samples of {int(np.prod(shape))} values (shape {shape}), got {X.shape}")
        return X.reshape((len(X),) + shape)

    # -------------------------------------------------------------- building the spiking network
    @property
    def _if_model(self):
        return "if_subtract" if self.reset == "subtract" else "if"

    def _network(self, X, record_all=False):
        """The spiking network for a batch of prepared samples: every stage holds ``len(X)`` copies."""
        B = len(X)
        objs, groups = [], []
        pre = None
        if self.input == "poisson":
            # rate x/dt: at intensity 1 a spike every step, so the mean input per step is W x
            pre = PoissonGroup(int(X[0].size) * B, rates=np.clip(X, 0, 1).ravel() / DT, name="input")
            objs.append(pre)
        for k, s in enumerate(self.stages):
            n_in, n_out = int(np.prod(s.in_shape)), s.size
            if s.kind == "linear":
                layer = s.layer
                if k == 0 and self.input == "constant":
                    x = X
                    for before in self.network.layers[:s.index]:      # Flatten layers only (see plan_stages)
                        x = before.forward(x)
                    I = layer.forward(x).reshape(B, -1).ravel()
                    G = NeuronGroup(B * n_out, self._if_model, I=I, v_th=1.0, v_reset=0.0, name=s.name)
                    objs.append(G)
                else:
                    b = layer.bias if layer.has_bias else np.zeros(layer.weight.shape[0])
                    per_unit = np.repeat(b, n_out // b.size)          # a convolution's bias per output pixel
                    G = NeuronGroup(B * n_out, self._if_model, I=np.tile(per_unit, B), v_th=1.0, v_reset=0.0,
                                    name=s.name)
                    if isinstance(layer, Dense):
                        i, j, w = dense_connections(layer.weight)
                    else:
                        i, j, w, _ = conv_connections(s.in_shape, layer.weight, layer.padding)
                    bi, bj = _batched(i, j, n_in, n_out, B)
                    objs += [G, Synapses(pre, G, "v", weight=np.tile(w, B), name=f"{s.name}_in").connect(i=bi, j=bj)]
            else:
                kk = s.layer.kernel_size
                sets, _ = pool_connections(s.in_shape, kk)
                gate = s.kind == "maxpool" and self.pooling == "max"
                if gate:
                    G = NeuronGroup(B * n_out, "maxpool", name=s.name)
                else:
                    G = NeuronGroup(B * n_out, self._if_model, v_th=1.0, v_reset=0.0, name=s.name)
                objs.append(G)
                for q, (i, j) in enumerate(sets):
                    bi, bj = _batched(i, j, n_in, n_out, B)
                    target, w = (f"c{q}", 1.0) if gate else ("v", 1.0 / (kk * kk))
                    objs.append(Synapses(pre, G, target, weight=w, name=f"{s.name}_in{q}").connect(i=bi, j=bj))
            groups.append(G)
            pre = G
        out = groups[-1]
        M = SpikeMonitor(out)
        V = StateMonitor(out, "v")
        objs += [M, V]
        self._groups = groups
        if record_all:
            self._monitors = [SpikeMonitor(g) for g in groups[:-1]] + [M]
            objs += self._monitors[:-1]
        return Network(*objs, dt=DT, seed=self.seed), out, M, V

    # -------------------------------------------------------------- running it
    def _scores(self, X, timesteps):
        """Spike counts and potentials of the output layer after each of ``timesteps`` steps."""
        X = self._samples(X)
        T = max(timesteps)
        counts = {t: [] for t in timesteps}
        pots = {t: [] for t in timesteps}
        n_cls = self.n_classes
        starts = range(0, len(X), self.batch_size)
        if self.progress:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="batches", unit="batch")
        for s in starts:
            xb = X[s:s + self.batch_size]
            net, out, M, V = self._network(xb)
            net.run(T * DT, backend=self.backend, progress=False)
            v_all = np.concatenate([V.v, out.v[:, None]], axis=1)   # v after 0..T steps
            steps = np.rint(M.t / DT).astype(np.int64)
            for t in timesteps:
                c = np.bincount(M.i[steps < t], minlength=out.N)
                counts[t].append(c.reshape(len(xb), n_cls))
                pots[t].append(v_all[:, t].reshape(len(xb), n_cls))
        return {t: np.concatenate(counts[t]) for t in timesteps}, {t: np.concatenate(pots[t]) for t in timesteps}

    def _decide(self, counts, pots):
        best = counts.max(axis=1, keepdims=True)
        return self.classes[np.argmax(np.where(counts == best, pots, -np.inf), axis=1)]

    def predict(self, X, timesteps=100):
        """Class of each sample: the output unit with most spikes in ``timesteps`` steps (ties: highest potential)."""
        timesteps = check_int("timesteps", timesteps, minimum=1)
        c, v = self._scores(X, [timesteps])
        return self._decide(c[timesteps], v[timesteps])

    def accuracy_curve(self, X, y, timesteps=(10, 20, 50, 100, 200)):
        """Accuracy after each number of steps in ``timesteps`` (one simulation per batch)."""
        ts = [check_int("timesteps", t, minimum=1) for t in timesteps]
        c, v = self._scores(X, ts)
        y = np.asarray(y)
        return {t: float(np.mean(self._decide(c[t], v[t]) == y)) for t in ts}

    def layer_spikes(self, sample, timesteps=100):
        """Spike trains of every stage for one sample: list of (name, n_units, i, step)."""
        X = self._samples(np.asarray(sample, dtype=np.float64)[None])
        net, out, M, V = self._network(X, record_all=True)
        net.run(timesteps * DT, backend=self.backend, progress=False)
        return [(s.name, g.N, m.i.copy(), np.rint(m.t / DT).astype(np.int64))
                for s, g, m in zip(self.stages, self._groups, self._monitors)]


# ---------------------------------------------------------------- from a model to spikes
def as_sequential(model, input_shape=None, calibration_X=None):
    """(built Sequential, prepare function) for anything :func:`ann_to_snn` converts."""
    from ..ann.network import NetworkClassifier
    from ..ann.perceptron import Perceptron
    if isinstance(model, NetworkClassifier):
        model._check_fitted("ann_to_snn")
        return model.network_, lambda X: model._inputs(X, "ann_to_snn").astype(np.float64)
    if isinstance(model, Perceptron):
        model._check_fitted("ann_to_snn")
        net = Sequential(Dense.from_arrays(model.coef_, model.intercept_)).build((model.n_features_in_,))
        return net, lambda X: model._check_X_predict(X, "ann_to_snn")
    if isinstance(model, (list, tuple)) and model and all(isinstance(p, tuple) and len(p) == 2 for p in model):
        return _dense_stack(model), None
    if not isinstance(model, Sequential):
        is_torch = hasattr(model, "state_dict") and hasattr(model, "named_children")
        is_lenet_state = hasattr(model, "keys") and "conv1.weight" in model.keys()
        if not (is_torch or is_lenet_state):
            raise TypeError(f"model must be a Perceptron, an MLP, a LeNet5, a NetworkClassifier, a Sequential or a "
                            f"PyTorch network, got {type(model).__name__}")
        from ..ann.torch_io import sequential_from_torch
        model = sequential_from_torch(model)
    if not model.built:
        if input_shape is None:
            input_shape = _guess_input_shape(model, calibration_X)
        model = model.copy().build(input_shape)
    return model, None


def _guess_input_shape(net, X):
    """The per-sample input shape of an unbuilt Sequential from its first layer and calibration samples."""
    first = next((layer for layer in net if not isinstance(layer, (ReLU, Flatten))), None)
    if isinstance(first, Dense) and first.in_features is not None:
        return (first.in_features,)
    if X is None:
        raise ValueError("the network is not built: give input_shape (the shape of one sample)")
    X = np.asarray(X)
    if X.ndim == 4:
        return X.shape[1:]
    if isinstance(first, Conv2d):
        C = first.in_channels or 1
        if X.ndim == 3 and C == 1:
            return (1,) + X.shape[1:]
        side = int(round(np.sqrt(X[0].size / C)))
        if C * side * side == X[0].size:
            return (C, side, side)
    raise ValueError(f"cannot tell the input shape from samples of shape {X.shape[1:]}: give input_shape")


def ann_to_snn(model, calibration_X=None, normalisation="data", percentile=99.9, input="constant",
               reset="subtract", batch_size=None, seed=0, pooling="max", backend="cpu", input_shape=None):
    """Convert a trained network to a :class:`SpikingClassifier` (see the module doc).

    ``model``: a fitted Perceptron, MLP, LeNet5 or NetworkClassifier, a built
    :class:`~spikesim.ann.layers.Sequential` (or an unbuilt one with
    ``input_shape``), a PyTorch ``torch.nn.Sequential`` of Linear, Conv2d,
    MaxPool2d, AvgPool2d, Flatten and ReLU modules, or the lecture's PyTorch
    ``LeNet`` (module or state_dict).  ``calibration_X``: training samples
    for the data-based normalisation, in the form ``model.predict`` takes.
    """
    net, prepare = as_sequential(model, input_shape, calibration_X)
    classes = getattr(model, "classes_", None)
    calib = None
    if calibration_X is not None:
        if prepare is not None:
            try:
                calib = prepare(calibration_X)
            except ValueError as exc:
                raise ValueError(f"calibration_X: {exc}") from None
        else:
            calib = np.asarray(calibration_X, dtype=np.float64)
            if int(np.prod(calib.shape[1:])) != int(np.prod(net.input_shape)):
                raise ValueError(f"calibration_X must have samples of {int(np.prod(net.input_shape))} values "
                                 f"(shape {net.input_shape}), got shape {calib.shape}")
            calib = calib.reshape((len(calib),) + net.input_shape)
    scaled, lambdas = normalise(net, calib, normalisation, percentile)
    return SpikingClassifier(scaled, lambdas, input=input, reset=reset, pooling=pooling, batch_size=batch_size,
                             seed=seed, backend=backend, prepare=prepare, classes=classes)


# ---------------------------------------------------------------- dense helpers (lists of (W, b))
def dense_layers(model):
    """[(W, b), ...] with W of shape (n_in, n_out) for a Perceptron or an MLP of Dense and ReLU layers."""
    from ..ann.mlp import MLP
    from ..ann.perceptron import Perceptron
    if not isinstance(model, (Perceptron, MLP)):
        raise TypeError(f"model must be a Perceptron or an MLP, got {type(model).__name__}")
    net, _ = as_sequential(model)
    plan_stages(net)
    return [(layer.weight.T.copy(), layer.bias.copy()) for layer in net if isinstance(layer, Dense)]


def normalise_layers(layers, calibration_X=None, normalisation="data", percentile=99.9):
    """Rescaled dense layers [(W, b), ...] (W of shape (n_in, n_out)) and their scales lambda_1..L."""
    net = _dense_stack(layers)
    if calibration_X is not None:
        calibration_X = np.asarray(calibration_X, dtype=float).reshape(len(calibration_X), -1)
        if calibration_X.shape[1] != net.input_shape[0]:
            raise ValueError(f"calibration_X must have {net.input_shape[0]} features per sample, "
                             f"got {calibration_X.shape[1]}")
    scaled, lambdas = normalise(net, calibration_X, normalisation, percentile)
    return [(layer.weight.T.copy(), layer.bias.copy()) for layer in scaled if isinstance(layer, Dense)], lambdas
