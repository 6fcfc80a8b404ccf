"""Synaptic plasticity rules, attached to a Synapses object with ``plasticity=``.

* :class:`STDP` — pair-based spike-timing-dependent plasticity (exponential or
  rectangular window, all-to-all or nearest-spike pairing, hard/multiplicative/soft bounds).
* :class:`TripletSTDP` — Pfister & Gerstner (2006), with the published parameter sets.
"""
from .stdp import STDP, TRIPLET_PRESETS, TripletSTDP

__all__ = ["STDP", "TripletSTDP", "TRIPLET_PRESETS"]
