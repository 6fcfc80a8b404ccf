"""Membrane (or any state variable) traces from a StateMonitor."""
from __future__ import annotations

import numpy as np

from ..monitors.state import StateMonitor


def traces(monitor, variable="v", ax=None, *, neurons=None, unit=1e-3, unit_label="mV", time_unit=1e-3,
           spikes=None, threshold=None):
    """Plot recorded traces of ``variable``.

    Parameters
    ----------
    monitor : StateMonitor
    variable : str
    ax : Axes, optional
    neurons : sequence of int, optional
        Positions in ``monitor.record`` to draw (default: up to 5).
    unit, unit_label : float, str
        Value scale (1e-3 with "mV": volts shown in millivolts).
    time_unit : float
        Seconds per unit on the time axis.
    spikes : SpikeMonitor, optional
        Draw a vertical stroke at each spike of the plotted neurons (the
        reset hides the crossing in the recorded trace).
    threshold : float, optional
        Draw this value as a dashed line (in the variable's SI units).

    Returns
    -------
    list of matplotlib.lines.Line2D
    """
    import matplotlib.pyplot as plt
    if not isinstance(monitor, StateMonitor):
        raise TypeError(f"monitor must be a StateMonitor, got {type(monitor).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    data = monitor.values(variable)
    pos = list(range(min(5, data.shape[0]))) if neurons is None else list(neurons)
    t = monitor.t / time_unit
    lines = []
    for k in pos:
        (ln,) = ax.plot(t, data[k] / unit, label=f"neuron {monitor.record[k]}")
        lines.append(ln)
        if spikes is not None:
            st = spikes.spike_trains()[int(monitor.record[k])] / time_unit
            ax.vlines(st, data[k].max() / unit, data[k].max() / unit + 0.2 * np.ptp(data[k] / unit + 1e-30),
                      color=ln.get_color(), lw=1.5)
    if threshold is not None:
        ax.axhline(threshold / unit, ls="--", color="0.5", lw=1, label="threshold")
    ax.set_xlabel("time (ms)" if time_unit == 1e-3 else "time (s)")
    ax.set_ylabel(f"{variable} ({unit_label})")
    if len(pos) > 1 or threshold is not None:
        ax.legend(loc="upper right")
    return lines
