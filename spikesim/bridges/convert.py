"""``spikesim convert MODEL.npz --data DIR --timesteps 10,20,50,100,200 [--out DIR]``.

Loads a trained Perceptron, MLP, LeNet5 or NetworkClassifier (files written
by ``spikesim train`` or the estimators' ``save``), converts it with data-based normalisation on the training split,
simulates the 2,000 held-out images and writes ``summary.json``
(``ann_accuracy``, ``snn_accuracy`` per number of timesteps, ``images_per_s``
for the longest simulation), ``accuracy_vs_timesteps.png`` and, for networks with more than one stage,
``layer_raster.png`` (every stage's spikes for one digit).
"""
from __future__ import annotations

import json
import pathlib
import time

import numpy as np

from ..argtypes import (ArgumentParser, existing_dir, existing_file, int_list, output_dir, percentage,
                        positive_int)


def load_any_model(path: str | pathlib.Path):
    """The model saved in ``path`` (Perceptron, MLP, LeNet5 or NetworkClassifier).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    Perceptron, MLP, LeNet5 or NetworkClassifier

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is damaged or not a spikesim model (the message names the file).
    """
    from ..ann.io import load_model
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such model file")
    return load_model(path)


def main(argv=None):
    ap = ArgumentParser(prog="spikesim convert", description=__doc__.splitlines()[0])
    ap.add_argument("model", type=existing_file, help="a model file written by 'spikesim train' or .save()")
    ap.add_argument("--data", type=existing_dir, required=True,
                    help="MNIST folder (IDX files + holdout-indices.txt)")
    ap.add_argument("--timesteps", type=int_list, default=[10, 20, 50, 100, 200],
                    help="numbers of steps, comma-separated (default 10,20,50,100,200)")
    ap.add_argument("--out", type=output_dir, default=None)
    ap.add_argument("--normalisation", choices=["data", "model"], default="data")
    ap.add_argument("--percentile", type=percentage, default=99.9, help="in (0, 100] (default 99.9)")
    ap.add_argument("--calibration", type=positive_int, default=1000, help="training images used to normalise")
    ap.add_argument("--pooling", choices=["max", "average"], default="max")
    ap.add_argument("--reset", choices=["subtract", "zero"], default="subtract")
    ap.add_argument("--n", type=positive_int, default=None, help="only the first N held-out images")
    ap.add_argument("--batch-size", type=positive_int, default=None)
    ap.add_argument("--backend", choices=["cpu", "cuda"], default="cpu")
    args = ap.parse_args(argv)
    ts = args.timesteps
    from ..data.mnist import load_protocol
    from .ann_to_snn import ann_to_snn
    model = load_any_model(args.model)
    Xtr, ytr, Xte, yte = load_protocol(args.data)
    if args.n is not None:
        if args.n > len(Xte):
            ap.error(f"argument --n: the protocol has {len(Xte)} held-out images, got {args.n}")
        Xte, yte = Xte[:args.n], yte[:args.n]
    out = args.out or pathlib.Path("out") / f"convert_{args.model.stem}"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    calib = Xtr[rng.choice(len(Xtr), size=min(args.calibration, len(Xtr)), replace=False)]
    snn = ann_to_snn(model, calib.reshape(len(calib), -1), normalisation=args.normalisation,
                     percentile=args.percentile, reset=args.reset, batch_size=args.batch_size,
                     pooling=args.pooling, backend=args.backend)
    ann_acc = float(np.mean(model.predict(Xte.reshape(len(Xte), -1)) == yte))
    print(f"ANN ({type(model).__name__}) accuracy on {len(Xte)} held-out images: {100 * ann_acc:.2f} %", flush=True)
    snn.progress = True
    t0 = time.perf_counter()
    curve = snn.accuracy_curve(Xte.reshape(len(Xte), -1), yte, timesteps=ts)
    wall = time.perf_counter() - t0
    for t in ts:
        print(f"SNN after {t:4d} steps: {100 * curve[t]:.2f} % ({100 * (curve[t] - ann_acc):+.2f} points)")
    summary = dict(model=str(args.model), model_class=type(model).__name__, n_images=int(len(Xte)),
                   ann_accuracy=ann_acc, snn_accuracy={str(t): curve[t] for t in ts},
                   images_per_s=len(Xte) / wall, images_per_s_timesteps=ts[-1], wall_s=wall,
                   normalisation=args.normalisation, percentile=args.percentile, pooling=args.pooling,
                   reset=args.reset, backend=args.backend, lambdas=[float(x) for x in snn.lambdas])
    print(f"{summary['images_per_s']:.1f} images/s at {ts[-1]} steps (network building included)")
    _figures(out, snn, model, Xte, yte, curve, ann_acc, ts)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {out}/summary.json")
    return summary


def _figures(out, snn, model, Xte, yte, curve, ann_acc, ts):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ..plot.style import lecture_style
    with lecture_style():
        _draw(plt, out, snn, model, Xte, yte, curve, ann_acc, ts)


def _draw(plt, out, snn, model, Xte, yte, curve, ann_acc, ts):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(ts, [100 * curve[t] for t in ts], "o-", label="converted SNN")
    ax.axhline(100 * ann_acc, color="k", ls="--", label=f"ANN ({100 * ann_acc:.2f} %)")
    ax.set_xscale("log")
    ax.set_xlabel("timesteps")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"{type(model).__name__} converted to spikes")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "accuracy_vs_timesteps.png", dpi=150)
    plt.close(fig)
    if len(snn.stages) > 1:
        layers = snn.layer_spikes(Xte[0], timesteps=min(100, ts[-1]))
        fig, axes = plt.subplots(len(layers), 1, figsize=(6, 1.2 * len(layers) + 1), sharex=True)
        for ax, (name, n, i, st) in zip(axes, layers):
            ax.plot(st, i, "|", ms=2, color="k")
            ax.set_ylabel(f"{name}\n({n})", fontsize=7)
            ax.set_ylim(-0.5, n - 0.5)
            ax.set_yticks([])
        axes[-1].set_xlabel("step")
        axes[0].set_title(f"Converted {type(model).__name__}, one test digit (label {int(yte[0])})")
        fig.tight_layout()
        fig.savefig(out / "layer_raster.png", dpi=150)
        plt.close(fig)
