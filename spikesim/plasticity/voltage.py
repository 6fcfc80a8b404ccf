"""Voltage-based STDP (Clopath, Buesing, Vasilaki & Gerstner 2010, Nat Neurosci 13:344).

Depression at each pre-synaptic spike, proportional to how far a slow
low-pass filter of the post-synaptic potential ``u_minus`` is above
``theta_minus``; potentiation all the time, proportional to a pre-synaptic
trace ``xbar``, to how far the potential ``v`` is above ``theta_plus`` and to
how far a faster filter ``u_plus`` is above ``theta_minus``::

    dxbar/dt = -xbar/tau_x : 1 (clock-driven)
    on_pre: w = clip(w - A_LTD*(u_minus_post - theta_minus)*int(u_minus_post > theta_minus), w_min, w_max)
            xbar += 1
    every interval: w = clip(w + interval*A_LTP*xbar*(v_post - theta_plus)*int(v_post > theta_plus)
                                  *(u_plus_post - theta_minus)*int(u_plus_post > theta_minus), w_min, w_max)

The post-synaptic model must hold the filters ``u_minus`` and ``u_plus``
(``du_minus/dt = (v - u_minus)/tau_minus``, ``du_plus/dt = (v - u_plus)/tau_plus``);
see ``experiments/clopath2010.py``.
"""
from __future__ import annotations

from .._validate import check_float
from ..units import mV, ms
from .stdp import PlasticityRule, RuleParts


class ClopathSTDP(PlasticityRule):
    """Clopath et al. (2010) voltage-based rule (see module doc); defaults are the paper's visual-cortex values
    (with weights in units of 1).

    Parameters
    ----------
    A_LTD : float
        Depression per pre spike and volt above theta_minus (weight units per volt).
    A_LTP : float
        Potentiation rate (weight units per volt^2 per second).
    theta_minus, theta_plus : float
        Thresholds in volts.
    tau_x : float
        Pre-synaptic trace time constant in seconds.
    interval : float
        Seconds between potentiation updates (default 0.1 ms: every step at the default dt).
    w_min, w_max : float
        Bounds.
    """

    def __init__(self, *, A_LTD=14e-5 / mV, A_LTP=8e-5 / (mV * mV * ms), theta_minus=-70.6 * mV,
                 theta_plus=-45.3 * mV, tau_x=15 * ms, interval=0.1 * ms, w_min=0.0, w_max=2.0):
        self.A_LTD = check_float("A_LTD", A_LTD, nonnegative=True)
        self.A_LTP = check_float("A_LTP", A_LTP, nonnegative=True)
        self.theta_minus = check_float("theta_minus", theta_minus, unit="V")
        self.theta_plus = check_float("theta_plus", theta_plus, unit="V")
        self.tau_x = check_float("tau_x", tau_x, positive=True, unit="s")
        self.interval = check_float("interval", interval, positive=True, unit="s")
        self._set_bounds(w_min, w_max)

    def expand(self, unit):
        v = dict(A_LTD=self.A_LTD, A_LTP=self.A_LTP, theta_minus=self.theta_minus, theta_plus=self.theta_plus,
                 tau_x=self.tau_x, interval=self.interval, w_min=self.w_min, w_max=self.w_max)
        model = "\ndxbar/dt = -xbar/tau_x : 1 (clock-driven)"
        on_pre = ("\nw = clip(w - A_LTD*(u_minus_post - theta_minus)*int(u_minus_post > theta_minus), w_min, w_max)"
                  "\nxbar += 1")
        ltp = ("w = clip(w + interval*A_LTP*xbar*(v_post - theta_plus)*int(v_post > theta_plus)"
               "*(u_plus_post - theta_minus)*int(u_plus_post > theta_minus), w_min, w_max)")
        return RuleParts(model=model, on_pre=on_pre, values=v, regular=[(ltp, "synapses", self.interval)])
