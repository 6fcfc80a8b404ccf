"""Population rate over time."""
from __future__ import annotations

from ..monitors.rate import PopulationRateMonitor


def population_rate(monitor, ax=None, *, smooth=5e-3, time_unit=1e-3, **line_kw):
    """Plot a PopulationRateMonitor's rate (Hz), smoothed with a flat window of ``smooth`` seconds.

    Returns the Line2D.
    """
    import matplotlib.pyplot as plt
    if not isinstance(monitor, PopulationRateMonitor):
        raise TypeError(f"monitor must be a PopulationRateMonitor, got {type(monitor).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3))
    rate = monitor.smooth_rate(smooth) if smooth else monitor.rate
    (ln,) = ax.plot(monitor.t / time_unit, rate, **line_kw)
    ax.set_xlabel("time (ms)" if time_unit == 1e-3 else "time (s)")
    ax.set_ylabel("rate (Hz)")
    return ln
