"""The built-in neuron models: their variables, parameters and equations.

A model is a plain record (:class:`NeuronModel`): the names of its state
variables (``v`` first), its parameters in the order the kernels read them,
defaults, which variables are frozen while refractory, the reset, and, for
linear models, a function computing the exact propagators for a time step.
The arithmetic itself lives in :mod:`spikesim.backends._scalar`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..units import mV, ms, nS, pF, nA

LIF_CUBA, LIF_COBA, IZHIKEVICH, ADEX, IF_DISCRETE, MAXPOOL = 0, 1, 2, 3, 4, 5
POISSON, SPIKEGEN = 10, 11


@dataclass(frozen=True)
class NeuronModel:
    """Description of one built-in model (see the module-level instances)."""
    name: str
    model_id: int
    variables: tuple
    params: tuple
    defaults: dict
    initial: dict
    positive: tuple
    frozen: tuple
    methods: tuple
    reset_var_increment: tuple = ()   # (variable, parameter): var += param at reset
    reset_param: str = "v_reset"      # v = this parameter at reset
    reset_by_subtraction: bool = False  # v -= v_th at reset instead
    coefficients: Callable | None = field(default=None, repr=False)
    doc: str = ""

    @property
    def v_th_row(self):
        return self.params.index("v_th")

    @property
    def v_reset_row(self):
        return self.params.index(self.reset_param)


def _exp_cross(dt, tau_syn, tau_m):
    """Coefficient of a decaying synaptic variable in v's exact update.

    tau_syn*exp(-dt/tau_syn)*(exp(dt/tau_m) - exp(dt/tau_syn))*exp(-dt/tau_m)/(tau_syn - tau_m),
    written in the order of Brian2's generated code; the tau_syn == tau_m limit
    is (dt/tau_m) exp(-dt/tau_m).
    """
    same = tau_syn == tau_m
    ts = np.where(same, 1.0, tau_syn)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        c = ((ts * np.exp((-dt) / ts)) * ((-np.exp(dt / ts)) + np.exp(dt / tau_m))) \
            * np.exp((-dt) / tau_m) / ((0.0 - tau_m) + ts)
        # exp(dt/tau) overflows for time constants far below dt: use the equivalent stable form
        stable = ts / (ts - tau_m) * (np.exp(-dt / ts) - np.exp(-dt / tau_m))
    c = np.where(np.isfinite(c), c, stable)
    return np.where(same, dt / tau_m * np.exp(-dt / tau_m), c)


def _lif_cuba_coefficients(p, dt):
    tau_m, tau_e, tau_i = p["tau_m"], p["tau_e"], p["tau_i"]
    return np.stack([np.exp((-dt) / tau_m), np.exp((-dt) / tau_e), np.exp((-dt) / tau_i),
                     _exp_cross(dt, tau_e, tau_m), _exp_cross(dt, tau_i, tau_m)])


LIF_CUBA_MODEL = NeuronModel(
    name="lif_cuba", model_id=LIF_CUBA,
    variables=("v", "ge", "gi"),
    params=("El", "tau_m", "tau_e", "tau_i", "v_th", "v_reset", "I"),
    defaults=dict(El=-49 * mV, tau_m=20 * ms, tau_e=5 * ms, tau_i=10 * ms,
                  v_th=-50 * mV, v_reset=-60 * mV, I=0.0),
    initial=dict(v="El", ge=0.0, gi=0.0),
    positive=("tau_m", "tau_e", "tau_i"),
    frozen=("v",), methods=("exact",), coefficients=_lif_cuba_coefficients,
    doc="""Leaky integrate-and-fire with exponential current synapses (CUBA).

    dv/dt  = (ge + gi - (v - El) + I) / tau_m     (frozen while refractory)
    dge/dt = -ge / tau_e
    dgi/dt = -gi / tau_i
    spike when v > v_th (and not refractory); reset v = v_reset.

    v, ge, gi, El, I in volts (ge, gi, I are drives in voltage units, as in
    Vogels & Abbott 2005 and Brian2's CUBA example); taus in seconds.
    Integrated exactly (precomputed propagators, Brian2's ``exact``).""")

LIF_COBA_MODEL = NeuronModel(
    name="lif_coba", model_id=LIF_COBA,
    variables=("v", "ge", "gi"),
    params=("El", "Ee", "Ei", "gl", "Cm", "tau_e", "tau_i", "I", "v_th", "v_reset"),
    defaults=dict(El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, gl=10 * nS, Cm=200 * pF,
                  tau_e=5 * ms, tau_i=10 * ms, I=0.0, v_th=-50 * mV, v_reset=-60 * mV),
    initial=dict(v="El", ge=0.0, gi=0.0),
    positive=("gl", "Cm", "tau_e", "tau_i"),
    frozen=("v",), methods=("euler", "rk2", "rk4", "exponential_euler"),
    doc="""Leaky integrate-and-fire with exponential conductance synapses (COBA).

    Cm dv/dt = gl (El - v) + ge (Ee - v) + gi (Ei - v) + I   (frozen while refractory)
    dge/dt   = -ge / tau_e
    dgi/dt   = -gi / tau_i
    spike when v > v_th; reset v = v_reset.

    Potentials in volts, conductances in siemens, Cm in farads, I in amperes.
    Defaults are benchmark 1 of Brette et al. (2007).  Integrated with the
    named method (default ``euler``, as Brian2 picks for these equations).""")

IZHIKEVICH_MODEL = NeuronModel(
    name="izhikevich", model_id=IZHIKEVICH,
    variables=("v", "u"),
    params=("a", "b", "c", "d", "v_th", "I"),
    defaults=dict(a=0.02 / ms, b=0.2, c=-65 * mV, d=8 * mV, v_th=30 * mV, I=0.0),
    initial=dict(v="c", u=None),
    positive=(),
    frozen=("v",), methods=("euler", "rk2", "rk4"),
    reset_var_increment=("u", "d"), reset_param="c",
    doc="""Izhikevich (2003) simple model, in SI units.

    dv/dt = (0.04/mV v^2 + 5 v + 140 mV - u + I) / ms
    du/dt = a (b v - u)
    spike when v > v_th (30 mV); reset v = c, u = u + d.

    v, u, c, d, I in volts; a in 1/s (0.02/ms = 20 Hz); b dimensionless.
    Defaults are the regular-spiking cell.  Initial u defaults to b*v.""")

ADEX_MODEL = NeuronModel(
    name="adex", model_id=ADEX,
    variables=("v", "w"),
    params=("C", "gL", "EL", "VT", "DeltaT", "tau_w", "a", "I", "b", "v_reset", "v_th"),
    defaults=dict(C=281 * pF, gL=30 * nS, EL=-70.6 * mV, VT=-50.4 * mV, DeltaT=2 * mV,
                  tau_w=144 * ms, a=4 * nS, I=0.0, b=0.0805 * nA, v_reset=-70.6 * mV,
                  v_th=-40.4 * mV),
    initial=dict(v="EL", w=0.0),
    positive=("C", "gL", "DeltaT", "tau_w"),
    frozen=("v",), methods=("euler", "rk2", "rk4"),
    reset_var_increment=("w", "b"),
    doc="""Adaptive exponential integrate-and-fire (Brette & Gerstner 2005).

    C dv/dt    = -gL (v - EL) + gL DeltaT exp((v - VT)/DeltaT) - w + I   (frozen while refractory)
    tau_w dw/dt = a (v - EL) - w
    spike when v > v_th (default VT + 5 DeltaT); reset v = v_reset, w = w + b.

    Potentials in volts, C in farads, gL and a in siemens, w, b, I in amperes.
    Defaults are the paper's regular-spiking parameters.""")

IF_MODEL = NeuronModel(
    name="if", model_id=IF_DISCRETE,
    variables=("v",),
    params=("I", "v_th", "v_reset"),
    defaults=dict(I=0.0, v_th=1.0, v_reset=0.0),
    initial=dict(v=0.0),
    positive=("v_th",),
    frozen=("v",), methods=("exact",),
    doc="""Non-leaky integrate-and-fire in discrete time, reset to v_reset (the ANN->SNN neuron).

    v <- v + I          every step (I is a drive per step, in units of v)
    spike when v > v_th; reset v = v_reset.
    Synaptic input adds its weight to v.  See ``if_subtract`` for reset by subtraction.""")

IF_SUBTRACT_MODEL = dataclasses.replace(
    IF_MODEL, name="if_subtract", reset_by_subtraction=True,
    doc="""Non-leaky integrate-and-fire in discrete time with reset by subtraction.

    v <- v + I          every step (I is a drive per step, in units of v)
    spike when v > v_th; reset v = v - v_th (the surplus is kept, which makes the
    firing rate track a ReLU of the input: Rueckauer et al. 2017).""")

MAXPOOL_MODEL = NeuronModel(
    name="maxpool", model_id=MAXPOOL,
    variables=("v", "c0", "c1", "c2", "c3", "p0", "p1", "p2", "p3"),
    params=("I", "v_th", "v_reset"),
    defaults=dict(I=0.0, v_th=0.5, v_reset=0.0),
    initial=dict(v=0.0, c0=0.0, c1=0.0, c2=0.0, c3=0.0, p0=0.0, p1=0.0, p2=0.0, p3=0.0),
    positive=("v_th",),
    frozen=(), methods=("exact",),
    doc="""Spiking max-pooling unit over (up to) four inputs (Rueckauer et al. 2017's spike gating).

    Input k's synapses add 1 to c_k: c_k is its running spike count.  Every step
        k* = argmax_k c_k  (the first on ties),   v <- 1 if c_k* > p_k* else 0,   p_k <- c_k
    so the unit fires (v > v_th = 0.5) one step after the input with the
    largest running count fired, and passes only that input's spikes.""")

MODELS = {m.name: m for m in (LIF_CUBA_MODEL, LIF_COBA_MODEL, IZHIKEVICH_MODEL, ADEX_MODEL, IF_MODEL,
                              IF_SUBTRACT_MODEL, MAXPOOL_MODEL)}
