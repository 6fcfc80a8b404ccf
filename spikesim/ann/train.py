"""``spikesim train MODEL``: train an artificial model on the MNIST protocol and report.

Writes ``summary.json`` (test_accuracy, train_accuracy, epochs, wall_s, ...),
the model (``model.npz``), ``learning_curve.png`` and ``confusion.png``.
"""
from __future__ import annotations

import json
import pathlib
import time

import numpy as np

from .._validate import check_int
from ..argtypes import ArgumentParser, existing_dir, output_dir, positive_int
from ..argtypes import seed as seed_type
from ..data.mnist import load_protocol
from .lenet5 import LeNet5
from .mlp import MLP
from .perceptron import Perceptron

DEFAULT_EPOCHS = {"perceptron": 10, "mlp": 25, "lenet5": 25}


def confusion_matrix(y_true, y_pred, k=10):
    """Counts of (true class, predicted class), shape (k, k)."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return m


def train(model_name, data_dir, epochs=None, seed=0, progress=True, **options):
    """Train ``model_name`` on the 8,000 training images; return (model, summary dict, curves)."""
    if model_name not in DEFAULT_EPOCHS:
        raise ValueError(f"model_name must be one of {sorted(DEFAULT_EPOCHS)}, got {model_name!r}")
    epochs = DEFAULT_EPOCHS[model_name] if epochs is None else check_int("epochs", epochs, minimum=1)
    Xtr, ytr, Xte, yte = load_protocol(data_dir)
    t0 = time.perf_counter()
    curves = {}
    if model_name == "perceptron":
        model = Perceptron(max_epochs=epochs, averaged=options.get("averaged", True), random_state=seed)
        Xf = Xtr.reshape(len(Xtr), -1)
        it = range(epochs)
        if progress:
            from tqdm.auto import tqdm
            it = tqdm(it, desc="perceptron", unit="epoch")
        curves["train_accuracy"], curves["mistakes"] = [], []
        for _ in it:
            model.partial_fit(Xf, ytr, classes=np.arange(10))
            curves["mistakes"].append(model.mistakes_per_epoch_[-1])
            curves["train_accuracy"].append(model.score(Xf, ytr))
    elif model_name == "mlp":
        model = MLP(hidden=tuple(options.get("hidden", (300,))), epochs=epochs, lr=options.get("lr", 1e-3),
                    l2=options.get("l2", 1e-4), batch_size=options.get("batch_size", 64),
                    augment_shift=options.get("augment_shift", 2), lr_decay=options.get("lr_decay", 1.0),
                    validation_fraction=options.get("validation_fraction", 0.0), random_state=seed,
                    progress=progress).fit(Xtr, ytr)
        curves = {k: v for k, v in model.history_.items() if v and k != "epoch_seconds"}
    elif model_name == "lenet5":
        model = LeNet5(epochs=epochs, lr=options.get("lr", 1e-3), batch_size=options.get("batch_size", 64),
                       augment_shift=options.get("augment_shift", 2), lr_decay=options.get("lr_decay", 1.0),
                       random_state=seed, progress=progress).fit(Xtr, ytr)
        curves = {k: v for k, v in model.history_.items() if v and k != "epoch_seconds"}
    else:
        raise ValueError(f"model must be 'perceptron', 'mlp' or 'lenet5', got {model_name!r}")
    wall = time.perf_counter() - t0
    pred = model.predict(Xte.reshape(len(Xte), -1) if model_name != "lenet5" else Xte)
    train_acc = model.score(Xtr.reshape(len(Xtr), -1) if model_name != "lenet5" else Xtr, ytr)
    summary = dict(model=model_name, test_accuracy=float(np.mean(pred == yte)), train_accuracy=float(train_acc),
                   epochs=int(len(next(iter(curves.values()))) if curves else epochs), wall_s=float(wall),
                   seed=seed, n_train=int(len(ytr)), n_test=int(len(yte)),
                   protocol="8,000 training / 2,000 held-out images of the MNIST test split")
    if model_name == "lenet5":
        summary["epoch_seconds"] = model.history_["epoch_seconds"]
    return model, summary, curves, confusion_matrix(yte, pred)


def _figures(out, name, curves, confusion):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from ..plot.style import lecture_style, savefig
    with lecture_style():
        fig = Figure(figsize=(8, 5))
        ax = fig.subplots()
        for key, vals in curves.items():
            if key == "mistakes":
                continue
            ax.plot(np.arange(1, len(vals) + 1), vals, "o-", label=key.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.set_title(f"{name}: learning curve")
        ax.legend()
        savefig(fig, out / "learning_curve.png")
        fig = Figure(figsize=(7, 6))
        ax = fig.subplots()
        im = ax.imshow(confusion, cmap="Blues")
        fig.colorbar(im, ax=ax)
        for (i, j), v in np.ndenumerate(confusion):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                        color="white" if v > confusion.max() / 2 else "black")
        ax.set_xticks(range(10))
        ax.set_yticks(range(10))
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{name}: held-out confusion matrix")
        savefig(fig, out / "confusion.png")


def main(argv=None):
    p = ArgumentParser(prog="spikesim train", description="Train an artificial model on MNIST")
    p.add_argument("model", choices=["perceptron", "mlp", "lenet5"])
    p.add_argument("--data", type=existing_dir, required=True, help="directory with the MNIST IDX files")
    p.add_argument("--epochs", type=positive_int, default=None, help=f"default {DEFAULT_EPOCHS}")
    p.add_argument("--seed", type=seed_type, default=0)
    p.add_argument("--out", type=output_dir, default=None, help="default out/train_MODEL")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    out = args.out or pathlib.Path("out") / f"train_{args.model}"
    out.mkdir(parents=True, exist_ok=True)
    model, summary, curves, conf = train(args.model, args.data, args.epochs, args.seed, progress=not args.quiet)
    model.save(out / "model.npz")
    summary["curves"] = curves
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    _figures(out, args.model, curves, conf)
    if not args.quiet:
        print(f"{args.model}: held-out accuracy {summary['test_accuracy']:.4f}, training accuracy "
              f"{summary['train_accuracy']:.4f}, {summary['epochs']} epochs in {summary['wall_s']:.1f} s; "
              f"wrote {out}/summary.json, model.npz, learning_curve.png, confusion.png")
    return summary
