"""Shared plumbing: monitors keep the chunks the engine hands them."""
from __future__ import annotations

import numpy as np

from ..model.groups import Group


class Monitor:
    """Base class: records from one group, in chunks appended by the network."""

    def __init__(self, group, name=None):
        if not isinstance(group, Group):
            raise TypeError(f"group must be a NeuronGroup, PoissonGroup or SpikeGeneratorGroup, got "
                            f"{type(group).__name__}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        self.group, self.name = group, name
        self.dt = None
        self._chunks = {}  # field -> (buffer, number of records in it)

    def _append(self, **fields):
        """Append a chunk to each field: copied into a buffer that doubles when full (amortised O(1) per
        record; what was recorded before is not copied again on every append or read)."""
        for k, a in fields.items():
            buf, n = self._chunks.get(k, (None, 0))
            a = np.asarray(a)
            if buf is None:
                buf = np.empty((max(a.shape[0], 16),) + a.shape[1:], dtype=a.dtype)
            elif n + a.shape[0] > buf.shape[0]:
                grown = np.empty((max(2 * buf.shape[0], n + a.shape[0]),) + buf.shape[1:], dtype=buf.dtype)
                grown[:n] = buf[:n]
                buf = grown
            buf[n:n + a.shape[0]] = a
            self._chunks[k] = (buf, n + a.shape[0])

    def _field(self, k, empty):
        """The records of field ``k`` so far: a read-only view, shape (n, ...)."""
        buf, n = self._chunks.get(k, (None, 0))
        if buf is None:
            return empty
        view = buf[:n]
        view.flags.writeable = False
        return view

    def _count(self, k):
        return self._chunks.get(k, (None, 0))[1]

    @property
    def step(self):
        """Time step of each record (each spike, for a SpikeMonitor), shape (n,)."""
        return self._field("step", np.zeros(0, np.int64))

    @property
    def t(self):
        """Times of the records in seconds (``step * dt``), shape (n,)."""
        self._require_dt()
        return self.step * self.dt

    def _require_dt(self):
        if self.dt is None:
            raise RuntimeError(f"{type(self).__name__} {self.name!r} has no data: add it to a Network and run")

    def _snapshot(self):
        return {k: (buf[:n].copy(), n) for k, (buf, n) in self._chunks.items()}

    def _restore(self, snap):
        self._chunks = {k: (buf.copy(), n) for k, (buf, n) in snap.items()}
