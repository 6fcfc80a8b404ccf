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
        self._chunks = {}  # field -> list of arrays

    def _append(self, **fields):
        for k, a in fields.items():
            self._chunks.setdefault(k, []).append(a)

    def _field(self, k, empty):
        parts = self._chunks.get(k)
        if not parts:
            return empty
        if len(parts) > 1:  # consolidate once
            self._chunks[k] = [np.concatenate(parts)]
        return self._chunks[k][0]

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
        return {k: [np.concatenate(v)] if v else [] for k, v in self._chunks.items()}

    def _restore(self, snap):
        self._chunks = {k: [a.copy() for a in v] for k, v in snap.items()}
