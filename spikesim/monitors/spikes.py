"""SpikeMonitor: every spike of a group as (neuron index, time)."""
from __future__ import annotations

import numpy as np

from ._base import Monitor


class SpikeMonitor(Monitor):
    """Record the spikes of ``group``.

    Attributes (after a run)
    ------------------------
    i : ndarray of int, shape (n_spikes,)
        Neuron index of each spike, in time order (index order within a step).
    t : ndarray of float, shape (n_spikes,)
        Spike times in seconds (``step * dt``).
    count : ndarray of int, shape (N,)
        Number of spikes per neuron.
    """

    def __init__(self, group, name=None):
        super().__init__(group, name)

    @property
    def i(self):
        return self._field("i", np.zeros(0, np.int64))

    @property
    def num_spikes(self):
        return self._count("i")

    @property
    def count(self):
        return np.bincount(self.i, minlength=self.group.N)

    def spike_trains(self):
        """Dict neuron index -> sorted array of its spike times in seconds."""
        i, t = self.i, self.t
        order = np.argsort(i, kind="stable")
        bounds = np.searchsorted(i[order], np.arange(self.group.N + 1))
        ts = t[order]
        return {k: ts[bounds[k]:bounds[k + 1]] for k in range(self.group.N)}
