"""Inhibitory STDP (Vogels, Sprekeler, Zenke, Clopath & Gerstner 2011, Science 334:1569).

A symmetric rule on inhibitory synapses: near-coincident pre and post
spikes strengthen the synapse, every pre-synaptic spike alone weakens it by
``alpha``; the post-synaptic rate then settles where inhibition balances
excitation, at ``rho0 = alpha/(2 tau)``::

    dApre/dt = -Apre/tau : 1 (event-driven)
    dApost/dt = -Apost/tau : 1 (event-driven)
    on_pre:  Apre += 1;  w = clip(w + (Apost - alpha)*eta, w_min, w_max);  target_post += w
    on_post: Apost += 1; w = clip(w + Apre*eta, w_min, w_max)

(the weight is updated before its delivery, as in the paper's Brian2 code).
"""
from __future__ import annotations

from .._validate import check_float
from ..units import ms
from .stdp import PlasticityRule, RuleParts


class InhibitorySTDP(PlasticityRule):
    """Vogels et al. (2011) inhibitory plasticity (see module doc).

    Parameters
    ----------
    eta : float
        Learning rate, in weight units (> 0).
    rho0 : float
        Target post-synaptic rate in Hz (> 0); ``alpha = 2 rho0 tau``.
    tau : float
        Trace time constant in seconds (default 20 ms).
    w_min, w_max : float
        Bounds, in weight units.
    """

    def __init__(self, *, eta, rho0=5.0, tau=20 * ms, w_min=0.0, w_max=1.0):
        self.eta = check_float("eta", eta, positive=True)
        self.rho0 = check_float("rho0", rho0, positive=True, unit="Hz")
        self.tau = check_float("tau", tau, positive=True, unit="s")
        self._set_bounds(w_min, w_max)

    @property
    def alpha(self):
        return 2 * self.rho0 * self.tau

    def expand(self, unit):
        v = dict(eta=self.eta, alpha=self.alpha, tau_istdp=self.tau, w_min=self.w_min, w_max=self.w_max)
        model = ("\ndApre/dt = -Apre/tau_istdp : 1 (event-driven)"
                 "\ndApost/dt = -Apost/tau_istdp : 1 (event-driven)")
        deliver = "Apre += 1\nw = clip(w + (Apost - alpha)*eta, w_min, w_max)\n{target}_post += w"
        on_post = "Apost += 1\nw = clip(w + Apre*eta, w_min, w_max)"
        return RuleParts(model=model, on_post=on_post, values=v, deliver=deliver)
