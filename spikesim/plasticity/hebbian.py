"""Rate-based Hebbian rules on filtered spike trains.

"Cells that fire together wire together; uncoordinated firing weakens":
each pre-synaptic source keeps a rate estimate ``x`` and each post-synaptic
neuron a rate estimate ``y`` (Hz): exponentially filtered spike trains that
jump by ``1/tau`` at each spike and decay with ``tau`` (event-driven, like
the STDP traces).  Every ``interval`` seconds the weights move by
``interval * dw/dt`` with

* ``Hebb``: ``dw/dt = eta * x * y - decay * w``
* ``Oja``:  ``dw/dt = eta * y * (x - y * w)`` (Oja 1982; keeps the weight vector bounded)
* ``BCM``:  ``dw/dt = eta * x * y * (y - theta)``, with the post-synaptic sliding
  threshold ``dtheta/dt = (y**2 / y0 - theta) / tau_theta`` (Bienenstock, Cooper & Munro 1982)

and are clipped to ``[w_min, w_max]``.  Pre-synaptic traces bump when the
spike arrives (after the delay), post-synaptic ones at the post spike.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float
from ..units import ms
from .stdp import PAIR_ALL, WINDOW_EXP, PlasticityRule

RULE_HEBBIAN = 3
VARIANT_HEBB, VARIANT_OJA, VARIANT_BCM = 0, 1, 2


class _RateRule(PlasticityRule):
    kind = RULE_HEBBIAN
    variant = VARIANT_HEBB
    ring_size = 0

    def __init__(self, *, eta, tau_pre=50 * ms, tau_post=50 * ms, interval=1 * ms, w_min=0.0, w_max=1.0):
        self.eta = check_float("eta", eta)
        self.tau_pre = check_float("tau_pre", tau_pre, positive=True, unit="s")
        self.tau_post = check_float("tau_post", tau_post, positive=True, unit="s")
        self.interval = check_float("interval", interval, positive=True, unit="s")
        self._set_bounds(w_min, w_max)

    def trace_taus(self):
        return (self.tau_pre, self.tau_post)

    def _extra(self):
        return (0.0, 0.0, 0.0)

    def _arrays(self, dt):
        steps = int(round(self.interval / dt))
        if steps < 1 or abs(steps * dt - self.interval) > 1e-6 * dt:
            raise ValueError(f"interval must be a whole number of steps of dt={dt} s, got {self.interval} s")
        info = np.array([self.kind, WINDOW_EXP, PAIR_ALL, 0, steps], dtype=np.int64)
        par = np.array([self.eta, self.tau_pre, self.tau_post, self.w_min, self.w_max, float(self.variant),
                        steps * dt, *self._extra()], dtype=np.float64)
        return info, par


class Hebb(_RateRule):
    """Plain Hebbian rule with weight decay: ``dw/dt = eta x y - decay w`` (see module doc).

    Parameters
    ----------
    eta : float
        Learning rate, weight units per Hz^2 per second.
    decay : float
        Decay rate in 1/s (>= 0): uncorrelated or silent synapses weaken.
    tau_pre, tau_post : float
        Rate-estimate time constants in seconds.
    interval : float
        Seconds between weight updates (a whole number of steps).
    w_min, w_max : float
        Bounds.
    """

    variant = VARIANT_HEBB

    def __init__(self, *, eta, decay=0.0, **kw):
        super().__init__(eta=eta, **kw)
        self.decay = check_float("decay", decay, nonnegative=True, unit="1/s")

    def _extra(self):
        return (self.decay, 0.0, 0.0)


class Oja(_RateRule):
    """Oja's rule, ``dw/dt = eta y (x - y w)``: Hebbian growth with a normalising decay."""

    variant = VARIANT_OJA


class BCM(_RateRule):
    """BCM rule with a sliding threshold (see module doc).

    Parameters
    ----------
    y0 : float
        Target rate scale in Hz (> 0): theta settles at <y^2>/y0.
    tau_theta : float
        Time constant of the threshold in seconds.
    theta0 : float
        Initial threshold in Hz.
    """

    variant = VARIANT_BCM

    def __init__(self, *, eta, y0=10.0, tau_theta=1.0, theta0=10.0, **kw):
        super().__init__(eta=eta, **kw)
        self.y0 = check_float("y0", y0, positive=True, unit="Hz")
        self.tau_theta = check_float("tau_theta", tau_theta, positive=True, unit="s")
        self.theta0 = check_float("theta0", theta0, nonnegative=True, unit="Hz")

    def _extra(self):
        return (self.y0, self.tau_theta, self.theta0)
