"""PopulationRateMonitor: the instantaneous population rate of a group."""
from __future__ import annotations

import numpy as np

from .._validate import check_float
from ._base import Monitor


class PopulationRateMonitor(Monitor):
    """Fraction of the group spiking in each step, divided by dt (Hz).

    After a run: ``t`` (shape (n_steps,), seconds) and ``rate`` (Hz), one
    value per simulated step, recorded at the end of the step.
    """

    @property
    def rate(self):
        self._require_dt()
        return self._field("count", np.zeros(0, np.int64)) / (self.group.N * self.dt)

    def smooth_rate(self, width):
        """Rate smoothed with a centred flat window of ``width`` seconds, shape (n_steps,)."""
        self._require_dt()
        width = check_float("width", width, positive=True, unit="s")
        k = max(1, int(round(width / self.dt)))
        if k % 2 == 0:
            k += 1
        return np.convolve(self.rate, np.ones(k) / k, mode="same")
