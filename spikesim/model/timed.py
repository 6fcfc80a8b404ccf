"""TimedArray: a function of time (and neuron index) sampled on a regular grid, usable in equations."""
from __future__ import annotations

import numpy as np

from .._validate import check_float


class TimedArray:
    """Values sampled every ``dt`` seconds, called in equations as ``name(t)`` or ``name(t, i)``.

    At time ``t`` the value is the sample of index ``int((t/eps + 0.5)/K)``
    (``eps = dt/K`` with Brian2's ``K``), clipped to the first and last
    samples, exactly as Brian2's TimedArray; Runge-Kutta stages read it at
    their own times (``t + dt/2`` ...).

    Parameters
    ----------
    values : array of shape (n_samples,) or (n_samples, N)
        Samples in SI units; a 2-D array has one column per neuron
        (``name(t, i)`` in equations).
    dt : float
        Time between samples in seconds (> 0).

    Examples
    --------
    >>> from spikesim import NeuronGroup, TimedArray
    >>> from spikesim.units import ms, mV
    >>> drive = TimedArray([0.0, 20e-3, 0.0], dt=50 * ms)
    >>> G = NeuronGroup(1, "dv/dt = (drive(t) - v)/(10*ms) : volt", drive=drive)
    """

    def __init__(self, values, dt):
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim not in (1, 2) or arr.shape[0] == 0:
            raise ValueError(f"values must have shape (n_samples,) or (n_samples, N) with n_samples >= 1, "
                             f"got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("values must be finite, got NaN or inf")
        self.ndim = arr.ndim
        self.values = np.ascontiguousarray(arr if arr.ndim == 2 else arr[:, None])
        self.values.setflags(write=False)
        self.dt = check_float("dt", dt, positive=True, unit="s")

    @property
    def kind(self):
        return "timed1" if self.ndim == 1 else "timed2"

    def _check_size(self, N, name):
        if self.ndim == 2 and self.values.shape[1] != N:
            raise ValueError(f"{name}: a 2-D TimedArray needs one column per neuron ({N}), got "
                             f"{self.values.shape[1]}")

    def __repr__(self):
        return f"TimedArray(shape={self.values.shape if self.ndim == 2 else (self.values.shape[0],)}, dt={self.dt})"
