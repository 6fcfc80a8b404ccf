"""WeightMonitor: synaptic weights over time."""
from __future__ import annotations

import numpy as np

from .._validate import MAX_STEPS, check_int
from ..model.synapses import Synapses
from ._base import Monitor


class WeightMonitor(Monitor):
    """Record the weights of chosen synapses every ``every`` steps, or snapshots at chosen times.

    Parameters
    ----------
    synapses : Synapses
    record : True or array of int
        All synapses, or synapse indices (creation order, as ``S.w``).
    variable : str
        The synaptic variable to record (default ``"w"``).
    every : int, optional
        Record at steps ``n`` with ``n % every == 0`` (at the start of the step).
    times : array of float, optional
        Instead of ``every``: record snapshots at these times (seconds, rounded
        to steps); e.g. ``times=[0, 50, 100]`` for whole snapshots.

    After a run: ``t`` (shape (n_records,)) and ``w`` (shape (n_recorded, n_records)).
    """

    def __init__(self, synapses, record=True, every=None, times=None, variable="w", name=None):
        if not isinstance(synapses, Synapses):
            raise TypeError(f"synapses must be a Synapses object, got {type(synapses).__name__}")
        Monitor.__init__(self, synapses.post, name)
        self.synapses = synapses
        variable = synapses._var(variable)
        if variable not in synapses._rows:
            raise ValueError(f"variable must be a synaptic variable stored per synapse "
                             f"({list(synapses._rows)}), got {variable!r}")
        self.variable = variable
        if (every is None) == (times is None):
            raise ValueError("give exactly one of every (steps) and times (seconds)")
        self.every = None if every is None else check_int("every", every, minimum=1, maximum=MAX_STEPS)
        if times is not None:
            times = np.atleast_1d(np.asarray(times, dtype=float))
            if times.ndim != 1 or not np.all(np.isfinite(times)) or (times.size and times.min() < 0):
                raise ValueError(f"times must be a 1-D array of finite times >= 0 s, got {times!r}")
        self.times = times
        self._record = record

    def _positions(self, dt):
        """CSR positions of the recorded synapses and the record steps (or None with every)."""
        S = self.synapses
        n = len(S)
        if self._record is True:
            idx = np.arange(n, dtype=np.int64)
        else:
            idx = np.atleast_1d(np.asarray(self._record))
            if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
                raise TypeError("record must be True or a 1-D array of synapse indices")
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                raise ValueError(f"record indices must be in [0, {n}), got {idx[(idx < 0) | (idx >= n)][0]}")
        pos = idx if S._perm is None else S._perm[idx]
        self.record = idx.astype(np.int64)
        if self.times is not None and self.times.size and not self.times.max() / dt < MAX_STEPS:
            raise ValueError(f"times must be less than {MAX_STEPS:.3g} steps of dt={dt} s, got {self.times.max()} s")
        steps = None if self.times is None else np.unique(np.floor(self.times / dt + 0.5).astype(np.int64))
        return np.ascontiguousarray(pos, dtype=np.int64), steps

    @property
    def w(self):
        """Recorded weights, shape (n_recorded, n_records)."""
        return self._field("data", np.zeros((0, 0))).T
