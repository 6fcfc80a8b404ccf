"""Homeostasis: adaptive thresholds and normalisation of incoming weights.

* :class:`AdaptiveThreshold` (defined in :mod:`.adaptive_threshold`, which a
  NeuronGroup imports without the synapses) — each neuron's threshold is
  ``v_th + theta``; ``theta`` grows by ``theta_plus`` at every spike and
  decays, ``dtheta/dt = -theta/tau_theta`` (Diehl & Cook 2015).
* :class:`Normalization` — a network object: every ``interval`` seconds the
  weights onto each post-synaptic neuron are scaled so that they sum to
  ``total`` (neurons with no input weight are left alone).
"""
from __future__ import annotations

from .._validate import check_float
from ..model.synapses import Synapses
from .adaptive_threshold import AdaptiveThreshold

__all__ = ["AdaptiveThreshold", "Normalization"]      # AdaptiveThreshold: re-exported where it was defined before


class Normalization:
    """Scale the weights onto every post-synaptic neuron of ``synapses`` to sum to ``total``.

    Runs at the end of every step ``n`` with ``n % round(interval/dt) == 0``
    (after resets), so it also acts at the very first step; with
    ``interval=None`` only when a :class:`~spikesim.Presentation` lists it
    in ``before_show`` (at the start of each showing).  The sum runs over
    the synapses in the order of the post-side index (by source neuron).

    Parameters
    ----------
    synapses : Synapses
    total : float
        Target sum of the incoming weights of each post neuron (> 0).
    interval : float or None
        Seconds between normalisations (a whole number of steps), or None.
    variable : str
        The synaptic variable scaled (default the weight).
    """

    def __init__(self, synapses, total, interval=None, variable="w", name=None):
        if not isinstance(synapses, Synapses):
            raise TypeError(f"synapses must be a Synapses object, got {type(synapses).__name__}")
        variable = synapses._var(variable)
        if variable not in synapses._rows:
            raise ValueError(f"variable must be a synaptic variable stored per synapse ({list(synapses._rows)}), "
                             f"got {variable!r}")
        self.synapses = synapses
        self.variable = variable
        self.total = check_float("total", total, positive=True)
        self.interval = None if interval is None else check_float("interval", interval, positive=True, unit="s")
        self.name = name
        synapses._needs_reverse = True

    def _steps(self, dt):
        """Steps between two normalisations; 0 when it only runs on demand (interval None)."""
        if self.interval is None:
            return 0
        from .._validate import MAX_STEPS
        if not self.interval / dt < MAX_STEPS:
            raise ValueError(f"interval must be less than {MAX_STEPS:.3g} steps of dt={dt} s, got {self.interval} s")
        k = int(round(self.interval / dt))
        if k < 1 or abs(k * dt - self.interval) > 1e-6 * dt:
            raise ValueError(f"interval must be a whole number of steps of dt={dt} s, got {self.interval} s")
        return k
