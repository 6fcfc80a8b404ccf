"""Spike-timing-dependent plasticity rules (event-driven).

Traces are never integrated step by step: each trace stores its value and
the step of its last update, and is decayed analytically,
``x <- x * exp(-(n - n_last) * dt / tau)``, when a spike reads or bumps it.
Pre-synaptic traces are kept per (source neuron, delay) — the synapses that
receive a spike at the same moment — and post-synaptic traces per post
neuron, which for these rules is equivalent to one trace per synapse and
costs no memory per synapse.

Schedule: a pre-synaptic spike acts when it *arrives* (after the delay):
first its effect on the post-synaptic variable, then the pre-side update.
Post-side updates run after all pre-side ones of the same step, so a pre
and a post spike in the same step count as pre-before-post (as in Brian2).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ..units import ms

RULE_NONE, RULE_PAIR, RULE_TRIPLET = 0, 1, 2
WINDOW_EXP, WINDOW_RECT = 0, 1
PAIR_ALL, PAIR_NEAREST = 0, 1

# rule_info row: kind, window, pairing, ring size, window length in steps
INFO_KIND, INFO_WINDOW, INFO_PAIRING, INFO_RING, INFO_WSTEPS = range(5)


class PlasticityRule:
    """Base class: parameters packed into arrays for the kernels."""

    kind = RULE_NONE

    def _set_bounds(self, w_min, w_max):
        self.w_max = check_float("w_max", w_max, positive=True)
        self.w_min = check_float("w_min", w_min)
        if self.w_min >= self.w_max:
            raise ValueError(f"w_min must be < w_max={self.w_max}, got {self.w_min}")

    def _check_weights(self, w):
        lo, hi = self.w_min, self.w_max
        bad = (w < lo) | (w > hi)
        if bad.any():
            raise ValueError(f"initial weights must lie within the rule's bounds [w_min={lo}, w_max={hi}], got "
                             f"{w[bad][0]}")

    def _arrays(self, dt):
        """(info int64 array, parameters float64 array) for the kernels."""
        raise NotImplementedError

    def trace_taus(self):
        """Time constants of the decay-factor table rows, in the order the kernels index them."""
        raise NotImplementedError


class STDP(PlasticityRule):
    """Pair-based STDP.

    For a pre-synaptic spike at ``t_pre`` and a post-synaptic spike at
    ``t_post`` with ``s = t_post - t_pre``, the weight changes by

    * exponential window: ``A_plus * exp(-s/tau_plus)`` if ``s >= 0`` (pre before
      post potentiates), ``A_minus * exp(s/tau_minus)`` if ``s < 0`` (post before
      pre depresses, ``A_minus < 0``);
    * rectangular window: ``A_plus`` for ``0 <= s <= window``, ``A_minus`` for
      ``-window <= s < 0``, nothing beyond.

    ``pairing="all"`` sums over all pairs (traces add ``A`` at each spike);
    ``pairing="nearest"`` pairs each spike only with the most recent spike of
    the other side (traces are reset to ``A``).

    Weight dependence: a change ``dw > 0`` is scaled by ``((w_max - w)/w_max)**mu``,
    ``dw < 0`` by ``(w/w_max)**mu``, then ``w`` is clipped to ``[w_min, w_max]``.
    ``bounds="hard"`` is mu = 0 (additive with hard bounds), ``"multiplicative"``
    mu = 1, ``"soft"`` uses the given ``mu`` (Gütig et al. 2003).

    Parameters
    ----------
    A_plus, A_minus : float
        Amplitudes in weight units (A_minus usually negative).
    tau_plus, tau_minus : float
        Trace time constants in seconds (> 0); default 20 ms.
    w_max : float
        Upper bound (> 0), in weight units.
    w_min : float
        Lower bound (default 0).
    window : {"exponential", "rectangular"}
    window_length : float
        Width of the rectangular window in seconds (default 20 ms).
    pairing : {"all", "nearest"}
    bounds : {"hard", "multiplicative", "soft"}
    mu : float
        Exponent of the soft-bound weight dependence (>= 0).
    max_spikes_in_window : int
        Rectangular window with all-to-all pairing: spikes of one neuron that
        may fall inside one window (a ring buffer per neuron; more is an error).
    """

    kind = RULE_PAIR

    def __init__(self, *, A_plus=0.01, A_minus=-0.0105, tau_plus=20 * ms, tau_minus=20 * ms, w_max=1.0,
                 w_min=0.0, window="exponential", window_length=20 * ms, pairing="all", bounds="hard", mu=None,
                 max_spikes_in_window=64):
        self.A_plus = check_float("A_plus", A_plus)
        self.A_minus = check_float("A_minus", A_minus)
        self.tau_plus = check_float("tau_plus", tau_plus, positive=True, unit="s")
        self.tau_minus = check_float("tau_minus", tau_minus, positive=True, unit="s")
        self._set_bounds(w_min, w_max)
        if window not in ("exponential", "rectangular"):
            raise ValueError(f"window must be 'exponential' or 'rectangular', got {window!r}")
        if pairing not in ("all", "nearest"):
            raise ValueError(f"pairing must be 'all' or 'nearest', got {pairing!r}")
        if bounds not in ("hard", "multiplicative", "soft"):
            raise ValueError(f"bounds must be 'hard', 'multiplicative' or 'soft', got {bounds!r}")
        self.window, self.pairing, self.bounds = window, pairing, bounds
        self.window_length = check_float("window_length", window_length, positive=True, unit="s")
        if bounds == "soft":
            if mu is None:
                raise ValueError("mu must be given for bounds='soft' (0 = additive, 1 = multiplicative)")
            self.mu = check_float("mu", mu, nonnegative=True)
        elif mu is not None:
            raise ValueError(f"mu only applies to bounds='soft', got mu={mu} with bounds={bounds!r}")
        else:
            self.mu = 0.0 if bounds == "hard" else 1.0
        self.max_spikes_in_window = check_int("max_spikes_in_window", max_spikes_in_window, minimum=1)

    @property
    def ring_size(self):
        if self.window != "rectangular":
            return 0
        return 1 if self.pairing == "nearest" else self.max_spikes_in_window

    def _arrays(self, dt):
        info = np.array([self.kind, WINDOW_EXP if self.window == "exponential" else WINDOW_RECT,
                         PAIR_ALL if self.pairing == "all" else PAIR_NEAREST, self.ring_size,
                         int(self.window_length / dt + 0.5)], dtype=np.int64)
        par = np.array([self.A_plus, self.A_minus, self.tau_plus, self.tau_minus, self.w_min, self.w_max, self.mu],
                       dtype=np.float64)
        return info, par

    def trace_taus(self):
        return (self.tau_plus, self.tau_minus)

    def window_function(self, s):
        """Weight change of one isolated pair as a function of ``s = t_post - t_pre`` (seconds)."""
        s = np.asarray(s, dtype=float)
        if self.window == "exponential":
            return np.where(s >= 0, self.A_plus * np.exp(-s / self.tau_plus), self.A_minus * np.exp(s / self.tau_minus))
        return np.where((s >= 0) & (s <= self.window_length), self.A_plus,
                        np.where((s < 0) & (s >= -self.window_length), self.A_minus, 0.0))


#: Pfister & Gerstner (2006), Table 4, "full" triplet models fitted to visual
#: cortex (Sjöström et al. 2001) and hippocampal (Wang et al. 2005) data,
#: with all-to-all and nearest-spike interactions.  Amplitudes are relative
#: to the weight scale; times in seconds.
TRIPLET_PRESETS = {
    "visual_all_to_all": dict(pairing="all", tau_plus=16.8e-3, tau_minus=33.7e-3, tau_x=101e-3, tau_y=125e-3,
                              A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, A3_minus=2.3e-4),
    "visual_nearest": dict(pairing="nearest", tau_plus=16.8e-3, tau_minus=33.7e-3, tau_x=714e-3, tau_y=40e-3,
                           A2_plus=8.8e-11, A3_plus=5.3e-2, A2_minus=6.6e-3, A3_minus=3.1e-3),
    "hippocampal_all_to_all": dict(pairing="all", tau_plus=16.8e-3, tau_minus=33.7e-3, tau_x=946e-3,
                                   tau_y=27e-3, A2_plus=6.1e-3, A3_plus=6.7e-3, A2_minus=1.6e-3, A3_minus=1.4e-3),
    "hippocampal_nearest": dict(pairing="nearest", tau_plus=16.8e-3, tau_minus=33.7e-3, tau_x=575e-3,
                                tau_y=47e-3, A2_plus=4.6e-3, A3_plus=9.1e-3, A2_minus=3e-3, A3_minus=7.5e-9),
}


class TripletSTDP(PlasticityRule):
    """Triplet STDP (Pfister & Gerstner 2006).

    Pre traces r1 (tau_plus), r2 (tau_x); post traces o1 (tau_minus), o2 (tau_y);
    each jumps by 1 at its neuron's spikes (``pairing="all"``) or is reset to 1
    (``"nearest"``).  At a pre spike (arrival):  w -= o1 * (A2_minus + A3_minus * r2),
    with r2 taken just before the spike; at a post spike:
    w += r1 * (A2_plus + A3_plus * o2), o2 taken just before the spike.
    Weights are clipped to ``[w_min, w_max]``.

    Use ``TripletSTDP.preset(name, w_max=...)`` for the published parameter sets
    (:data:`TRIPLET_PRESETS`).
    """

    kind = RULE_TRIPLET

    def __init__(self, *, A2_plus, A3_plus, A2_minus, A3_minus, tau_plus=16.8e-3, tau_minus=33.7e-3,
                 tau_x=101e-3, tau_y=125e-3, pairing="all", w_max=1.0, w_min=0.0):
        for name, val in dict(A2_plus=A2_plus, A3_plus=A3_plus, A2_minus=A2_minus, A3_minus=A3_minus).items():
            setattr(self, name, check_float(name, val, nonnegative=True))
        for name, val in dict(tau_plus=tau_plus, tau_minus=tau_minus, tau_x=tau_x, tau_y=tau_y).items():
            setattr(self, name, check_float(name, val, positive=True, unit="s"))
        if pairing not in ("all", "nearest"):
            raise ValueError(f"pairing must be 'all' or 'nearest', got {pairing!r}")
        self.pairing = pairing
        self._set_bounds(w_min, w_max)

    @classmethod
    def preset(cls, name, **overrides):
        """A rule with one of the published parameter sets (see :data:`TRIPLET_PRESETS`)."""
        if name not in TRIPLET_PRESETS:
            raise ValueError(f"name must be one of {sorted(TRIPLET_PRESETS)}, got {name!r}")
        kw = dict(TRIPLET_PRESETS[name])
        kw.update(overrides)
        return cls(**kw)

    ring_size = 0

    def trace_taus(self):
        return (self.tau_plus, self.tau_x, self.tau_minus, self.tau_y)

    def _arrays(self, dt):
        info = np.array([self.kind, WINDOW_EXP, PAIR_ALL if self.pairing == "all" else PAIR_NEAREST, 0, 0],
                        dtype=np.int64)
        par = np.array([self.A2_plus, self.A3_plus, self.A2_minus, self.A3_minus, self.tau_plus, self.tau_x,
                        self.tau_minus, self.tau_y, self.w_min, self.w_max], dtype=np.float64)
        return info, par
