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
from .stdp import PlasticityRule, RuleParts


class _RateRule(PlasticityRule):
    """Shared part of the rate rules: the rate traces and the regular weight update."""

    def __init__(self, *, eta, tau_pre=50 * ms, tau_post=50 * ms, interval=1 * ms, w_min=0.0, w_max=1.0):
        self.eta = check_float("eta", eta)
        self.tau_pre = check_float("tau_pre", tau_pre, positive=True, unit="s")
        self.tau_post = check_float("tau_post", tau_post, positive=True, unit="s")
        self.interval = check_float("interval", interval, positive=True, unit="s")
        self._set_bounds(w_min, w_max)

    def _update(self):
        """The weight statement run every ``interval`` (using x, y at the current time)."""
        raise NotImplementedError

    def expand(self, unit):
        v = dict(eta=self.eta, tau_pre=self.tau_pre, tau_post=self.tau_post, interval=self.interval,
                 w_min=self.w_min, w_max=self.w_max)
        v.update(self._values())
        model = ("\ndx/dt = -x/tau_pre : hertz (event-driven)\ndy/dt = -y/tau_post : hertz (event-driven)"
                 + self._model())
        return RuleParts(model, "\nx += 1/tau_pre", "y += 1/tau_post", v,
                         regular=[(self._update(), "synapses", self.interval)])

    def _model(self):
        return ""

    def _values(self):
        return {}


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

    def __init__(self, *, eta, decay=0.0, **kw):
        super().__init__(eta=eta, **kw)
        self.decay = check_float("decay", decay, nonnegative=True, unit="1/s")

    def _values(self):
        return {"decay": self.decay}

    def _update(self):
        return "w = clip(w + interval*(eta*x*y - decay*w), w_min, w_max)"


class Oja(_RateRule):
    """Oja's rule, ``dw/dt = eta y (x - y w)``: Hebbian growth with a normalising decay."""

    def _update(self):
        # w_unit (= 1 in w's unit) keeps the equation dimensionally sound for weights with units
        return "w = clip(w + interval*(eta*y*(x - y*w/w_unit)), w_min, w_max)"

    def _values(self):
        return {"w_unit": 1.0}


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

    def __init__(self, *, eta, y0=10.0, tau_theta=1.0, theta0=10.0, **kw):
        super().__init__(eta=eta, **kw)
        self.y0 = check_float("y0", y0, positive=True, unit="Hz")
        self.tau_theta = check_float("tau_theta", tau_theta, positive=True, unit="s")
        self.theta0 = check_float("theta0", theta0, nonnegative=True, unit="Hz")

    def _model(self):
        return "\ntheta : hertz"

    def _values(self):
        return {"y0": self.y0, "tau_theta": self.tau_theta, "theta": self.theta0}

    def _update(self):
        return ("w = clip(w + interval*(eta*x*y*(y - theta)), w_min, w_max)\n"
                "theta += interval/tau_theta*(y*y/y0 - theta)")
