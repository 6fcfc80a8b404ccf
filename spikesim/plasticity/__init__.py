"""Synaptic plasticity rules, attached to a Synapses object with ``plasticity=``.

* :class:`STDP` — pair-based spike-timing-dependent plasticity (exponential or
  rectangular window, all-to-all or nearest-spike pairing, hard/multiplicative/soft bounds).
* :class:`TripletSTDP` — Pfister & Gerstner (2006), with the published parameter sets.
* :class:`Hebb`, :class:`Oja`, :class:`BCM` — rate-based Hebbian rules on filtered spike trains.
* :class:`TsodyksMarkram` — short-term depression and facilitation.
* :class:`RewardSTDP` — dopamine-modulated STDP with eligibility traces (Izhikevich 2007).
* :class:`InhibitorySTDP` — inhibitory plasticity that balances excitation (Vogels et al. 2011).
* :class:`ClopathSTDP` — voltage-based STDP (Clopath et al. 2010).
* :mod:`.homeostasis` — adaptive thresholds and weight normalisation.

Every rule is a preset: it expands to synapse equations and statements in Brian2's syntax
(:meth:`PlasticityRule.expand`), run by the same machinery as a rule written by hand.
"""
from .hebbian import BCM, Hebb, Oja
from .inhibitory import InhibitorySTDP
from .reward import RewardSTDP
from .short_term import TsodyksMarkram
from .stdp import STDP, TRIPLET_PRESETS, PlasticityRule, TripletSTDP
from .voltage import ClopathSTDP

__all__ = ["STDP", "TripletSTDP", "TRIPLET_PRESETS", "Hebb", "Oja", "BCM", "TsodyksMarkram", "RewardSTDP",
           "InhibitorySTDP", "ClopathSTDP", "PlasticityRule"]
