"""Short-term synaptic plasticity: the Tsodyks-Markram model of depressing and facilitating synapses.

Each spike releases a fraction ``r = u*x`` of the synapse's resources ``x``
(``x`` recovers towards 1 with ``tau_d``); the utilisation ``u`` jumps by
``U*(1 - u)`` at each spike before the release and decays to 0 with
``tau_f`` (facilitation).  The post-synaptic effect of a spike is ``w*r``::

    dx/dt = (1 - x)/tau_d : 1 (event-driven)
    du/dt = -u/tau_f      : 1 (event-driven)
    on_pre:  u += U*(1 - u);  r = u*x;  x -= r;  target_post += w*r

Without facilitation (``tau_f=None``) ``u`` is ``U`` at every spike.  Every
synapse of one source sees the same spikes, so ``u`` and ``x`` are kept once
per source (``shared_traces``).  Tsodyks, Pawelzik & Markram (1998), Neural
Comput 10:821; Markram, Wang & Tsodyks (1998), PNAS 95:5323.
"""
from __future__ import annotations

from .._validate import check_float
from ..units import ms
from .stdp import PlasticityRule, RuleParts


class TsodyksMarkram(PlasticityRule):
    """Short-term depression and facilitation (see module doc).

    Parameters
    ----------
    U : float
        Utilisation increment in (0, 1].
    tau_d : float
        Recovery time constant of the resources in seconds (> 0).
    tau_f : float or None
        Facilitation time constant in seconds (> 0); None: no facilitation.

    Examples
    --------
    >>> from spikesim.plasticity import TsodyksMarkram
    >>> depressing = TsodyksMarkram.depressing()
    >>> depressing.U, depressing.tau_d
    (0.5, 0.8)
    """

    def __init__(self, *, U=0.5, tau_d=800 * ms, tau_f=None):
        self.U = check_float("U", U, lo=0.0, hi=1.0)
        if self.U == 0.0:
            raise ValueError("U must be in (0, 1], got 0.0")
        self.tau_d = check_float("tau_d", tau_d, positive=True, unit="s")
        self.tau_f = None if tau_f is None else check_float("tau_f", tau_f, positive=True, unit="s")
        self.w_min, self.w_max = -float("inf"), float("inf")

    @classmethod
    def depressing(cls):
        """A depressing synapse: large release, slow recovery, no facilitation (U = 0.5, tau_d = 800 ms)."""
        return cls(U=0.5, tau_d=800 * ms, tau_f=None)

    @classmethod
    def facilitating(cls):
        """A facilitating synapse: small release, fast recovery, slow facilitation
        (U = 0.03, tau_d = 100 ms, tau_f = 1 s)."""
        return cls(U=0.03, tau_d=100 * ms, tau_f=1000 * ms)

    def _check_weights(self, w):
        pass

    def expand(self, unit):
        v = dict(U=self.U, tau_d=self.tau_d, x=1.0)
        model = "\ndx/dt = (1 - x)/tau_d : 1 (event-driven)"
        if self.tau_f is None:
            deliver = "r = U*x\nx -= r\n{target}_post += w*r"
        else:
            model += "\ndu/dt = -u/tau_f : 1 (event-driven)"
            v["tau_f"] = self.tau_f
            deliver = "u += U*(1 - u)\nr = u*x\nx -= r\n{target}_post += w*r"
        return RuleParts(model=model, values=v, deliver=deliver)
