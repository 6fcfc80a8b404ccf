"""NeuronGroup: a population of neurons of one model, a preset or equations in Brian2's syntax."""
from __future__ import annotations

import re

import numpy as np

from .._validate import check_array
from .groups import Group, resolve_value
from .presets import PRESETS, NeuronPreset
from .timed import TimedArray

_UNSET = object()
#: integration methods (Brian2's state updaters)
METHODS = ("exact", "linear", "independent", "euler", "rk2", "rk4", "exponential_euler", "heun", "milstein")


def classify_value(name, value, n):
    """(kind, stored value, dims) of a value given for ``name`` in a group of ``n`` elements.

    kind: "scalar" (one float, shared by the group), "array" (one per element,
    or a callable ``f(rng, n)`` drawn at build time), "timed1"/"timed2"
    (a TimedArray).  Brian2 quantities are taken in SI with their dimensions.
    """
    dims = None
    if isinstance(value, TimedArray):
        value._check_size(n, name)
        return value.kind, value, None
    if hasattr(value, "dim") and type(value).__module__.startswith("brian2"):
        dims = [str(x) for x in _fractions(value.dim._dims)]
        value = np.asarray(value, dtype=np.float64)
    if callable(value):
        return "array", value, dims
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number, an array of {n} numbers, a callable f(rng, N) or a "
                        f"TimedArray, got {value!r}")
    arr = check_array(name, value, n)
    if np.all(arr == arr[0]) and np.ndim(value) == 0:
        return "scalar", float(arr[0]), dims
    return "array", arr, dims


def _fractions(d):
    from fractions import Fraction
    return [Fraction(x).limit_denominator(1000) for x in d]


class NeuronGroup(Group):
    """A population of ``N`` neurons whose dynamics are a preset or equations in Brian2's syntax.

    Parameters
    ----------
    N : int
        Number of neurons (>= 1).
    model : str
        A preset name (``"lif_cuba"``, ``"lif_coba"``, ``"izhikevich"``,
        ``"adex"``, ``"if"``, ``"if_subtract"``, ``"maxpool"``, ``"hh"``; see
        docs/models.md for their equations and parameters) or equations in
        Brian2's syntax, e.g. ``"dv/dt = (El - v + I)/tau_m : volt (unless
        refractory)"``.  Flags ``(unless refractory)`` and ``(constant)`` are
        understood; subexpressions (``I = ... : amp``) too.
    threshold : str, optional
        Spike condition, e.g. ``"v > v_th"`` (a preset's by default; none: the
        group never spikes).
    reset : str, optional
        Statements run for each neuron that spiked, after synaptic effects,
        e.g. ``"v = v_reset; w += b"``.
    refractory : float, array of shape (N,) or str
        Refractory period in seconds (default 0, or the preset's), or an
        expression: a time (``"5*ms + 2*ms*rand()"`` is not allowed: it must be
        deterministic) or a condition that keeps the neuron refractory while
        true (``"v > -20*mV"``).  While refractory a neuron does not spike, its
        ``(unless refractory)`` variables do not change, and synaptic writes
        to them are dropped, as in Brian2.  ``None``: no refractoriness at all.
    method : str, optional
        Integration method: ``"exact"``, ``"euler"``, ``"rk2"``, ``"rk4"``,
        ``"exponential_euler"``, ``"heun"``, ``"milstein"``; by default the
        preset's, or Brian2's automatic choice (exact if possible, else euler).
    adaptive_threshold : spikesim.plasticity.AdaptiveThreshold, optional
        For presets: threshold ``v > v_th + theta`` with ``theta`` growing at each
        spike and decaying (adds the equation of ``theta``).
    name : str, optional
    **values
        Values of the model's parameters and initial values of its
        variables, plain SI floats (``tau_m=20*ms``): a scalar (a parameter
        shared by the group), an array of shape (N,) or a callable
        ``f(rng, N)`` drawing from the network's seeded generator (stored per
        neuron), or a :class:`TimedArray` (a function of time).  Every name
        the equations use but do not declare must be given; its units are
        inferred from the equations.

    Examples
    --------
    >>> from spikesim import NeuronGroup
    >>> from spikesim.units import ms, mV
    >>> P = NeuronGroup(10, "lif_cuba", tau_m=20*ms, v=-60*mV, refractory=5*ms)
    >>> P.v[:3]
    array([-0.06, -0.06, -0.06])
    >>> Q = NeuronGroup(2, "dv/dt = (El - v)/tau : volt", threshold="v > -50*mV", reset="v = El",
    ...                 El=-49*mV, tau=10*ms, v=-70*mV)
    """

    def __init__(self, N, model="lif_cuba", *, threshold=_UNSET, reset=_UNSET, refractory=_UNSET, method=None,
                 name=None, adaptive_threshold=None, **values):
        super().__init__(N, name)
        preset = self._preset(model)
        self.preset = preset
        equations = preset.equations if preset else model
        if threshold is _UNSET:
            threshold = preset.threshold if preset else None
        if reset is _UNSET:
            reset = preset.reset if preset else None
        if refractory is _UNSET:
            refractory = preset.refractory if preset else 0.0
        if method is None and preset is not None:
            method = preset.method
        for what, code in (("threshold", threshold), ("reset", reset)):
            if code is not None and not isinstance(code, str):
                raise TypeError(f"{what} must be a string of Brian2 code or None, got {code!r}")
            if code is not None:
                from ..equations.describe import check_syntax
                check_syntax(what, code)
        if isinstance(refractory, str):
            from ..equations.describe import check_syntax
            check_syntax("refractory", refractory)
        if method is not None and not isinstance(method, str):
            raise TypeError(f"method must be a string (e.g. 'euler'), got {method!r}")
        if method is not None and method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
        regular = [list(r) for r in preset.regular] if preset else []
        if adaptive_threshold is not None:
            equations, threshold, reset, values = self._adaptive(adaptive_threshold, preset, equations, threshold,
                                                                 reset, values)
        if preset is not None:
            values = {k: v for k, v in values.items() if k not in preset.ignored}
            allowed = set(preset.params) | set(preset.initial) | ({"theta", "tau_theta", "theta_plus"}
                                                                   if adaptive_threshold is not None else set())
            unknown = set(values) - allowed
            if unknown:
                raise ValueError(f"unknown name(s) {sorted(unknown)} for model {preset.name!r}: parameters are "
                                 f"{list(preset.params)}, state variables {list(preset.initial)}")
            merged = dict(preset.defaults)
            merged.update(values)
            values = merged
        self._spec = dict(equations=equations, threshold=threshold, reset=reset, method=method, regular=regular)
        self._coincide = {}      # shared parameter -> the equal one it is written as (see _check_singular)
        self._values, kinds, dims = {}, {}, {}
        for k, v in values.items():
            kinds[k], self._values[k], dims[k] = classify_value(k, v, self.N)
        self._timed = {k: v for k, v in self._values.items() if isinstance(v, TimedArray)}
        self._value_dims = {k: d for k, d in dims.items() if d is not None}
        self.refractory = refractory
        self._kinds = kinds
        self._compile()
        self._init_storage(preset)

    # ------------------------------------------------------------------ model
    @staticmethod
    def _preset(model):
        if isinstance(model, NeuronPreset):
            return model
        if not isinstance(model, str):
            raise TypeError(f"model must be a preset name or equations (a string), got {type(model).__name__}")
        if model in PRESETS:
            return PRESETS[model]
        if ":" not in model:
            raise ValueError(f"model must be one of the presets {sorted(PRESETS)} or equations in Brian2's syntax "
                             f"(e.g. 'dv/dt = -v/tau : volt'), got {model!r}")
        return None

    @staticmethod
    def _adaptive(a, preset, equations, threshold, reset, values):
        from ..plasticity.adaptive_threshold import AdaptiveThreshold
        if not isinstance(a, AdaptiveThreshold):
            raise TypeError(f"adaptive_threshold must be an AdaptiveThreshold, got {type(a).__name__}")
        m = re.fullmatch(r"\s*(\w+)\s*>\s*(.+)", threshold or "")
        if preset is None or m is None:
            raise TypeError("adaptive_threshold applies to the presets (threshold 'v > v_th'); in your own "
                            "equations write the threshold variable yourself (see docs/models.md)")
        unit = preset.params["v_th"].unit
        equations = equations + f"\ndtheta/dt = -theta/tau_theta : {unit}"
        threshold = f"{m.group(1)} > {m.group(2)} + theta"
        reset = (reset + "; " if reset else "") + "theta += theta_plus"
        values = dict(values, tau_theta=a.tau_theta, theta_plus=a.theta_plus)
        return equations, threshold, reset, values

    def _desc(self):
        spec = self._spec
        subst = dict(spec)
        for a, b in self._coincide.items():
            for part in ("equations", "threshold", "reset"):
                if subst.get(part):
                    subst[part] = re.sub(rf"\b{a}\b", b, subst[part])
        for k, ta in self._timed.items():
            call = f"{k}(t)" if ta.ndim == 1 else f"{k}(t, i)"
            for part in ("equations", "threshold", "reset"):
                if subst.get(part):
                    subst[part] = re.sub(rf"\b{k}\b(?!\s*\()", call, subst[part])
        ref = self._ref_kind()
        kinds = {k: v for k, v in self._kinds.items() if k not in self._coincide}
        return dict(label=self.preset.name if self.preset else "model", equations=subst["equations"],
                    threshold=subst["threshold"], reset=subst["reset"], refractory=ref, method=spec["method"],
                    values=dict(sorted(kinds.items())), value_dims=dict(sorted(self._value_dims.items())),
                    regular=spec["regular"], **({"no_refractory_factor": True} if self._coincide else {}))

    def _check_singular(self, dt):
        """Make the closed-form ("exact") update finite where equal time constants make it 0/0.

        Brian2's exact solution of e.g. CUBA's equations divides by ``tau_e - tau_m`` (with
        ``(unless refractory)`` even when the same name is used for both): equal values give NaN in
        Brian2.  Here the group is then compiled with one constant written as the other and the
        refractoriness applied as conditional writes only, which is the closed form for coincident
        constants (for those parameter values only: other values never recompile).  Checked before
        every run; a group whose update stays non-finite raises a clear error.
        """
        if self._layout["method"] not in ("exact", "linear"):
            return False
        if self._scalars_finite(dt):
            bad = self._first_singular_neuron(dt)
            if bad is None:
                return False
            i, equal = bad
            raise ValueError(f"NeuronGroup {self.name!r}: the exact (closed-form) solution of the model is not finite "
                             f"for neuron {i}" + (f" ({', '.join(equal)}: equal time constants make it 0/0, as in "
                                                  f"Brian2)" if equal else "")
                             + "; make them differ or choose method='euler' or 'rk4'")
        shared = self._shared_names
        second = ["0", "0", "1", "0", "0", "0", "0"]
        coincide = dict(self._coincide)
        for k, a in enumerate(shared):
            for b in shared[:k]:
                if a not in coincide and b not in coincide and self._values[a] == self._values[b] \
                        and self._layout["dims"].get(a) == second == self._layout["dims"].get(b):
                    coincide[a] = b
        if coincide != self._coincide:
            self._coincide = coincide
            self._recompile()
            if self._scalars_finite(dt):
                return True
        raise ValueError(f"NeuronGroup {self.name!r}: the exact (closed-form) solution of the model is not finite for "
                         f"these parameter values; make equal time constants differ or choose method='euler' or "
                         f"'rk4'")

    def _first_singular_neuron(self, dt):
        """(neuron, equal time constants) of the first neuron whose exact update of finite values is not finite,
        or None; only for parameters stored per neuron (shared ones are checked by _scalars_finite)."""
        lay = self._layout
        second = ["0", "0", "1", "0", "0", "0", "0"]
        taus = [n for n in lay["rows"] + lay["shared"] if lay["dims"].get(n) == second and n in self._values]
        per_neuron = [n for n in taus if n in self._rows]
        if not per_neuron:
            return None
        vals = {n: (self._x[self._rows[n]] if n in self._rows else np.full(self.N, self._values[n])) for n in taus}
        same = np.zeros(self.N, dtype=bool)
        for k, a in enumerate(taus):
            for b in taus[:k]:
                same |= vals[a] == vals[b]
        if not same.any():
            return None
        i = int(np.flatnonzero(same)[0])
        equal = [f"{a} == {b}" for k, a in enumerate(taus) for b in taus[:k] if vals[a][i] == vals[b][i]]
        from ..backends.records import python
        from ..equations.cache import module_from_source
        from ..equations.functions import timed_meta
        x = self._x.copy()
        rec = python("group", dict(x=x, shared=self._shared, last=self.lastspike.copy(),
                                   ref=np.zeros(self.N, np.int64), notref=self.not_refractory.copy(), hist=None,
                                   hist_n=None, hist_step=None, key=np.zeros(1, np.uint64), extra=(),
                                   timed=tuple((self._timed[n].values, timed_meta(dt, self._timed[n].dt))
                                               for n, _ in lay["timed"])))
        mod = module_from_source(self.model_name + "_reference", lay["sources"]["reference"])
        with np.errstate(all="ignore"):
            mod.update(0, 0.0, dt, rec)
        broken = same & ~np.isfinite(x).all(axis=0) & np.isfinite(self._x).all(axis=0)
        if not broken.any():
            return None
        i = int(np.flatnonzero(broken)[0])
        return i, [f"{a} == {b}" for k, a in enumerate(taus) for b in taus[:k] if vals[a][i] == vals[b][i]]

    def _scalars_finite(self, dt):
        from ..backends.records import python
        from ..equations.cache import module_from_source
        from ..equations.functions import timed_meta
        rec = python("group", dict(x=self._x, shared=self._shared, last=self.lastspike, ref=np.zeros(self.N, np.int64),
                                   notref=self.not_refractory, hist=None, hist_n=None, hist_step=None,
                                   key=np.zeros(1, np.uint64), extra=(),
                                   timed=tuple((self._timed[n].values, timed_meta(dt, self._timed[n].dt))
                                               for n, _ in self._layout["timed"])))
        mod = module_from_source(self.model_name + "_reference", self._layout["sources"]["reference"])
        return not hasattr(mod, "scalars_finite") or bool(mod.scalars_finite(0, 0.0, dt, rec))

    def _ref_kind(self):
        if self._refractory_expr is not None:
            return self._refractory_expr
        return None if self._refractory is None else "steps"

    def _compile(self):
        from ..equations.neuron_code import compile_neuron
        self._layout = compile_neuron(self._desc(), what=f"NeuronGroup {self.name!r}" if self.name
                                      else "NeuronGroup")
        lay = self._layout
        self._rows = {n: k for k, n in enumerate(lay["rows"])}
        self._shared_names = list(lay["shared"])

    def _init_storage(self, preset):
        lay = self._layout
        self._x = np.zeros((len(lay["rows"]), self.N))
        self._pending = {}
        self._shared = np.array([self._values[n] for n in lay["shared"]], dtype=np.float64)
        positive = set(preset.positive) if preset else set()
        for n in lay["shared"]:
            if n in positive and not self._values[n] > 0:
                raise ValueError(f"{n} must be > 0, got {self._values[n]}")
        for n, k in self._rows.items():
            if n in self._values:
                v = self._values[n]
            elif preset is not None and n in preset.initial:
                v = preset.initial[n]
                if isinstance(v, str):
                    v = self._param_value(v)
                elif callable(v):
                    v = v({**{p: self._param_value(p) for p in preset.params}, "v": self._x[self._rows["v"]]})
            else:
                continue
            if callable(v) and not isinstance(v, np.ndarray):
                self._pending[n] = v
            else:
                self._x[k] = check_array(n, v, self.N, positive=n in positive)
        self.not_refractory = np.ones(self.N, dtype=np.bool_)

    def _param_value(self, name):
        if name in self._rows:
            return self._x[self._rows[name]]
        return self._values[name]

    # ------------------------------------------------------------------ refractoriness
    @property
    def refractory(self):
        """Refractory period in seconds (array of shape (N,)), its expression (str), or None."""
        if self._refractory_expr is not None or self._refractory is None:
            return self._refractory_expr
        view = self._refractory.view()          # read-only: set ``G.refractory = ...`` to change it
        view.flags.writeable = False
        return view

    @refractory.setter
    def refractory(self, value):
        old = getattr(self, "_layout", None) and self._ref_kind()
        self._refractory_expr = None
        if value is None or value is False:
            self._refractory = None
        elif isinstance(value, str):
            self._refractory_expr = value
            self._refractory = None
        else:
            self._refractory = check_array("refractory", value, self.N, nonnegative=True, unit="s")
        if old is not None and old != self._ref_kind():
            self._recompile()

    # ------------------------------------------------------------------ access
    @property
    def variables(self):
        """Names of the per-neuron variables (state variables and parameters stored per neuron)."""
        return tuple(self._layout["rows"])

    @property
    def model_name(self):
        return self.preset.name if self.preset else "equations"

    @property
    def equations(self):
        """The equations Brian2 is given for this group (parameters stored per neuron declared)."""
        return self._layout["equations"]

    @property
    def units(self):
        """Name -> unit (a Brian2 unit expression) of every variable and parameter."""
        return dict(self._layout["units"])

    def generated_code(self, backend="cpu"):
        """The Python source that runs this group's model on ``backend`` ("cpu", "reference")."""
        src = self._layout["sources"]
        if backend not in src:
            raise ValueError(f"backend must be one of {sorted(src)}, got {backend!r}")
        return src[backend]

    def __getattr__(self, name):
        d = self.__dict__
        rows = d.get("_rows")
        if rows is not None:
            if name in rows:
                if name in d["_pending"]:
                    raise RuntimeError(f"{name} is drawn from the network's RNG; run the network (or call "
                                       f"Network.build()) before reading it")
                row = d["_x"][rows[name]]
                if name in d["_layout"]["constant"]:
                    row = row.view()
                    row.flags.writeable = False
                return row
            if name in d["_shared_names"]:
                v = np.broadcast_to(d["_shared"][d["_shared_names"].index(name)], (d["N"],))
                return v
            if name in d.get("_timed", {}):
                return d["_timed"][name]
            if name in d.get("_coincide", {}):
                return np.broadcast_to(d["_values"][name], (d["N"],))
            if name in d["_layout"]["subexpressions"]:
                raise AttributeError(f"{name} is a subexpression ({d['_layout']['subexpressions'][name]}); it is "
                                     f"computed inside the model, not stored")
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name, value):
        d = self.__dict__
        rows = d.get("_rows")
        if rows is None or name.startswith("_"):
            return super().__setattr__(name, value)
        positive = set(self.preset.positive) if self.preset else set()
        if name in rows:
            if callable(value) and not isinstance(value, np.ndarray):
                self._pending[name] = value
            else:
                self._x[rows[name]] = check_array(name, value, self.N, positive=name in positive)
                self._pending.pop(name, None)
            return
        if name in d["_shared_names"] or name in d.get("_timed", {}) or name in d.get("_coincide", {}):
            kind, v, dims = classify_value(name, value, self.N)
            if kind == "scalar" and name in d["_shared_names"] and not any(name in p for p in self._coincide.items()):
                if name in positive and not v > 0:
                    raise ValueError(f"{name} must be > 0, got {v}")
                self._shared[d["_shared_names"].index(name)] = v
                self._values[name] = v
                return
            if kind == "scalar" and any(name in p for p in self._coincide.items()):
                if name in positive and not v > 0:
                    raise ValueError(f"{name} must be > 0, got {v}")
                self._values[name] = v          # equal constants no longer equal: the general solution again
                self._coincide = {a: b for a, b in self._coincide.items() if name not in (a, b)}
                self._recompile()
                return
            if kind == "array" and name in positive:
                check_array(name, v, self.N, positive=True) if not callable(v) else None
            self._values[name] = v
            self._kinds[name] = kind
            self._timed = {k: x for k, x in self._values.items() if isinstance(x, TimedArray)}
            self._recompile()
            return
        super().__setattr__(name, value)

    def _recompile(self):
        """Compile again after a parameter changed between shared and per-neuron (or a TimedArray)."""
        old_rows, old_x, old_pending = self._rows, self._x, self._pending
        self._compile()
        lay = self._layout
        x = np.zeros((len(lay["rows"]), self.N))
        pending = {}
        for n, k in self._rows.items():
            if n in old_rows:
                x[k] = old_x[old_rows[n]]
                if n in old_pending:
                    pending[n] = old_pending[n]
            elif n in self._values:
                v = self._values[n]
                if callable(v) and not isinstance(v, np.ndarray):
                    pending[n] = v
                else:
                    x[k] = v
        self._x, self._pending = x, pending
        self._shared = np.array([self._values[n] for n in lay["shared"]], dtype=np.float64)

    def _resolve(self, rng, dt):
        for name, f in list(self._pending.items()):
            self._x[self._rows[name]] = resolve_value(name, f, self.N, rng)
            del self._pending[name]

    def _state_arrays(self):
        d = super()._state_arrays()
        d.update(x=self._x, shared=self._shared, not_refractory=self.not_refractory)
        return d

    def _check_state(self):
        """Check values edited in place (``G.tau_m[:] = -1``) before a run: finite, and > 0 where required.

        Raises
        ------
        ValueError
            Naming the group, the variable, the neuron and the value.
        """
        positive = set(self.preset.positive) if self.preset else set()
        for n, v in zip(self._shared_names, self._shared):
            if not np.isfinite(v) or (n in positive and not v > 0):
                raise ValueError(f"NeuronGroup {self.name!r}: {n} must be {'> 0' if n in positive else 'finite'}, "
                                 f"got {v} (values are checked at the start of every run)")
        for n, k in self._rows.items():
            if n in self._pending:
                continue
            row = self._x[k]
            ok = row > 0 if n in positive else np.isfinite(row)
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                raise ValueError(f"NeuronGroup {self.name!r}: {n}[{i}] must be {'> 0' if n in positive else 'finite'}"
                                 f", got {row[i]} (arrays edited in place are checked at the start of every run)")
        if self._refractory is not None and not (np.isfinite(self._refractory).all() and
                                                 (self._refractory >= 0).all()):
            raise ValueError(f"NeuronGroup {self.name!r}: refractory must be finite and >= 0 s")
