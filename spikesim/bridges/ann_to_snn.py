"""ANN -> SNN conversion by rate coding, for fully connected models (Perceptron, ReLU MLP).

Each ReLU unit becomes a non-leaky integrate-and-fire neuron with threshold 1
(``if_subtract``: reset by subtraction, or ``if``: reset to zero) whose
firing rate approximates the unit's activation (Cao et al. 2015; Diehl et
al. 2015; Rueckauer et al. 2017).  Weights are rescaled layer by layer so
that rates stay below one spike per step:

* ``normalisation="data"``: lambda_l is the ``percentile`` (99.9) of layer l's
  positive activations on calibration data (training split only);
* ``normalisation="model"``: lambda_l is the largest possible input of layer l,
  sum of positive weights times lambda_{l-1} plus the positive bias;

and ``W_l <- W_l * lambda_{l-1} / lambda_l``, ``b_l <- b_l / lambda_l``
(lambda_0 = 1 for inputs in [0, 1]).  Biases enter as a constant input per
step.  The first layer is driven either by the constant (analog) input
``W_1 x + b_1`` per step, or by Poisson spike trains with one spike per
step at intensity 1.

The spiking network runs on spikesim's engine; many images are simulated
at once as independent copies of the network in one Network.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ..ann.mlp import MLP
from ..ann.perceptron import Perceptron
from ..model.network import Network
from ..model.neurons import NeuronGroup
from ..model.synapses import Synapses
from ..monitors.spikes import SpikeMonitor
from ..monitors.state import StateMonitor


def dense_layers(model):
    """[(W, b), ...] with W of shape (n_in, n_out) for a Perceptron or a ReLU MLP."""
    if isinstance(model, Perceptron):
        coef = model.coef_
        return [(coef[:, :-1].T.copy(), coef[:, -1].copy())]
    if isinstance(model, MLP):
        if model.activation != "relu" and len(model.weights_) > 1:
            raise ValueError(f"only ReLU hidden layers convert to rate-coded IF neurons, got {model.activation!r}")
        return [(W.copy(), b.copy()) for W, b in zip(model.weights_, model.biases_)]
    raise TypeError(f"model must be a Perceptron, an MLP or a LeNet5, got {type(model).__name__}")


def normalise_layers(layers, calibration_X=None, normalisation="data", percentile=99.9):
    """Rescaled layers and the scale factors lambda_1..L (see module doc)."""
    if normalisation not in ("data", "model"):
        raise ValueError(f"normalisation must be 'data' or 'model', got {normalisation!r}")
    percentile = check_float("percentile", percentile, lo=0.0, hi=100.0)
    if normalisation == "data":
        if calibration_X is None:
            raise ValueError("data-based normalisation needs calibration_X")
        a = np.asarray(calibration_X, dtype=float).reshape(len(calibration_X), -1)
        if a.shape[1] != layers[0][0].shape[0]:
            raise ValueError(f"calibration_X must have {layers[0][0].shape[0]} features per sample, got {a.shape[1]}")
    lambdas, out, prev = [], [], 1.0
    for W, b in layers:
        if normalisation == "data":
            a = np.maximum(a @ W + b, 0.0)
            pos = a[a > 0]
            lam = float(np.percentile(pos, percentile)) if pos.size else 1.0
        else:
            lam = float(np.max(np.maximum(W, 0).sum(axis=0) * prev + np.maximum(b, 0)))
            lam = lam if lam > 0 else 1.0
        out.append((W * prev / lam, b / lam))
        lambdas.append(lam)
        prev = lam
    return out, np.array(lambdas)


class SpikingClassifier:
    """A converted network: ``predict(X, timesteps)`` classifies by the most output spikes.

    Ties (e.g. no output spike) are broken by the output membrane potential.
    """

    def __init__(self, layers, lambdas, input="constant", reset="subtract", batch_size=500, seed=0, backend="cpu"):
        if input not in ("constant", "poisson"):
            raise ValueError(f"input must be 'constant' or 'poisson', got {input!r}")
        if reset not in ("subtract", "zero"):
            raise ValueError(f"reset must be 'subtract' or 'zero', got {reset!r}")
        self.layers, self.lambdas = layers, lambdas
        self.input, self.reset = input, reset
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.seed = seed
        self.progress = False       # a progress bar over batches (set by ``spikesim convert``)
        if backend not in ("cpu", "reference", "cuda"):
            raise ValueError(f"backend must be 'cpu', 'reference' or 'cuda', got {backend!r}")
        self.backend = backend      # engine backend the spiking network runs on

    def _network(self, X):
        """The spiking network for a batch of images: every layer holds ``len(X)`` copies."""
        from ..model.inputs import PoissonGroup
        B = len(X)
        model = "if_subtract" if self.reset == "subtract" else "if"
        groups, objs = [], []
        W1, b1 = self.layers[0]
        first_I = np.tile(b1, B)
        pre = None
        if self.input == "constant":
            first_I = first_I + (X @ W1).ravel()
        else:
            # rate x/dt: at intensity 1 a spike every step, so the mean input per step is W x
            pre = PoissonGroup(B * X.shape[1], rates=np.clip(X, 0, 1).ravel() / 1e-4, name="input")
            objs.append(pre)
        for k, (W, b) in enumerate(self.layers):
            n_out = W.shape[1]
            I = first_I if k == 0 else np.tile(b, B)
            G = NeuronGroup(B * n_out, model, I=I, v_th=1.0, v_reset=0.0, name=f"layer{k + 1}")
            objs.append(G)
            if pre is not None:
                n_in = W.shape[0]
                i = (np.arange(B)[:, None, None] * n_in + np.arange(n_in)[None, :, None]).repeat(n_out, axis=2)
                j = (np.arange(B)[:, None, None] * n_out + np.arange(n_out)[None, None, :]).repeat(n_in, axis=1)
                S = Synapses(pre, G, "v", weight=np.tile(W.ravel(), B)).connect(i=i.ravel(), j=j.ravel())
                objs.append(S)
            groups.append(G)
            pre = G
        out = groups[-1]
        M = SpikeMonitor(out)
        V = StateMonitor(out, "v")
        objs += [M, V]
        return Network(*objs, dt=1e-4, seed=self.seed), out, M, V

    def _scores(self, X, timesteps):
        """Spike counts and potentials of the output layer after each of ``timesteps`` steps."""
        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        T = max(timesteps)
        counts = {t: [] for t in timesteps}
        pots = {t: [] for t in timesteps}
        n_cls = self.layers[-1][0].shape[1]
        starts = range(0, len(X), self.batch_size)
        if self.progress:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="batches", unit="batch")
        for s in starts:
            xb = X[s:s + self.batch_size]
            net, out, M, V = self._network(xb)
            net.run(T * net.dt, backend=self.backend, progress=False)
            v_all = np.concatenate([V.v, out.v[:, None]], axis=1)   # v after 0..T steps
            for t in timesteps:
                c = np.bincount(M.i[M.step < t], minlength=out.N)
                counts[t].append(c.reshape(len(xb), n_cls))
                pots[t].append(v_all[:, t].reshape(len(xb), n_cls))
        return {t: np.concatenate(counts[t]) for t in timesteps}, {t: np.concatenate(pots[t]) for t in timesteps}

    @staticmethod
    def _decide(counts, pots):
        best = counts.max(axis=1, keepdims=True)
        return np.argmax(np.where(counts == best, pots, -np.inf), axis=1)

    def predict(self, X, timesteps=100):
        """Class of each sample: most output spikes in ``timesteps`` steps (ties: highest potential)."""
        timesteps = check_int("timesteps", timesteps, minimum=1)
        c, v = self._scores(X, [timesteps])
        return self._decide(c[timesteps], v[timesteps])

    def accuracy_curve(self, X, y, timesteps=(10, 20, 50, 100, 200)):
        """Accuracy after each number of steps in ``timesteps`` (one simulation per batch)."""
        ts = [check_int("timesteps", t, minimum=1) for t in timesteps]
        c, v = self._scores(X, ts)
        y = np.asarray(y)
        return {t: float(np.mean(self._decide(c[t], v[t]) == y)) for t in ts}


def ann_to_snn(model, calibration_X=None, normalisation="data", percentile=99.9, input="constant",
               reset="subtract", batch_size=None, seed=0, pooling="max", backend="cpu"):
    """Convert a trained Perceptron, ReLU MLP or LeNet5 to a spiking classifier (see module doc).

    LeNet5 goes through :func:`spikesim.bridges.conv_snn.lenet5_to_snn` (``pooling`` "max" or
    "average"; batch of 50 images by default, 500 for the dense models).
    """
    from ..ann.lenet5 import LeNet5
    if isinstance(model, LeNet5) or hasattr(model, "state_dict") or (hasattr(model, "keys") and
                                                                      "conv1.weight" in model.keys()):
        from .conv_snn import lenet5_to_snn
        return lenet5_to_snn(model, calibration_X, normalisation, percentile, pooling=pooling, input=input,
                             reset=reset, batch_size=batch_size or 50, seed=seed, backend=backend)
    batch_size = batch_size or 500
    layers, lambdas = normalise_layers(dense_layers(model), calibration_X, normalisation, percentile)
    return SpikingClassifier(layers, lambdas, input=input, reset=reset, batch_size=batch_size, seed=seed,
                             backend=backend)
