"""Figure of the activation functions and their derivatives."""
from __future__ import annotations

import numpy as np


def activation_figure(names=("sigmoid", "tanh", "relu", "leaky_relu", "elu"), fig=None, z_range=(-4, 4)):
    """One panel per activation: f(z) and f'(z); a last panel shows maxout and softmax.

    Returns the matplotlib Figure.
    """
    from matplotlib.figure import Figure

    from ..ann.activations import ACTIVATIONS, maxout, softmax
    fig = fig or Figure(figsize=(15, 8), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    z = np.linspace(*z_range, 801)
    for ax, name in zip(axes, names):
        a = ACTIVATIONS[name]
        ax.plot(z, a.f(z), label="f(z)")
        ax.plot(z, a.df(z), "--", label="f'(z)")
        ax.axhline(0, color="k", lw=0.6)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_title(f"{name}: {a.formula}", fontsize=12)
        ax.legend(loc="upper left", fontsize=10)
    ax = axes[len(names)]
    pieces = np.stack([0.5 * z, -z - 1, 1.5 * z - 2], axis=1)
    v, _ = maxout(pieces, 3)
    for k in range(3):
        ax.plot(z, pieces[:, k], color="0.7", lw=1)
    ax.plot(z, v[:, 0], label="maxout of 3 lines")
    sm = softmax(np.stack([z, np.zeros_like(z), -z], axis=1))
    ax.plot(z, sm[:, 0], ":", label="softmax([z, 0, -z])[0]")
    ax.set_title("maxout (k = 3) and softmax", fontsize=12)
    ax.legend(loc="upper left", fontsize=10)
    for ax in axes[3:]:
        ax.set_xlabel("z")
    return fig
