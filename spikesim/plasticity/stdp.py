"""Spike-timing-dependent plasticity rules, as presets that expand to synapse equations.

A rule preset (:class:`STDP`, :class:`TripletSTDP`) is a description: its
parameters, validated, and :meth:`PlasticityRule.expand`, which writes the
rule in Brian2's syntax (traces as ``(event-driven)`` equations, ``on_pre``
and ``on_post`` statements).  ``Synapses(pre, post, "ge", plasticity=rule)``
adds them to ``model="w : <unit>"``, ``on_pre="ge_post += w"``, so a preset
runs through exactly the path of a rule a user writes (see
docs/plasticity.md for the expansion of each).  Presets store their traces
once per source and per target (``shared_traces``), which for these rules
equals one trace per synapse.

Schedule: a pre-synaptic spike acts when it *arrives* (after the delay):
first its effect on the post-synaptic variable, then the rule's pre-side
statements.  Post-side statements run after all pre-side ones of the same
step, so a pre and a post spike in the same step count as pre-before-post
(as in Brian2).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import check_choice, check_float, check_int
from ..units import ms


@dataclass
class RuleParts:
    """What a rule adds to a Synapses: model lines, statements, values, regular operations, spike windows.

    ``deliver``: the whole pre-side code, delivery included, with ``{target}`` for
    the post variable (e.g. ``"...\n{target}_post += w*r"``); by default the
    delivery ``{target}_post += w`` comes first, then ``on_pre``.
    """
    model: str = ""
    on_pre: str = ""
    on_post: str = ""
    values: dict = field(default_factory=dict)
    regular: list = field(default_factory=list)      # (code, when, interval in seconds)
    window: tuple | None = None                      # (spikes kept per neuron, window length in seconds)
    deliver: str | None = None


def bounded(dw, mu, unit="1"):
    """``w = clip(w + dw, w_min, w_max)``, with soft-bound scaling of dw when mu != 0.

    A positive change is scaled by ``((w_max - w)/w_max)**mu``, a negative one by
    ``(w/w_max)**mu`` (Guetig et al. 2003; mu = 1: multiplicative); ``unit`` is w's unit.
    """
    if mu == 0.0:
        return f"w = clip(w + {dw}, w_min, w_max)"
    zero = "0" if unit == "1" else f"0*{unit}"
    return (f"w = clip(w + ({dw})*int(({dw}) > {zero})*((w_max - w)/w_max)**mu"
            f" + ({dw})*int(({dw}) <= {zero})*(w/w_max)**mu, w_min, w_max)")


class PlasticityRule:
    """Base class of the rule presets: bounds and the expansion to equations."""

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

    def expand(self, unit):
        """The rule in Brian2's syntax for weights ``w`` of unit ``unit``: a :class:`RuleParts`."""
        raise NotImplementedError

    def equations(self, unit="1"):
        """The rule as it runs: model lines and pathway statements (text)."""
        p = self.expand(unit)
        pre = p.deliver.format(target="TARGET") if p.deliver else "TARGET_post += w" + p.on_pre
        return (f"model:{p.model}\non_pre:\n{pre}\non_post:\n{p.on_post.strip()}"
                + "".join(f"\nevery {dt:g} s: {code}" for code, _, dt in p.regular))


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

    def __init__(self, *, A_plus=0.01, A_minus=-0.0105, tau_plus=20 * ms, tau_minus=20 * ms, w_max=1.0,
                 w_min=0.0, window="exponential", window_length=20 * ms, pairing="all", bounds="hard", mu=None,
                 max_spikes_in_window=64):
        self.A_plus = check_float("A_plus", A_plus)
        self.A_minus = check_float("A_minus", A_minus)
        self.tau_plus = check_float("tau_plus", tau_plus, positive=True, unit="s")
        self.tau_minus = check_float("tau_minus", tau_minus, positive=True, unit="s")
        self._set_bounds(w_min, w_max)
        check_choice("window", window, ("exponential", "rectangular"))
        check_choice("pairing", pairing, ("all", "nearest"))
        check_choice("bounds", bounds, ("hard", "multiplicative", "soft"))
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

    def expand(self, unit):
        v = dict(A_plus=self.A_plus, A_minus=self.A_minus, w_min=self.w_min, w_max=self.w_max)
        if self.mu != 0.0:
            v["mu"] = self.mu
        if self.window == "exponential":
            v.update(tau_plus=self.tau_plus, tau_minus=self.tau_minus)
            op = "=" if self.pairing == "nearest" else "+="
            model = (f"\ndApre/dt = -Apre/tau_plus : {unit} (event-driven)"
                     f"\ndApost/dt = -Apost/tau_minus : {unit} (event-driven)")
            on_pre = f"\nApre {op} A_plus\n{bounded('Apost', self.mu, unit)}"
            on_post = f"Apost {op} A_minus\n{bounded('Apre', self.mu, unit)}"
            return RuleParts(model, on_pre, on_post, v)
        # rectangular window: count the other side's spikes inside it (kept in a ring per neuron)
        v["window_length"] = self.window_length
        on_pre = f"\n{bounded('A_minus*n_post_spikes(dt, window_length)', self.mu, unit)}"
        on_post = bounded("A_plus*n_pre_spikes(0*second, window_length)", self.mu, unit)
        ring = 1 if self.pairing == "nearest" else self.max_spikes_in_window
        return RuleParts("", on_pre, on_post, v, window=(ring, self.window_length))

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

    def __init__(self, *, A2_plus, A3_plus, A2_minus, A3_minus, tau_plus=16.8e-3, tau_minus=33.7e-3,
                 tau_x=101e-3, tau_y=125e-3, pairing="all", w_max=1.0, w_min=0.0):
        for name, val in dict(A2_plus=A2_plus, A3_plus=A3_plus, A2_minus=A2_minus, A3_minus=A3_minus).items():
            setattr(self, name, check_float(name, val, nonnegative=True))
        for name, val in dict(tau_plus=tau_plus, tau_minus=tau_minus, tau_x=tau_x, tau_y=tau_y).items():
            setattr(self, name, check_float(name, val, positive=True, unit="s"))
        check_choice("pairing", pairing, ("all", "nearest"))
        self.pairing = pairing
        self._set_bounds(w_min, w_max)

    @classmethod
    def preset(cls, name, **overrides):
        """A rule with one of the published parameter sets (see :data:`TRIPLET_PRESETS`)."""
        if not isinstance(name, str) or name not in TRIPLET_PRESETS:
            raise ValueError(f"name must be one of {sorted(TRIPLET_PRESETS)}, got {name!r}")
        kw = dict(TRIPLET_PRESETS[name])
        kw.update(overrides)
        return cls(**kw)

    def expand(self, unit):
        v = dict(A2_plus=self.A2_plus, A3_plus=self.A3_plus, A2_minus=self.A2_minus, A3_minus=self.A3_minus,
                 tau_plus=self.tau_plus, tau_minus=self.tau_minus, tau_x=self.tau_x, tau_y=self.tau_y,
                 w_min=self.w_min, w_max=self.w_max)
        op = "=" if self.pairing == "nearest" else "+="
        model = ("\ndr1/dt = -r1/tau_plus : 1 (event-driven)\ndr2/dt = -r2/tau_x : 1 (event-driven)"
                 "\ndo1/dt = -o1/tau_minus : 1 (event-driven)\ndo2/dt = -o2/tau_y : 1 (event-driven)")
        on_pre = f"\nw = clip(w - o1*(A2_minus + A3_minus*r2), w_min, w_max)\nr1 {op} 1\nr2 {op} 1"
        on_post = f"w = clip(w + r1*(A2_plus + A3_plus*o2), w_min, w_max)\no1 {op} 1\no2 {op} 1"
        return RuleParts(model, on_pre, on_post, v)
