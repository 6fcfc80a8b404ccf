"""``spikesim figures --out DIR``: regenerate every figure of the documentation's gallery.

    spikesim figures --out docs/gallery [--quick] [--data DIR] [--only NAME,NAME]

Each figure is made by the code that makes it anywhere else: the
experiments' figures by running ``experiments/NAME.py`` (the same ``main``
as ``spikesim run NAME``, with the arguments listed in :data:`FIGURES`),
the lecture figures by the functions below.  ``--quick`` runs everything
shorter and smaller (the test suite builds the site from such a run, so
every image the site shows is made by the current code); the published
gallery uses the full runs (about 6 minutes on a 2-core machine).  The folder
gets one PNG per figure and ``index.json`` (figure, command, seconds,
quick).  MNIST figures read the 8,000/2,000 protocol from ``--data``
(default ``../shared/data/mnist``).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

DATA_DEFAULT = pathlib.Path("..") / "shared" / "data" / "mnist"


@dataclass
class Context:
    """What the figure functions share: the output folder, the mode, MNIST and a trained LeNet5."""
    out: pathlib.Path
    quick: bool
    data: pathlib.Path | None
    tmp: pathlib.Path
    cache: dict = field(default_factory=dict)

    def mnist(self) -> tuple:
        """The 8,000/2,000 MNIST protocol from ``data`` (loaded once): ``(X_train, y_train, X_test, y_test)``."""
        if "mnist" not in self.cache:
            from .data.mnist import load_protocol
            self.cache["mnist"] = load_protocol(self.data)
        return self.cache["mnist"]


@dataclass(frozen=True)
class Figure:
    """One gallery figure: its file ``<name>.png``, title, command and the function that draws it."""
    name: str
    title: str
    command: str
    make: Callable[[Context], None]
    needs_mnist: bool = False


# ---------------------------------------------------------------- experiments, run as ``spikesim run``
def _experiment(name, args, quick_args, produced):
    def make(ctx):
        from .catalog import experiments_dir, load_experiment
        folder = ctx.tmp / name
        argv = [str(ctx.data) if a == "{data}" else a for a in (quick_args if ctx.quick else args)]
        load_experiment(experiments_dir() / f"{name}.py").main(argv + ["--out", str(folder), "--quiet"])
        shutil.copyfile(folder / produced, ctx.out / f"{_figure_name(name, produced)}.png")
    return make


def _figure_name(experiment, produced):
    return experiment if produced == "raster.png" else pathlib.Path(produced).stem


def _run_command(name, args):
    shown = ["../shared/data/mnist" if a == "{data}" else a for a in args]
    return " ".join(["spikesim run", name] + shown)


# ---------------------------------------------------------------- lecture figures
def _style():
    import matplotlib
    matplotlib.use("Agg")
    from .plot.style import lecture_style
    return lecture_style()


def activations(ctx: Context) -> None:
    """The activation functions and their derivatives (``spikesim figure activations``).

    Parameters
    ----------
    ctx : Context
        The output folder (writes ``ctx.out / "activations.png"``), the quick flag, MNIST and shared models.
    """
    from .plot.activations import activation_figure
    from .plot.style import savefig
    with _style():
        savefig(activation_figure(), ctx.out / "activations.png")


def perceptron_boundary(ctx: Context) -> None:
    """Rosenblatt's perceptron on two separable clouds: the points, the learned boundary, the mistakes per epoch.

    Parameters
    ----------
    ctx : Context
        The output folder (writes ``ctx.out / "perceptron_boundary.png"``), the quick flag, MNIST and shared models.
    """
    from matplotlib.figure import Figure as MplFigure

    from .ann import Perceptron
    from .plot.style import savefig
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal((-0.8, -0.5), 0.6, (90, 2)), rng.normal((0.8, 0.6), 0.6, (90, 2))])
    side = X @ np.array([0.8, 0.6]) - 0.1
    keep = np.abs(side) > 0.08                 # a gap around a line: the classes are linearly separable
    X, y = X[keep] + 1.5, (side[keep] > 0).astype(int)   # away from the origin, so the bias has to be learned
    model = Perceptron(max_epochs=100, shuffle=True, random_state=0).fit(X, y)
    mistakes = model.mistakes_per_epoch_
    with _style():
        fig = MplFigure(figsize=(11, 4.5), layout="constrained")
        a, b = fig.subplots(1, 2, width_ratios=(1.3, 1))
        lo, hi = X.min(0) - 0.5, X.max(0) + 0.5
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 301), np.linspace(lo[1], hi[1], 301))
        z = model.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
        a.contourf(gx, gy, z, levels=[-0.5, 0.5, 1.5], colors=["#cfe3f3", "#f6dcc8"])
        a.contour(gx, gy, z, levels=[0.5], colors="k", linewidths=2)
        a.scatter(*X[y == 0].T, s=18, color="#0072B2", label="class 0")
        a.scatter(*X[y == 1].T, s=18, color="#D55E00", marker="s", label="class 1")
        a.set_xlabel("x1")
        a.set_ylabel("x2")
        a.set_title(f"decision boundary ({model.score(X, y):.0%} correct)")
        a.legend(loc="upper left")
        b.bar(np.arange(1, len(mistakes) + 1), mistakes, color="0.4")
        b.set_xlabel("epoch")
        b.set_ylabel("mistakes (weight updates)")
        b.set_title(f"converged after {len(mistakes)} epochs")
        b.xaxis.get_major_locator().set_params(integer=True)
        savefig(fig, ctx.out / "perceptron_boundary.png")


def _lenet(ctx):
    """A LeNet5 trained briefly on the training split (cached for the other figures)."""
    if "lenet" not in ctx.cache:
        from .ann import LeNet5
        Xtr, ytr, _, _ = ctx.mnist()
        n, epochs = (600, 1) if ctx.quick else (8000, 2)
        ctx.cache["lenet"] = LeNet5(epochs=epochs, batch_size=64, random_state=0).fit(Xtr[:n], ytr[:n])
    return ctx.cache["lenet"]


def lenet5_feature_maps(ctx: Context) -> None:
    """The feature maps of LeNet5's two convolutions (after ReLU) for one held-out digit.

    Parameters
    ----------
    ctx : Context
        The output folder (writes ``ctx.out / "lenet5_feature_maps.png"``), the quick flag, MNIST and shared models.
    """
    from matplotlib.figure import Figure as MplFigure

    from .plot.style import savefig
    model = _lenet(ctx)
    _, _, Xte, yte = ctx.mnist()
    x = Xte[:1].reshape(1, 1, 28, 28).astype(model.network_.dtype)
    acts = model.network_.activations(x)
    keys = model.network_.layer_keys()
    c1, c2 = acts[keys.index("conv1") + 1][0], acts[keys.index("conv2") + 1][0]
    with _style():
        fig = MplFigure(figsize=(13, 6.2), layout="constrained")
        grid = fig.add_gridspec(4, 9)
        ax = fig.add_subplot(grid[1:3, 0:2])
        ax.imshow(x[0, 0], cmap="gray_r")
        ax.set_title(f"input (label {int(yte[0])})", fontsize=11)
        for k in range(6):
            ax = fig.add_subplot(grid[k // 3, 2 + k % 3])
            ax.imshow(c1[k], cmap="magma")
            ax.set_title(f"conv1 #{k}", fontsize=9)
        for k in range(16):
            ax = fig.add_subplot(grid[k // 4, 5 + k % 4])
            ax.imshow(c2[k], cmap="magma")
            ax.set_title(f"conv2 #{k}", fontsize=9)
        for ax in fig.axes:
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle("LeNet5 feature maps (ReLU outputs of the two convolutions)")
        savefig(fig, ctx.out / "lenet5_feature_maps.png")


def converted_layer_raster(ctx: Context) -> None:
    """Every stage of the trained LeNet5, converted to spiking neurons, for one held-out digit.

    Parameters
    ----------
    ctx : Context
        The output folder (writes ``ctx.out / "converted_layer_raster.png"``), the quick flag, MNIST and shared models.
    """
    from matplotlib.figure import Figure as MplFigure

    from .bridges import ann_to_snn
    from .plot.style import savefig
    model = _lenet(ctx)
    Xtr, _, Xte, yte = ctx.mnist()
    snn = ann_to_snn(model, Xtr[:300].reshape(300, -1))
    steps = 40 if ctx.quick else 100
    layers = snn.layer_spikes(Xte[0].reshape(-1), timesteps=steps)
    with _style():
        fig = MplFigure(figsize=(9, 1.1 * len(layers) + 1.2), layout="constrained")
        axes = fig.subplots(len(layers), 1, sharex=True)
        for ax, (name, n, i, st) in zip(axes, layers):
            ax.plot(st, i, "|", ms=2, color="k")
            ax.set_ylabel(f"{name}\n({n})", fontsize=9)
            ax.set_ylim(-0.5, n - 0.5)
            ax.set_yticks([])
        axes[-1].set_xlabel("time step")
        axes[0].set_title(f"LeNet5 converted to IF neurons (reset by subtraction), one digit (label {int(yte[0])})",
                          fontsize=12)
        savefig(fig, ctx.out / "converted_layer_raster.png")


# ---------------------------------------------------------------- the list
_EXPERIMENTS = [
    ("cuba", "CUBA network (Vogels & Abbott 2005): a raster with its population rate",
     ["--duration", "1"], ["--duration", "0.2", "--n", "1000"], "raster.png", False),
    ("coba", "COBA network (Brette et al. 2007, benchmark 1)",
     ["--duration", "0.5"], ["--duration", "0.1", "--n", "1000"], "raster.png", False),
    ("delays", "CUBA with heterogeneous delays (1-5 ms)",
     ["--duration", "0.5"], ["--duration", "0.1", "--n", "1000"], "raster.png", False),
    ("stdp_window", "STDP window from a pairing protocol, with the analytic curve (Bi & Poo 1998)",
     ["--step-ms", "5"], ["--step-ms", "25"], "stdp_window.png", False),
    ("song2000", "Song, Miller & Abbott (2000): weights turn bimodal under STDP",
     ["--duration", "100"], ["--duration", "2", "--n-inputs", "200"], "song2000.png", False),
    ("sjostrom2001", "Triplet STDP against Sjöström et al. (2001): weight change vs pairing frequency",
     [], [], "sjostrom2001.png", False),
    ("diehl_cook", "Diehl & Cook (2015): receptive fields learned by unsupervised STDP",
     ["--data", "{data}", "--n", "100", "--n-train", "2000", "--n-test", "500"],
     ["--data", "{data}", "--n", "25", "--n-train", "100", "--n-test", "50"], "receptive_fields.png", True),
]

FIGURES: list[Figure] = [
    Figure(_figure_name(name, produced), title, _run_command(name, args), _experiment(name, args, quick, produced),
           needs)
    for name, title, args, quick, produced, needs in _EXPERIMENTS
] + [
    Figure("activations", "Activation functions and their derivatives", "spikesim figure activations", activations),
    Figure("perceptron_boundary", "Perceptron decision boundary",
           "spikesim figures --out docs/gallery --only perceptron_boundary", perceptron_boundary),
    Figure("lenet5_feature_maps", "LeNet5 feature maps",
           "spikesim figures --out docs/gallery --only lenet5_feature_maps", lenet5_feature_maps, True),
    Figure("converted_layer_raster", "Converted LeNet5: the spikes of every layer",
           "spikesim figures --out docs/gallery --only converted_layer_raster", converted_layer_raster, True),
]


def missing_figures(out: str | pathlib.Path) -> list[str]:
    """Names of the gallery figures whose ``<name>.png`` is not in ``out`` (in the order of :data:`FIGURES`).

    Parameters
    ----------
    out : path
        A gallery folder (it need not exist).

    Returns
    -------
    list of str
        Figure names, ready for ``make_figures(out, only=...)``.
    """
    out = pathlib.Path(out)
    return [f.name for f in FIGURES if not (out / f"{f.name}.png").is_file()]


def make_figures(out: str | pathlib.Path, *, quick: bool = False, data: str | pathlib.Path | None = None,
                 only: list[str] | None = None, progress: bool = True) -> dict:
    """Make the gallery figures in ``out``; returns the index written to ``out/index.json``.

    Parameters
    ----------
    out : path
        Folder for ``<name>.png`` and ``index.json`` (created).
    quick : bool
        Short, small runs (a minute or two instead of several).
    data : path, optional
        The MNIST folder (IDX files and ``holdout-indices.txt``).
    only : list of str, optional
        Names of the figures to make (default: all of :data:`FIGURES`).
    progress : bool
        Print one line per figure.

    Raises
    ------
    ValueError
        An unknown name in ``only``, or MNIST figures without the data.
    """
    out = pathlib.Path(out)
    names = [f.name for f in FIGURES]
    chosen = names if not only else list(only)
    unknown = [n for n in chosen if n not in names]
    if unknown:
        raise ValueError(f"only must name gallery figures ({', '.join(names)}), got {unknown}")
    data = pathlib.Path(data) if data is not None else DATA_DEFAULT
    figures = [f for f in FIGURES if f.name in chosen]
    if any(f.needs_mnist for f in figures) and not (data / "holdout-indices.txt").exists():
        raise ValueError(f"the figures {[f.name for f in figures if f.needs_mnist]} need MNIST: no "
                         f"holdout-indices.txt in {data} (give --data DIR)")
    out.mkdir(parents=True, exist_ok=True)
    index_path = out / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(out=out, quick=quick, data=data, tmp=pathlib.Path(tmp))
        for f in figures:
            t0 = time.perf_counter()
            f.make(ctx)
            wall = time.perf_counter() - t0
            index[f.name] = dict(title=f.title, command=f.command, seconds=round(wall, 1), quick=quick)
            if progress:
                print(f"{f.name}.png: {wall:.1f} s", flush=True)
    index_path.write_text(json.dumps(index, indent=2) + "\n")
    if progress:
        print(f"{len(figures)} figures in {time.perf_counter() - t_all:.0f} s; wrote {out}/")
    return index


def main(argv: list[str] | None = None) -> int:
    """``spikesim figures``: parse the command line and make the gallery.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``figures`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0, or 2 for an unknown figure name or missing MNIST data.
    """
    p = argparse.ArgumentParser(prog="spikesim figures", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("docs") / "gallery",
                   help="output folder (default docs/gallery, where the documentation site reads them)")
    p.add_argument("--quick", action="store_true", help="short, small runs (what the test suite builds)")
    p.add_argument("--data", type=pathlib.Path, default=None, help=f"MNIST folder (default {DATA_DEFAULT})")
    p.add_argument("--only", default=None, help="comma-separated figure names: " + ", ".join(f.name for f in FIGURES))
    args = p.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
    import matplotlib
    matplotlib.use("Agg")
    try:
        make_figures(args.out, quick=args.quick, data=args.data, only=only)
    except ValueError as exc:
        print(f"spikesim figures: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
