"""Synaptic plasticity rules, attached to a Synapses object with ``plasticity=``.

* :class:`STDP` — pair-based spike-timing-dependent plasticity (exponential or
  rectangular window, all-to-all or nearest-spike pairing, hard/multiplicative/soft bounds).
* :class:`TripletSTDP` — Pfister & Gerstner (2006), with the published parameter sets.
* :class:`Hebb`, :class:`Oja`, :class:`BCM` — rate-based Hebbian rules on filtered spike trains.
* :mod:`.homeostasis` — adaptive thresholds and weight normalisation.
"""
from .hebbian import BCM, Hebb, Oja
from .stdp import STDP, TRIPLET_PRESETS, TripletSTDP

__all__ = ["STDP", "TripletSTDP", "TRIPLET_PRESETS", "Hebb", "Oja", "BCM"]
