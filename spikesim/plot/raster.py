"""Raster plots, optionally with the population-rate histogram below."""
from __future__ import annotations

import numpy as np

from ..monitors.spikes import SpikeMonitor
from .style import POPULATION_COLORS


def _populations(spikes):
    """Normalise the accepted inputs to a list of (i, t, N, label)."""
    if isinstance(spikes, SpikeMonitor):
        spikes = [spikes]
    if isinstance(spikes, tuple) and len(spikes) == 2 and not isinstance(spikes[0], SpikeMonitor):
        i, t = np.asarray(spikes[0]), np.asarray(spikes[1], dtype=float)
        if i.shape != t.shape:
            raise ValueError(f"spikes (i, t) must have equal shapes, got {i.shape} and {t.shape}")
        return [(i, t, int(i.max()) + 1 if i.size else 0, None)]
    out = []
    for m in spikes:
        if isinstance(m, tuple) and len(m) == 4:        # (i, t, N, label): a population already taken apart
            out.append((np.asarray(m[0]), np.asarray(m[1], dtype=float), int(m[2]), m[3]))
            continue
        if not isinstance(m, SpikeMonitor):
            raise TypeError(f"spikes must be a SpikeMonitor, a list of them, or an (i, t) pair, got {type(m).__name__}")
        out.append((m.i, m.t, m.group.N, m.group.name))
    return out


def raster(spikes, ax=None, *, with_rate=False, rate_bin=None, colors=None, labels=None, marker_size=None,
           time_unit=None):
    """Raster plot of one or more populations.

    Parameters
    ----------
    spikes : SpikeMonitor, list of SpikeMonitor, or (i, t) arrays
        Several monitors are stacked bottom-up in different colours (a list
        may also hold ``(i, t, N, label)`` tuples).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    with_rate : bool
        Add the population-rate histogram (all populations together) in an
        axes below the raster, sharing its time axis.
    rate_bin : float, optional
        Histogram bin width in seconds (default: 5 ms, or 1/200 of the
        time span if that is longer).
    colors, labels : sequences, optional
        One per population; labels default to the group names.
    marker_size : float, optional
        Dot size in points^2 (default scales with the number of spikes).
    time_unit : float, optional
        Seconds per unit on the time axis (default: ms for spans up to 10 s,
        else s).

    Returns
    -------
    matplotlib.collections.PathCollection
        The scatter of all spikes; the rate histogram, if any, is in the
        axes ``artist.axes.rate_axes``.
    """
    import matplotlib.pyplot as plt
    pops = _populations(spikes)
    t_max = max((float(p[1].max()) for p in pops if p[1].size), default=0.0)
    if time_unit is None:
        time_unit = 1e-3 if t_max <= 10.0 else 1.0
    if rate_bin is None:
        rate_bin = max(5e-3, t_max / 200)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 5 if not with_rate else 6))
    colors = list(colors) if colors is not None else list(POPULATION_COLORS)
    xs, ys, cs, offset, handles = [], [], [], 0, []
    for k, (i, t, n, name) in enumerate(pops):
        c = colors[k % len(colors)]
        xs.append(t / time_unit)
        ys.append(i + offset)
        cs.extend([c] * i.size)
        label = labels[k] if labels is not None else name
        if label is not None and len(pops) > 1:
            handles.append(plt.Line2D([], [], marker="o", ls="", color=c, label=label))
        offset += n
    x = np.concatenate(xs) if xs else np.zeros(0)
    y = np.concatenate(ys) if ys else np.zeros(0)
    if marker_size is None:
        marker_size = float(np.clip(2e4 / max(x.size, 1), 0.5, 8.0))
    art = ax.scatter(x, y, s=marker_size, c=cs if cs else None, marker="|" if x.size < 2000 else ".",
                     linewidths=0.8, rasterized=x.size > 20000)
    ax.set_ylabel("neuron index")
    ax.set_ylim(-0.5, max(offset, 1) - 0.5)
    if handles:
        ax.legend(handles=handles, loc="upper right", frameon=True)
    unit = {1.0: "s", 1e-3: "ms"}.get(time_unit, f"x {time_unit} s")
    ax.rate_axes = None
    if with_rate:
        from mpl_toolkits.axes_grid1 import make_axes_locatable
        rax = make_axes_locatable(ax).append_axes("bottom", size="30%", pad=0.15, sharex=ax)
        all_t = np.concatenate([p[1] for p in pops]) if pops else np.zeros(0)
        t_end = all_t.max() + rate_bin if all_t.size else rate_bin
        edges = np.arange(0.0, t_end + rate_bin, rate_bin)
        counts, _ = np.histogram(all_t, edges)
        rate = counts / (rate_bin * max(offset, 1))
        rax.stairs(rate, edges / time_unit, fill=True, color="0.3")
        rax.set_ylabel("rate (Hz)")
        rax.set_xlabel(f"time ({unit})")
        ax.tick_params(labelbottom=False)
        ax.rate_axes = rax
    else:
        ax.set_xlabel(f"time ({unit})")
    return art
