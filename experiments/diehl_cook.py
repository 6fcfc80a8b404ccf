"""Diehl & Cook (2015): unsupervised digit learning with STDP, adaptive thresholds and lateral inhibition.

Diehl PU, Cook M (2015) Unsupervised learning of digit recognition using
spike-timing-dependent plasticity. Front Comput Neurosci 9:99.

784 Poisson inputs (rate = pixel intensity / 4 Hz, pixels 0..255) project
all-to-all onto ``n`` excitatory conductance-based LIF neurons (tau_m 100 ms,
rest and reset -65 mV, threshold -52 mV + theta, refractory 5 ms, synaptic
time constants 1 ms / 2 ms, reversal 0 / -100 mV) whose thresholds rise by
theta_plus = 0.05 mV per spike (decay time 1e4 s).  Each excitatory neuron
drives one inhibitory neuron (weight 10.4; tau_m 10 ms, rest -60 mV, reset
-45 mV, threshold -40 mV, refractory 2 ms), which inhibits every other
excitatory neuron (weight 17).  Input synapses follow the paper's STDP rule
(a pre spike depresses by nu_pre x post trace (20 ms); a post spike
potentiates by nu_post x pre trace (20 ms) x second post trace (40 ms) before
the spike; traces reset to 1 at each spike; nu_pre = 1e-4, nu_post = 1e-2,
weights in [0, 1]) = ``TripletSTDP`` with A2_plus = A3_minus = 0, and the
incoming weights of each excitatory neuron are normalised to sum 78 at the
start of every presentation.  Each image is shown for 350 ms, followed by
150 ms without input; if the excitatory layer fires fewer than 5 spikes the
image is shown again with the input rates raised by pixel / 8 Hz.
dt = 0.5 ms as in the paper's code, exponential Euler (forward Euler blows up under the
large inhibitory conductances: dt (1 + g_i) / tau_m reaches far beyond 2).

Evaluation (weights and thresholds frozen): each excitatory neuron is labelled
with the class for which it fired most on the training images, and a test
image is classified by the class whose neurons fired most on average (the
paper's scheme); and through the bridge: a softmax readout trained on the
training images' spike-count vectors (``spikesim.ann.MLP(hidden=())``), and
another on the dense layer that ``spikesim.bridges.snn_to_ann`` makes of the
learned synapses.  Figure: the learned receptive fields.

    spikesim run diehl_cook --data ../shared/data/mnist [--n 400] [--epochs 1] [--n-train 8000]
    spikesim run diehl_cook --data ../shared/data/mnist --weights out/diehl_cook_400/weights.npz   # evaluate only
"""
from __future__ import annotations

import json
import pathlib
import time

import numpy as np

from spikesim import Network, NeuronGroup, PoissonGroup, Presentation, Synapses
from spikesim._validate import check_int
from spikesim.argtypes import ArgumentParser, existing_dir, existing_file, output_dir, positive_int
from spikesim.argtypes import seed as seed_type
from spikesim.plasticity import TripletSTDP
from spikesim.plasticity.homeostasis import AdaptiveThreshold, Normalization
from spikesim.units import ms, mV

DT = 0.5 * ms
T_SHOW, T_REST = 350 * ms, 150 * ms
W_TOTAL = 78.0
E_PARAMS = dict(El=-65 * mV, v_reset=-65 * mV, v_th=-52 * mV, Ee=0.0, Ei=-100 * mV, gl=1.0, Cm=100 * ms,
                tau_e=1 * ms, tau_i=2 * ms, refractory=5 * ms)
I_PARAMS = dict(El=-60 * mV, v_reset=-45 * mV, v_th=-40 * mV, Ee=0.0, Ei=-85 * mV, gl=1.0, Cm=10 * ms,
                tau_e=1 * ms, tau_i=2 * ms, refractory=2 * ms)
RULE = dict(A2_plus=0.0, A3_plus=1e-2, A2_minus=1e-4, A3_minus=0.0, tau_plus=20 * ms, tau_minus=20 * ms,
            tau_x=20 * ms, tau_y=40 * ms, pairing="nearest", w_min=0.0, w_max=1.0)


def build(n_e=400, images=None, order=None, batch=1, learn=True, weights=None, theta=None, seed=0,
          backend="cpu"):
    """The network for ``batch`` independent copies (batch > 1 only with learn=False), showing ``images``.

    ``images`` (optional): (n, 784) in [0, 1], shown in ``order`` (default: each once) by a
    :class:`~spikesim.Presentation`: 350 ms at rates pixel/8 Hz x 2, 150 ms of rest, the
    showing repeated with the rates raised by pixel/8 Hz while the excitatory layer fires fewer
    than 5 spikes (up to pixel/8 Hz x 16); with learning the input weights are normalised at the
    start of every showing.  Returns (net, parts) with parts: inputs, E, I, S (input synapses),
    P (the presentation, or None without images), n_e, batch, backend.
    """
    if batch > 1 and learn:
        raise ValueError("learning runs one copy of the network (batch=1)")
    rng = np.random.default_rng(seed)
    inputs = PoissonGroup(784 * batch, rates=0.0, name="inputs")
    adapt = AdaptiveThreshold(theta_plus=0.05 * mV if learn else 0.0, tau_theta=1e4)
    E = NeuronGroup(n_e * batch, "lif_coba", method="exponential_euler", adaptive_threshold=adapt, v=-105 * mV,
                    name="E", **E_PARAMS)
    I = NeuronGroup(n_e * batch, "lif_coba", method="exponential_euler", v=-100 * mV, name="I", **I_PARAMS)
    if weights is None:
        weights = rng.random((784, n_e)) * 0.3
    off = np.arange(batch)[:, None, None]
    ii = (np.arange(784)[None, :, None] + 784 * off + np.zeros((1, 1, n_e), int)).ravel()
    jj = (np.arange(n_e)[None, None, :] + n_e * off + np.zeros((1, 784, 1), int)).ravel()
    S = Synapses(inputs, E, "ge", weight=np.tile(weights.ravel(), batch),
                 plasticity=TripletSTDP(**RULE) if learn else None, name="input_E").connect(i=ii, j=jj)
    EI = Synapses(E, I, "ge", weight=10.4, name="E_I").connect(one_to_one=True)
    pre, post = np.meshgrid(np.arange(n_e), np.arange(n_e), indexing="ij")
    keep = pre != post
    pi = (pre[keep][None, :] + n_e * np.arange(batch)[:, None]).ravel()
    pj = (post[keep][None, :] + n_e * np.arange(batch)[:, None]).ravel()
    IE = Synapses(I, E, "gi", weight=17.0, name="I_E").connect(i=pi, j=pj)
    extra, P = [], None
    if images is not None:
        norm = [Normalization(S, W_TOTAL, name="normalise")] if learn else []
        P = Presentation(inputs, np.clip(images, 0, 1) * 255.0 / 8.0, T_SHOW, T_REST, order=order, blocks=batch,
                         counted=E, min_spikes=5, gain=2.0, gain_step=1.0, max_gain=16.0, before_show=norm,
                         name="digits")
        extra = norm + [P]
    net = Network(inputs, E, I, S, EI, IE, *extra, dt=DT, seed=seed)
    net.build()
    if theta is not None:
        E.theta[:] = np.tile(theta, batch)
    return net, dict(inputs=inputs, E=E, I=I, S=S, P=P, n_e=n_e, batch=batch, backend=backend)


def train(X, n_e=400, epochs=1, seed=0, progress=True, backend="cpu"):
    """Unsupervised training on images X (n, 784) in [0, 1]: (weights (784, n_e), theta (n_e,)).

    Every epoch shows the images in a new random order; all epochs are one run.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    if np.ndim(X) != 2 or len(X) == 0:
        raise ValueError(f"X must hold at least one image, as an array of shape (n, 784), got shape {np.shape(X)}")
    order = np.concatenate([np.random.default_rng(seed + e).permutation(len(X)) for e in range(epochs)])
    net, parts = build(n_e, images=X, order=order, learn=True, seed=seed, backend=backend)
    P = parts["P"]
    net.run(P.max_duration, backend=backend, progress=progress)
    if not P.done:      # pragma: no cover - max_duration bounds every repetition
        raise RuntimeError("the presentation did not finish")
    return parts["S"].w.reshape(784, n_e).copy(), parts["E"].theta.copy()


def responses(weights, theta, X, batch=None, seed=0, progress=True, backend="cpu"):
    """Spike counts (n, n_e) of the frozen network for each image of X (``batch`` copies of the network
    see ``batch`` images at once; default one on the cpu, where a round waits for its slowest image,
    50 on cuda)."""
    n_e = weights.shape[1]
    if batch is None:
        batch = 50 if backend == "cuda" else 1
    batch = max(1, min(batch, len(X)))
    net, parts = build(n_e, images=X, batch=batch, learn=False, weights=weights, theta=theta, seed=seed,
                       backend=backend)
    P = parts["P"]
    net.run(P.max_duration, backend=backend, progress=progress)
    return P.counts.copy()


def assign_labels(counts, y, n_classes=10):
    """Each neuron's class: the one with the highest mean response (the paper's labelling)."""
    rates = np.stack([counts[y == c].mean(axis=0) if np.any(y == c) else np.zeros(counts.shape[1])
                      for c in range(n_classes)])
    return np.argmax(rates, axis=0)


def predict_by_labels(counts, labels, n_classes=10):
    """Class whose assigned neurons fired most on average."""
    scores = np.full((len(counts), n_classes), -1.0)
    for c in range(n_classes):
        m = labels == c
        if m.any():
            scores[:, c] = counts[:, m].mean(axis=1)
    return np.argmax(scores, axis=1)


def readout_accuracy(F_train, y_train, F_test, y_test, seed=0):
    """Softmax readout (an MLP without hidden layers) trained on features; test accuracy."""
    from spikesim.ann import MLP
    mu, sd = F_train.mean(axis=0), F_train.std(axis=0) + 1e-9
    clf = MLP(hidden=(), epochs=60, lr=3e-3, l2=1e-4, validation_fraction=0.0, random_state=seed)
    clf.fit((F_train - mu) / sd, y_train)
    return float(np.mean(clf.predict((F_test - mu) / sd) == y_test))


def load_weights(path, n_e):
    """(weights (784, n_e), theta (n_e,)) from a run's weights.npz; ValueError naming what is wrong."""
    with np.load(path) as z:
        missing = [k for k in ("weights", "theta") if k not in z.files]
        if missing:
            raise ValueError(f"{path}: no array {missing[0]!r} (a Diehl & Cook weights.npz holds weights and theta)")
        W, theta = z["weights"], z["theta"]
    if W.shape != (784, n_e) or theta.shape != (n_e,):
        raise ValueError(f"{path}: weights {W.shape} and theta {theta.shape} do not fit --n {n_e} "
                         f"(expected (784, {n_e}) and ({n_e},))")
    return W, theta


def receptive_field_figure(weights, path, labels=None):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from spikesim.plot import lecture_style, savefig
    n = weights.shape[1]
    side = int(np.ceil(np.sqrt(n)))
    grid = np.full((side * 28, side * 28), np.nan)
    for k in range(n):
        r, c = divmod(k, side)
        grid[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28] = weights[:, k].reshape(28, 28)
    with lecture_style():
        fig = Figure(figsize=(8, 8))
        ax = fig.subplots()
        im = ax.imshow(grid, cmap="hot_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"Learned receptive fields ({n} excitatory neurons)")
        fig.colorbar(im, ax=ax, shrink=0.7, label="weight")
        savefig(fig, path)


def class_mean_correlation(weights, X, y):
    """Per neuron, the largest correlation of its receptive field with a class-mean image; their mean."""
    means = np.stack([X[y == c].mean(axis=0) for c in range(10)])
    W = weights - weights.mean(axis=0)
    Mc = means - means.mean(axis=1, keepdims=True)
    corr = (Mc @ W) / (np.linalg.norm(Mc, axis=1)[:, None] * np.linalg.norm(W, axis=0)[None, :] + 1e-12)
    return float(corr.max(axis=0).mean())


def main(argv=None):
    ap = ArgumentParser(prog="spikesim run diehl_cook", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=existing_dir, required=True,
                    help="MNIST folder (IDX files + holdout-indices.txt)")
    ap.add_argument("--n", type=positive_int, default=400, help="excitatory neurons (default 400)")
    ap.add_argument("--epochs", type=positive_int, default=1)
    ap.add_argument("--n-train", type=positive_int, default=None, help="use the first N training images")
    ap.add_argument("--n-test", type=positive_int, default=None, help="use the first N held-out images")
    ap.add_argument("--seed", type=seed_type, default=0)
    ap.add_argument("--out", type=output_dir, default=None)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--backend", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--weights", type=existing_file, default=None,
                    help="skip training: evaluate the weights.npz (weights, theta) of an earlier run")
    args = ap.parse_args(argv)
    from spikesim.bridges import snn_to_ann
    from spikesim.data.mnist import load_protocol
    Xtr, ytr, Xte, yte = load_protocol(args.data)
    Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    for flag, wanted, have in (("--n-train", args.n_train, len(Xtr)), ("--n-test", args.n_test, len(Xte))):
        if wanted is not None and wanted > have:
            ap.error(f"argument {flag}: the protocol has {have} images, got {wanted}")
    if args.n_train:
        Xtr, ytr = Xtr[:args.n_train], ytr[:args.n_train]
    if args.n_test:
        Xte, yte = Xte[:args.n_test], yte[:args.n_test]
    out = args.out or pathlib.Path("out") / f"diehl_cook_{args.n}"
    out.mkdir(parents=True, exist_ok=True)
    prog = not args.quiet
    t0 = time.perf_counter()
    if args.weights is None:
        W, theta = train(Xtr, args.n, args.epochs, args.seed, prog, backend=args.backend)
        t_train = time.perf_counter() - t0
        np.savez(out / "weights.npz", weights=W, theta=theta)
    else:
        W, theta, t_train = *load_weights(args.weights, args.n), None
    t0 = time.perf_counter()
    c_train = responses(W, theta, Xtr, seed=args.seed, progress=prog, backend=args.backend)
    c_test = responses(W, theta, Xte, seed=args.seed + 1, progress=prog, backend=args.backend)
    t_eval = time.perf_counter() - t0
    labels = assign_labels(c_train, ytr)
    acc_labels = float(np.mean(predict_by_labels(c_test, labels) == yte))
    acc_counts = readout_accuracy(c_train.astype(float), ytr, c_test.astype(float), yte, args.seed)
    # the bridge: learned synapses -> dense layer -> softmax readout.  No bias: the thresholds are in volts
    # while the layer's input is in pixel units, so they carry no meaning here.
    net, parts = build(args.n, learn=False, weights=W, theta=theta)
    Wd, _ = snn_to_ann(parts["S"], bias="none")
    acc_dense = readout_accuracy(Xtr @ Wd, ytr, Xte @ Wd, yte, args.seed)
    corr = class_mean_correlation(W, Xtr, ytr)
    receptive_field_figure(W, out / "receptive_fields.png")
    summary = dict(experiment="diehl_cook", n_excitatory=args.n, epochs=args.epochs, n_train=int(len(Xtr)),
                   n_test=int(len(Xte)), accuracy_labelling=acc_labels, accuracy_readout_spike_counts=acc_counts,
                   accuracy_readout_dense_layer=acc_dense, mean_receptive_field_class_correlation=corr,
                   mean_test_spikes_per_image=float(c_test.sum(axis=1).mean()), train_wall_s=t_train,
                   eval_wall_s=t_eval, seed=args.seed, dt_s=DT)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if not args.quiet:
        trained = f"{t_train:.0f} s" if t_train is not None else f"weights from {args.weights}"
        print(f"Diehl & Cook, {args.n} neurons, {len(Xtr)} training images x {args.epochs} epoch(s) "
              f"({trained}): labelling {100 * acc_labels:.2f} %, readout on spike counts "
              f"{100 * acc_counts:.2f} %, readout on the snn_to_ann dense layer {100 * acc_dense:.2f} % "
              f"({len(Xte)} held-out images); receptive fields vs class means r = {corr:.2f}. Wrote {out}/.")
    return summary


if __name__ == "__main__":
    main()
