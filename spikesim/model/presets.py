"""The built-in neuron models, as equations in Brian2's syntax.

A preset is only a description (:class:`NeuronPreset`): its equations,
threshold, reset, default method, and a table of its parameters (name,
default, unit, meaning) and initial values.  ``NeuronGroup(n, "lif_cuba")``
runs it through the same path as a model a user writes, so the built-ins
and user models are compiled, run and exported to Brian2 identically.
docs/models.md is generated from these tables (:func:`model_table`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..units import mV, ms, nA, nS, pF

# Hodgkin-Huxley (Traub & Miles) cell of Brette et al. (2007), benchmark 3: area 20000 um^2
_AREA = 20000e-12


@dataclass(frozen=True)
class Param:
    """One row of a model's parameter table."""
    default: float
    unit: str
    meaning: str
    positive: bool = False


@dataclass(frozen=True)
class NeuronPreset:
    """A named neuron model: equations and the defaults that go with them.

    ``initial`` gives state variables' initial values: a number, the name of
    a parameter (``v = El``), or a function of the group's values dict
    (Izhikevich's ``u = b*v``).
    """
    name: str
    equations: str
    threshold: str
    reset: str | None
    method: str | None
    params: dict
    initial: dict
    doc: str
    reference: str = ""
    refractory: float = 0.0
    regular: tuple = field(default=())     # (code, when) run every step
    ignored: tuple = field(default=())     # names accepted for compatibility with a sibling model, unused

    @property
    def defaults(self):
        return {k: p.default for k, p in self.params.items()}

    @property
    def positive(self):
        return tuple(k for k, p in self.params.items() if p.positive)


LIF_CUBA = NeuronPreset(
    name="lif_cuba",
    equations="""
dv/dt = (ge + gi - (v - El) + I)/tau_m : volt (unless refractory)
dge/dt = -ge/tau_e : volt
dgi/dt = -gi/tau_i : volt""",
    threshold="v > v_th", reset="v = v_reset", method="exact",
    params=dict(El=Param(-49 * mV, "volt", "resting potential"),
                tau_m=Param(20 * ms, "second", "membrane time constant", True),
                tau_e=Param(5 * ms, "second", "excitatory synaptic time constant", True),
                tau_i=Param(10 * ms, "second", "inhibitory synaptic time constant", True),
                v_th=Param(-50 * mV, "volt", "threshold"), v_reset=Param(-60 * mV, "volt", "reset potential"),
                I=Param(0.0, "volt", "constant drive (in voltage units)")),
    initial=dict(v="El", ge=0.0, gi=0.0),
    doc="Leaky integrate-and-fire with exponential current synapses (CUBA); ge, gi and I are drives in "
        "volts, as in Vogels & Abbott (2005) and Brian2's CUBA example. Integrated exactly.",
    reference="Vogels & Abbott (2005), J Neurosci 25:10786; Brette et al. (2007) benchmark 2")

LIF_COBA = NeuronPreset(
    name="lif_coba",
    equations="""
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) + I)/Cm : volt (unless refractory)
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens""",
    threshold="v > v_th", reset="v = v_reset", method="euler",
    params=dict(El=Param(-60 * mV, "volt", "leak reversal potential"),
                Ee=Param(0 * mV, "volt", "excitatory reversal potential"),
                Ei=Param(-80 * mV, "volt", "inhibitory reversal potential"),
                gl=Param(10 * nS, "siemens", "leak conductance", True),
                Cm=Param(200 * pF, "farad", "membrane capacitance", True),
                tau_e=Param(5 * ms, "second", "excitatory synaptic time constant", True),
                tau_i=Param(10 * ms, "second", "inhibitory synaptic time constant", True),
                I=Param(0.0, "amp", "constant input current"),
                v_th=Param(-50 * mV, "volt", "threshold"), v_reset=Param(-60 * mV, "volt", "reset potential")),
    initial=dict(v="El", ge=0.0, gi=0.0),
    doc="Leaky integrate-and-fire with exponential conductance synapses (COBA). Default method euler "
        "(Brian2's choice for these equations); exponential_euler is stable under large conductances.",
    reference="Brette et al. (2007) benchmark 1")

IZHIKEVICH = NeuronPreset(
    name="izhikevich",
    equations="""
dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + I)/ms : volt (unless refractory)
du/dt = a*(b*v - u) : volt""",
    threshold="v > v_th", reset="v = c; u += d", method="euler",
    params=dict(a=Param(0.02 / ms, "hertz", "recovery rate"), b=Param(0.2, "1", "recovery sensitivity"),
                c=Param(-65 * mV, "volt", "reset potential"), d=Param(8 * mV, "volt", "recovery increment"),
                v_th=Param(30 * mV, "volt", "spike cut-off"), I=Param(0.0, "volt", "input (in voltage units)")),
    initial=dict(v="c", u=lambda values: values["b"] * values["v"]),
    doc="Izhikevich (2003) simple model in SI units; defaults are the regular-spiking cell; u starts at b*v.",
    reference="Izhikevich (2003), IEEE Trans Neural Netw 14:1569")

ADEX = NeuronPreset(
    name="adex",
    equations="""
dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C : volt (unless refractory)
dw/dt = (a*(v - EL) - w)/tau_w : amp""",
    threshold="v > v_th", reset="v = v_reset; w += b", method="euler",
    params=dict(C=Param(281 * pF, "farad", "membrane capacitance", True),
                gL=Param(30 * nS, "siemens", "leak conductance", True),
                EL=Param(-70.6 * mV, "volt", "leak reversal potential"),
                VT=Param(-50.4 * mV, "volt", "rheobase threshold"),
                DeltaT=Param(2 * mV, "volt", "slope factor", True),
                tau_w=Param(144 * ms, "second", "adaptation time constant", True),
                a=Param(4 * nS, "siemens", "subthreshold adaptation"), I=Param(0.0, "amp", "input current"),
                b=Param(0.0805 * nA, "amp", "spike-triggered adaptation"),
                v_reset=Param(-70.6 * mV, "volt", "reset potential"),
                v_th=Param(-40.4 * mV, "volt", "spike cut-off (VT + 5 DeltaT)")),
    initial=dict(v="EL", w=0.0),
    doc="Adaptive exponential integrate-and-fire; defaults are the paper's regular-spiking parameters.",
    reference="Brette & Gerstner (2005), J Neurophysiol 94:3637")

IF = NeuronPreset(
    name="if",
    equations="""
dv/dt = I/dt : 1""",
    threshold="v > v_th", reset="v = v_reset", method="euler",
    params=dict(I=Param(0.0, "1", "drive per time step (in units of v)"),
                v_th=Param(1.0, "1", "threshold", True), v_reset=Param(0.0, "1", "reset value")),
    initial=dict(v=0.0),
    doc="Non-leaky integrate-and-fire in discrete time (v <- v + I every step; the ANN->SNN neuron); "
        "synaptic input adds its weight to v.")

IF_SUBTRACT = NeuronPreset(
    name="if_subtract", equations=IF.equations, threshold="v > v_th", reset="v -= v_th", method="euler",
    params=dict(I=IF.params["I"], v_th=IF.params["v_th"]), initial=dict(v=0.0), ignored=("v_reset",),
    doc="Non-leaky integrate-and-fire in discrete time with reset by subtraction (v <- v - v_th): the "
        "surplus is kept, so the rate tracks a ReLU of the input.",
    reference="Rueckauer et al. (2017), Front Neurosci 11:682")

# Spiking max-pooling: c_k counts the spikes of input k (its synapses add 1), p_k is last step's count.
# Every step the unit passes a spike of the input with the largest count (the first on ties): counts are
# whole numbers, so the arithmetic below is exact.
_MAXPOOL_UPDATE = ("cb = c0; pb = p0; "
                   "g1 = 1.0*int(c1 > cb); cb = cb + g1*(c1 - cb); pb = pb + g1*(p1 - pb); "
                   "g2 = 1.0*int(c2 > cb); cb = cb + g2*(c2 - cb); pb = pb + g2*(p2 - pb); "
                   "g3 = 1.0*int(c3 > cb); cb = cb + g3*(c3 - cb); pb = pb + g3*(p3 - pb); "
                   "v = 1.0*int(cb > pb); p0 = c0; p1 = c1; p2 = c2; p3 = c3")

MAXPOOL = NeuronPreset(
    name="maxpool",
    equations="""
v : 1
c0 : 1
c1 : 1
c2 : 1
c3 : 1
p0 : 1
p1 : 1
p2 : 1
p3 : 1""",
    threshold="v > v_th", reset="v = v_reset", method=None,
    params=dict(v_th=Param(0.5, "1", "threshold", True), v_reset=Param(0.0, "1", "reset value")),
    initial=dict(v=0.0, c0=0.0, c1=0.0, c2=0.0, c3=0.0, p0=0.0, p1=0.0, p2=0.0, p3=0.0),
    regular=((_MAXPOOL_UPDATE, "groups"),),
    doc="Spiking max-pooling unit over up to four inputs (spike gating): input k's synapses add 1 to c_k; "
        "every step v <- 1 if the input with the largest count (the first on ties) fired since the last "
        "step, else 0, and p_k <- c_k.",
    reference="Rueckauer et al. (2017), Front Neurosci 11:682")

HH = NeuronPreset(
    name="hh",
    equations="""
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
         g_na*(m*m*m)*h*(v-ENa)-
         g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/
         (exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/
        (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/
         (exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz""",
    threshold="v > v_th", reset=None, method="exponential_euler", refractory=3 * ms,
    params=dict(Cm=Param(1e-2 * _AREA, "farad", "membrane capacitance (1 uF/cm^2)", True),
                gl=Param(5e-5 * 1e4 * _AREA, "siemens", "leak conductance (5e-5 S/cm^2)"),
                El=Param(-60 * mV, "volt", "leak reversal potential"),
                EK=Param(-90 * mV, "volt", "potassium reversal potential"),
                ENa=Param(50 * mV, "volt", "sodium reversal potential"),
                g_na=Param(100e-3 * 1e4 * _AREA, "siemens", "sodium conductance (100 mS/cm^2)"),
                g_kd=Param(30e-3 * 1e4 * _AREA, "siemens", "potassium conductance (30 mS/cm^2)"),
                VT=Param(-63 * mV, "volt", "offset of the rate functions"),
                taue=Param(5 * ms, "second", "excitatory synaptic time constant", True),
                taui=Param(10 * ms, "second", "inhibitory synaptic time constant", True),
                Ee=Param(0 * mV, "volt", "excitatory reversal potential"),
                Ei=Param(-80 * mV, "volt", "inhibitory reversal potential"),
                v_th=Param(-20 * mV, "volt", "spike detection threshold")),
    initial=dict(v="El", m=0.0, n=0.0, h=0.0, ge=0.0, gi=0.0),
    doc="Hodgkin-Huxley neuron with Traub & Miles kinetics and exponential conductance synapses, the "
        "equations of Brian2's COBAHH example (benchmark 3 of Brette et al. 2007); no reset, 3 ms "
        "refractory period, exponential Euler.",
    reference="Traub & Miles (1991); Brette et al. (2007), J Comput Neurosci 23:349, benchmark 3")

PRESETS = {p.name: p for p in (LIF_CUBA, LIF_COBA, IZHIKEVICH, ADEX, IF, IF_SUBTRACT, MAXPOOL, HH)}


def model_table(preset):
    """Markdown table of a preset's parameters: name, default, unit, meaning."""
    rows = ["| parameter | default | unit | meaning |", "|---|---|---|---|"]
    for k, p in preset.params.items():
        rows.append(f"| `{k}` | {p.default:.6g} | {p.unit} | {p.meaning} |")
    return "\n".join(rows)


def _initial_text(value) -> str:
    if callable(value):
        return "computed from the parameters"
    return f"`{value}`" if isinstance(value, str) else f"{value:.6g}"


def preset_markdown(preset: NeuronPreset) -> str:
    """Markdown section of one preset: description, equations, threshold/reset, parameters, initial values."""
    out = [f"### `{preset.name}`", "", preset.doc, ""]
    if preset.reference:
        out += [f"Reference: {preset.reference.rstrip('.')}.", ""]
    out += ["```", preset.equations.strip(), "```", ""]
    rules = [f"threshold `{preset.threshold}`", f"reset `{preset.reset}`" if preset.reset else "no reset",
             f"refractory {preset.refractory * 1e3:g} ms" if preset.refractory else "no refractory period",
             f"method `{preset.method}`" if preset.method else "method chosen as Brian2 does"]
    out += ["; ".join(rules) + ".", ""]
    for code, when in preset.regular:
        out += [f"Every step ({when}): `{code}`.", ""]
    out += [model_table(preset), ""]
    if preset.initial:
        out += ["Initial values: " + ", ".join(f"`{k}` = {_initial_text(v)}" for k, v in preset.initial.items())
                + ".", ""]
    return "\n".join(out)


def models_markdown() -> str:
    """The preset part of docs/models.md: one section per preset, in :data:`PRESETS` order."""
    return "\n".join(preset_markdown(p) for p in PRESETS.values()).rstrip() + "\n"
