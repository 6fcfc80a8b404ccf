"""Adaptive threshold (Diehl & Cook 2015): the parameters a NeuronGroup takes as ``adaptive_threshold=``.

Each neuron's threshold is ``v_th + theta``; ``theta`` grows by
``theta_plus`` at every spike of the neuron and decays between spikes,
``dtheta/dt = -theta/tau_theta``.  ``group.theta`` holds the current values.
"""
from __future__ import annotations

import math

from .._validate import check_float


class AdaptiveThreshold:
    """Threshold adaptation parameters (see module doc).

    Parameters
    ----------
    theta_plus : float
        Increment per spike, in volts (>= 0).
    tau_theta : float
        Decay time constant in seconds (> 0); Diehl & Cook use 1e7 ms.
    """

    def __init__(self, theta_plus, tau_theta):
        self.theta_plus = check_float("theta_plus", theta_plus, nonnegative=True, unit="V")
        self.tau_theta = check_float("tau_theta", tau_theta, positive=True, unit="s")

    def decay_factor(self, dt):
        return math.exp(-dt / self.tau_theta)
