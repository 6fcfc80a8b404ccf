"""Reward-modulated STDP with eligibility traces (Izhikevich 2007, Cereb Cortex 17:2443).

Pair-based STDP does not change the weight directly: it moves an
eligibility trace ``c`` that decays with ``tau_c`` (~1 s); the weight moves
in proportion to ``c`` times the dopamine concentration ``d`` of the
post-synaptic neuron (a variable of its model, raised by reward and
decaying), so that a reward arriving seconds after a pre-post pairing still
strengthens that synapse ("solving the distal reward problem")::

    dc/dt = -c/tau_c : 1 (clock-driven)
    dApre/dt = -Apre/tau_plus : 1 (event-driven)
    dApost/dt = -Apost/tau_minus : 1 (event-driven)
    on_pre:  Apre += A_plus;  c += Apost
    on_post: Apost += A_minus; c += Apre
    every interval: w = clip(w + interval*eta*c*d_post, w_min, w_max)
"""
from __future__ import annotations

import re

from .._validate import check_float
from ..units import ms, second
from .stdp import PlasticityRule, RuleParts


class RewardSTDP(PlasticityRule):
    """Dopamine-modulated STDP (see module doc).

    Parameters
    ----------
    A_plus, A_minus : float
        STDP amplitudes of the eligibility trace (A_minus usually negative).
    tau_plus, tau_minus : float
        STDP windows in seconds.
    tau_c : float
        Eligibility time constant in seconds.
    eta : float
        Weight change per second per unit of ``c*d``, in weight units.
    dopamine : str
        Name of the post-synaptic model's dopamine variable (default ``"d"``).
    interval : float
        Seconds between weight updates (default 1 ms).
    w_min, w_max : float
        Bounds, in weight units.
    """

    def __init__(self, *, eta, A_plus=1.0, A_minus=-1.5, tau_plus=20 * ms, tau_minus=20 * ms, tau_c=1 * second,
                 dopamine="d", interval=1 * ms, w_min=0.0, w_max=1.0):
        self.eta = check_float("eta", eta, positive=True)
        self.A_plus = check_float("A_plus", A_plus)
        self.A_minus = check_float("A_minus", A_minus)
        self.tau_plus = check_float("tau_plus", tau_plus, positive=True, unit="s")
        self.tau_minus = check_float("tau_minus", tau_minus, positive=True, unit="s")
        self.tau_c = check_float("tau_c", tau_c, positive=True, unit="s")
        self.interval = check_float("interval", interval, positive=True, unit="s")
        if not isinstance(dopamine, str) or not re.fullmatch(r"[A-Za-z]\w*", dopamine):
            raise ValueError(f"dopamine must be the name of a variable of the post-synaptic model, got {dopamine!r}")
        self.dopamine = dopamine
        self._set_bounds(w_min, w_max)

    def expand(self, unit):
        v = dict(A_plus=self.A_plus, A_minus=self.A_minus, tau_plus=self.tau_plus, tau_minus=self.tau_minus,
                 tau_c=self.tau_c, eta=self.eta, interval=self.interval, w_min=self.w_min, w_max=self.w_max)
        model = ("\ndc/dt = -c/tau_c : 1 (clock-driven)"
                 "\ndApre/dt = -Apre/tau_plus : 1 (event-driven)"
                 "\ndApost/dt = -Apost/tau_minus : 1 (event-driven)")
        update = f"w = clip(w + interval*eta*c*{self.dopamine}_post, w_min, w_max)"
        return RuleParts(model=model, on_pre="\nApre += A_plus\nc += Apost", on_post="Apost += A_minus\nc += Apre",
                         values=v, regular=[(update, "synapses", self.interval)])
