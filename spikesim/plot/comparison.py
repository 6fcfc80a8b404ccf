"""Figure of a spikesim-vs-Brian2 comparison."""
from __future__ import annotations

import numpy as np


def comparison_figure(report, fig=None, max_neurons=400):
    """Overlaid rasters (spikes only in one simulator highlighted) and, for plastic
    networks, spikesim's final synaptic variables (those the rules change) against Brian2's.

    Parameters
    ----------
    report : spikesim.compare.brian2.ComparisonReport
    fig : matplotlib Figure, optional
    max_neurons : int
        Show the first this many neurons (by global index) in the raster.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    d = report.details
    ours = [a for syn in d["weights_spikesim"] for a in syn.values()]
    theirs = [a for syn in d["weights_brian2"] for a in syn.values()]
    plastic = any(w.size for w in ours)
    if fig is None:
        fig = Figure(figsize=(14 if plastic else 10, 5))
    axes = fig.subplots(1, 2 if plastic else 1, gridspec_kw=dict(width_ratios=[2, 1]) if plastic else None)
    ax = axes[0] if plastic else axes
    a, b = d["spikes_spikesim"], d["spikes_brian2"]
    # global neuron index: group offset + index; seconds on the time axis for long runs
    offs = np.concatenate([[0], np.cumsum(d["group_sizes"])[:-1]]).astype(np.int64)
    scale, unit = (1.0, "s") if report.duration_s > 10 else (1e3, "ms")

    def xy(rows):
        if not rows.size:
            return np.zeros(0), np.zeros(0, np.int64)
        return rows[:, 0] * d["dt"] * scale, offs[rows[:, 1]] + rows[:, 2]
    sa = {tuple(r) for r in a.tolist()}
    sb = {tuple(r) for r in b.tolist()}
    both = np.array(sorted(sa & sb)).reshape(-1, 3)
    only_a = np.array(sorted(sa - sb)).reshape(-1, 3)
    only_b = np.array(sorted(sb - sa)).reshape(-1, 3)
    for rows, style in ((both, dict(s=2, c="0.4", marker=".", label="both")),
                        (only_a, dict(s=25, c="#D55E00", marker="x", label="spikesim only")),
                        (only_b, dict(s=25, c="#0072B2", marker="+", label="Brian2 only"))):
        x, y = xy(rows)
        keep = y < max_neurons
        ax.scatter(x[keep], y[keep], **style)
    ax.set_xlabel(f"time ({unit})")
    ax.set_ylabel("neuron")
    ax.set_title("identical spike trains" if report.identical_spikes else
                 f"{report.n_differing_spikes} differing spikes, first at {report.first_divergence_s} s", fontsize=12)
    ax.legend(loc="upper right", fontsize=9)
    if plastic:
        wa = np.concatenate(ours)
        wb = np.concatenate(theirs)
        axes[1].plot(wb, wa, ".", ms=3)
        lim = [min(wa.min(), wb.min()), max(wa.max(), wb.max())]
        axes[1].plot(lim, lim, "k-", lw=0.8)
        axes[1].set_xlabel("Brian2 weight")
        axes[1].set_ylabel("spikesim weight")
        axes[1].set_title(f"max |difference| {report.max_weight_abs_err:.2g}", fontsize=12)
    return fig
