"""Brian2 as spikesim's front end: parse, check and integrate a model, keep the statements.

spikesim does not parse equations itself.  For a model it has not seen
before, it builds the model as Brian2 objects (a NeuronGroup, or a Synapses
between stand-ins of its pre- and post-synaptic groups) in a private scope,
and lets Brian2 prepare a run with a code-object class whose code generator
records, for every block Brian2 would compile, the optimised statements its
Cython generator would render (:class:`CapturedBlock`): the loop-invariant
scalar statements (``_lio_1 = exp(-dt/tau)``), the per-element statements in
Brian2's operation order, the boolean-simplified alternatives Brian2's
compiled targets branch on, and which writes are conditional (``unless
refractory``).  Nothing is compiled.  The result is plain data (JSON), cached
on disk by :mod:`.cache`, so later runs never import Brian2.

Only this module imports Brian2 for the equations layer.
"""
from __future__ import annotations

import re
import contextlib
import itertools
import logging
import threading

from .dims import unit_string

_COUNTER = itertools.count()


class ModelError(ValueError):
    """A model's equations or statements are not valid (the message names the statement)."""


_IMPORT_LOCK = threading.Lock()


def import_brian2():
    """Import Brian2, from any thread, keeping the interpreter's exception hook and Ctrl-C handler.

    On import Brian2 installs its own exception hook and a SIGINT handler (to stop its runs cleanly).
    ``signal.signal`` only works in the main thread, so a first import in another thread (a Dask
    worker runs its tasks in threads) would fail; there the handler is skipped.  The interpreter's
    exception hook is restored in every case.
    """
    import sys
    if "brian2" in sys.modules:
        return sys.modules["brian2"]
    import signal
    with _IMPORT_LOCK:
        hook = sys.excepthook
        install = signal.signal
        if threading.current_thread() is not threading.main_thread():
            signal.signal = lambda signalnum, handler: signal.getsignal(signalnum)
        try:
            import brian2
        finally:
            signal.signal = install
            sys.excepthook = hook
    return brian2


_CAPTURE = None


def _capture_classes():
    """The code-object and generator classes that record statements instead of compiling (created once)."""
    global _CAPTURE
    if _CAPTURE is None:
        from brian2.codegen.generators.cython_generator import CythonCodeGenerator
        from brian2.codegen.runtime.cython_rt import CythonCodeObject

        class CaptureGenerator(CythonCodeGenerator):
            captured = []

            def translate_statement_sequence(self, sc, ve):
                blocks = {}
                for name in sc:
                    read, write, indices, cond = self.arrays_helper(ve[name])
                    blocks[name] = (sc[name], ve[name], read, write, cond)
                CaptureGenerator.captured.append((self.name, self.template_name, blocks, self.variables,
                                                  self.variable_indices))
                return super().translate_statement_sequence(sc, ve)

        class CaptureCodeObject(CythonCodeObject):
            generator_class = CaptureGenerator
            class_name = "spikesim_capture"

            def compile(self):
                pass

            def compile_block(self, block):
                return None

            def run_block(self, block):
                pass

            def before_run(self):
                pass

            def after_run(self):
                pass

        _CAPTURE = (CaptureGenerator, CaptureCodeObject)
    return _CAPTURE


@contextlib.contextmanager
def _quiet_brian2():
    log = logging.getLogger("brian2")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)      # Brian2 logs its own errors with a debug-file notice: we raise ours
    try:
        yield
    finally:
        log.setLevel(level)


def _quantity(b2, dims, value=1.0):
    from brian2.units.fundamentalunits import get_or_create_dimension
    return b2.Quantity(value, dim=get_or_create_dimension([float(x) for x in dims]))


def _namespace(b2, shared, functions):
    ns = {name: _quantity(b2, dims) for name, dims in shared.items()}
    for name, (ndim, dims) in functions.items():
        import numpy as np
        vals = np.zeros((2, 2) if ndim == 2 else 2)
        ns[name] = b2.TimedArray(_quantity(b2, dims, vals), dt=b2.ms)
    return ns


def _neuron(b2, spec, codeobj_class, name):
    """A Brian2 group standing in for a spikesim group (spec: see :func:`neuron_blocks`)."""
    kind = spec.get("kind", "neuron")
    if kind == "poisson":
        return b2.PoissonGroup(2, rates=1 * b2.Hz, name=name, codeobj_class=codeobj_class)
    if kind == "generator":
        return b2.SpikeGeneratorGroup(2, [], [] * b2.second, name=name, codeobj_class=codeobj_class)
    ref = spec.get("refractory")
    if ref is None:
        refractory = False
    elif ref == "steps":
        refractory = 1 * b2.ms             # its statement is replaced by the integer-step form
    else:
        refractory = ref
    return b2.NeuronGroup(2, spec["equations"], threshold=spec.get("threshold"), reset=spec.get("reset"),
                          refractory=refractory, method=spec.get("method") or ("exact", "euler", "heun"),
                          namespace=_namespace(b2, spec.get("shared", {}), spec.get("functions", {})),
                          name=name, codeobj_class=codeobj_class)


def _window_functions(b2):
    """Stand-ins for the spike-count functions of windowed rules (``n_pre_spikes(lo, hi)``, ...)."""
    from brian2.codegen.generators.cython_generator import CythonCodeGenerator
    out = {}
    for name in ("n_pre_spikes", "n_post_spikes"):
        f = b2.Function(lambda lo, hi: 0.0, arg_units=[b2.second, b2.second], return_unit=1, stateless=False,
                        auto_vectorise=False)
        f.implementations.add_implementation(CythonCodeGenerator, code=None, name=name)
        out[name] = f
    return out


def _refractory_without_factor(add_refractoriness):
    """Brian2's add_refractoriness, keeping the not_refractory/lastspike variables but not the
    ``int(not_refractory)*`` factor on the right-hand sides (the flag still makes writes conditional)."""
    from brian2.equations.equations import DIFFERENTIAL_EQUATION, Equations, SingleEquation

    def patched(eqs):
        out = []
        for eq in add_refractoriness(eqs).values():
            if eq.type == DIFFERENTIAL_EQUATION and "unless refractory" in eq.flags:
                eq = SingleEquation(DIFFERENTIAL_EQUATION, eq.varname, eq.dim, expr=eqs[eq.varname].expr,
                                    flags=eq.flags)
            out.append(eq)
        return Equations(out)
    return patched


def _run_capture(b2, objects, namespace):
    gen, _ = _capture_classes()
    gen.captured = []
    net = b2.Network(*objects)
    net.run(0 * b2.second, namespace=namespace)
    out = gen.captured
    gen.captured = []
    return out


def _explain(exc, what):
    """A ModelError with Brian2's own finding (the innermost exception, without Brian2's object bookkeeping)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        inner = exc.__cause__ or exc.__context__
        if type(exc).__name__ != "BrianObjectException" and "Error encountered with object" not in str(exc):
            break
        exc = inner
    msg = str(exc).strip()
    return ModelError(f"{what}: {msg}" if msg else f"{what}: {type(exc).__name__}")


def neuron_blocks(spec, what="the model"):
    """Captured statements of a neuron group.

    Parameters
    ----------
    spec : dict
        ``equations`` (Brian2 syntax, per-neuron parameters declared),
        ``threshold``, ``reset`` (strings or None), ``refractory`` (None, "steps"
        for a period given in seconds, or an expression), ``method``,
        ``shared`` (name -> dims of the group-wide parameters),
        ``functions`` (TimedArray name -> (ndim, dims of its values)).

    Returns
    -------
    dict
        ``{"stateupdate": block or None, "threshold": ..., "reset": ...,
        "method": the method Brian2 used, "variables": {name: info}}``, each block
        a JSON-able dict (see :func:`_block`).
    """
    b2 = import_brian2()
    _, cls = _capture_classes()
    name = f"spikesim_sandbox_{next(_COUNTER)}"
    import brian2.groups.neurongroup as ng
    add_refractoriness = ng.add_refractoriness
    if spec.get("no_refractory_factor"):
        # (unless refractory) kept as conditional writes, but no int(not_refractory) factor in the equations:
        # their closed form then stays finite when time constants coincide (see NeuronGroup._check_singular)
        ng.add_refractoriness = _refractory_without_factor(add_refractoriness)
    with _quiet_brian2():
        try:
            G = _neuron(b2, spec, cls, name)
            for k, code in enumerate(spec.get("regular", [])):
                G.run_regularly(code, dt=b2.ms, name=f"{name}_regular{k}", codeobj_class=cls)
            captured = _run_capture(b2, [G], _namespace(b2, spec.get("shared", {}), spec.get("functions", {})))
        except Exception as exc:     # Brian2's own errors (syntax, units, unsupported methods)
            raise _explain(exc, what) from None
        finally:
            ng.add_refractoriness = add_refractoriness
    out = {"stateupdate": None, "threshold": None, "reset": None, "regular": [None] * len(spec.get("regular", []))}
    variables = {}
    for cname, template, blocks, vars_, indices in captured:
        block = _block(blocks[None], vars_, indices)
        if cname.startswith(f"{name}_regular"):
            out["regular"][int(cname[len(name) + 8:].split("_")[0])] = block
        elif template in ("stateupdate", "threshold", "reset"):
            out[template] = block
        else:
            continue
        variables.update(_variable_info(vars_, indices, block))
    su = getattr(G, "state_updater", None)
    out["method"] = getattr(su, "method_choice", None)
    out["variables"] = variables
    return out


def synapse_blocks(spec, pre_spec, post_spec, what="the synapse model"):
    """Captured statements of a Synapses object between groups described by ``pre_spec`` and ``post_spec``.

    ``spec``: ``model``, ``on_pre``, ``on_post`` (strings or None), ``method``,
    ``shared``, ``functions`` (as for neurons) and ``regular``: a list of
    statement strings run at regular intervals.

    Returns ``{"pre": block, "post": block, "stateupdate": block, "summed": {var: block},
    "regular": [block, ...], "variables": {...}, "event_driven": [names], "clock_driven": [names]}``.
    """
    b2 = import_brian2()
    _, cls = _capture_classes()
    k = next(_COUNTER)
    with _quiet_brian2():
        try:
            P = _neuron(b2, pre_spec, cls, f"spikesim_sandbox_{k}_pre")
            Q = P if spec.get("same_group") else _neuron(b2, post_spec, cls, f"spikesim_sandbox_{k}_post")
            ns = _namespace(b2, pre_spec.get("shared", {}), pre_spec.get("functions", {}))
            ns.update(_namespace(b2, post_spec.get("shared", {}), post_spec.get("functions", {})))
            ns.update(_namespace(b2, spec.get("shared", {}), spec.get("functions", {})))
            if spec.get("window"):
                ns.update(_window_functions(b2))
            kw = {}
            if spec.get("on_post"):
                kw["on_post"] = spec["on_post"]
            S = b2.Synapses(P, Q, spec.get("model") or "", on_pre=spec.get("on_pre"), method=spec.get("method")
                            or ("exact", "euler", "heun"), name=f"spikesim_sandbox_{k}_syn", codeobj_class=cls,
                            namespace=ns, **kw)
            objs = [P, S] if Q is P else [P, Q, S]
            for r, code in enumerate(spec.get("regular", [])):
                S.run_regularly(code, dt=b2.ms, name=f"spikesim_sandbox_{k}_syn_regular{r}", codeobj_class=cls)
            captured = _run_capture(b2, objs, ns)
        except Exception as exc:
            raise _explain(exc, what) from None
    sname = f"spikesim_sandbox_{k}_syn"
    out = {"pre": None, "post": None, "stateupdate": None, "summed": {}, "regular": [None] * len(spec.get("regular", []))}
    variables = {}
    for cname, template, blocks, vars_, indices in captured:
        if not cname.startswith(sname):
            continue
        rest = cname[len(sname) + 1:]
        block = _block(blocks[None], vars_, indices)
        if template == "synapses" and rest.startswith("pre_codeobject"):
            out["pre"] = block
        elif template == "synapses" and rest.startswith("post_codeobject"):
            out["post"] = block
        elif template == "summed_variable":
            target = rest[len("summed_variable_"):].split("_codeobject")[0]
            out["summed"][target] = block
        elif rest.startswith("regular"):
            out["regular"][int(rest[len("regular"):].split("_")[0])] = block
        elif template == "stateupdate":
            out["stateupdate"] = block
        else:
            continue
        variables.update(_variable_info(vars_, indices, block))
    ev = S.event_driven
    out["event_driven"] = sorted(ev.diff_eq_names) if ev is not None else []
    out["clock_driven"] = sorted(S.equations.diff_eq_names)
    out["variables"] = variables
    return out


def _statement(s):
    d = {"var": s.var, "op": s.op, "expr": s.expr, "dtype": _dtype_name(s.dtype)}
    if s.used_boolean_variables:
        d["bool_vars"] = list(s.used_boolean_variables)
        d["bool_exprs"] = [[[[v, bool(b)] for v, b in key], expr]
                           for key, expr in s.boolean_simplified_expressions.items()]
    return d


def _dtype_name(dtype):
    import numpy as np
    if dtype is bool or dtype == np.bool_:
        return "bool"
    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        return "float"
    return {"b": "bool", "i": "int", "u": "int"}.get(kind, "float")


def _block(blk, variables, indices):
    scalar, vector, read, write, cond = blk
    out = {"scalar": [_statement(s) for s in scalar], "vector": [_statement(s) for s in vector],
           "read": sorted(read), "write": sorted(write), "cond": dict(cond)}
    return _private_temporaries(out, variables)


def _private_temporaries(block, variables):
    """Rename Brian2's per-variable temporaries ``_x`` to ``__x``.

    Brian2 names the new value of a variable ``x`` in a state update ``_x``;
    the generated engine code has locals of that form too (``_b``, ``_u``,
    ``_s`` ...), so a model variable called ``u`` or ``s`` would clash with
    them.  User names cannot start with an underscore, and no engine local
    starts with two, so ``__x`` is private to the statements.
    """
    stmts = block["scalar"] + block["vector"]
    copies = {s["var"] for s in stmts if s["expr"] == "_" + s["var"]}
    temps = {s["var"] for s in stmts
             if s["op"] == ":=" and re.fullmatch(r"_[A-Za-z]\w*", s["var"]) and s["var"][1:] in variables
             and (s["var"] != "_cond" or "cond" in copies)}     # _cond: the threshold's own result
    if not temps:
        return block
    pat = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, temps), key=len, reverse=True)) + r")\b")

    def ren(text):
        return pat.sub(lambda m: "_" + m.group(1), text)

    def stmt(s):
        d = dict(s, var=ren(s["var"]), expr=ren(s["expr"]))
        if "bool_exprs" in d:
            d["bool_vars"] = [ren(v) for v in d["bool_vars"]]
            d["bool_exprs"] = [[[[ren(v), b] for v, b in key], ren(e)] for key, e in d["bool_exprs"]]
        return d
    return {"scalar": [stmt(s) for s in block["scalar"]], "vector": [stmt(s) for s in block["vector"]],
            "read": block["read"], "write": block["write"],
            "cond": {k: ren(v) for k, v in block["cond"].items()}}


def _variable_info(variables, indices, block):
    """What each name used by a block is: an array (and its index), a constant, a function."""
    from brian2.core.functions import Function
    from brian2.core.variables import ArrayVariable, AuxiliaryVariable, Constant, Subexpression
    used = set(block["read"]) | set(block["write"]) | set(block["cond"].values())
    from brian2.utils.stringtools import get_identifiers
    for s in block["scalar"] + block["vector"]:
        used |= get_identifiers(s["expr"]) | {s["var"]}
        for _, e in s.get("bool_exprs", []):
            used |= get_identifiers(e)
    info = {}
    for name in used:
        v = variables.get(name)
        if v is None:
            continue
        if isinstance(v, Function):
            info[name] = {"kind": "function"}
        elif isinstance(v, Constant):
            info[name] = {"kind": "constant", "value": float(v.value) if not isinstance(v.value, bool) else v.value,
                          "dims": [str(x) for x in _dims_of(v)]}
        elif isinstance(v, Subexpression):
            info[name] = {"kind": "subexpression"}
        elif isinstance(v, AuxiliaryVariable):
            info[name] = {"kind": "auxiliary", "dtype": _dtype_name(v.dtype)}
        elif isinstance(v, ArrayVariable):
            info[name] = {"kind": "array", "index": indices.get(name, "_idx"), "scalar": bool(v.scalar),
                          "dtype": _dtype_name(v.dtype), "owner": getattr(v.owner, "name", ""), "base": v.name}
        else:
            info[name] = {"kind": type(v).__name__}
    return info


def _dims_of(v):
    from brian2.units.fundamentalunits import get_dimensions
    from fractions import Fraction
    d = get_dimensions(v)
    return [Fraction(x).limit_denominator(1000) for x in d._dims]


def parse_equations(text):
    """Parse equations in Brian2's syntax; a list of dicts (name, type, expr, dims, flags, unit)."""
    b2 = import_brian2()
    from brian2.equations.equations import DIFFERENTIAL_EQUATION, PARAMETER, SUBEXPRESSION
    try:
        eqs = b2.Equations(text)
    except Exception as exc:
        raise ModelError(f"the equations do not parse: {exc}") from None
    out = []
    kinds = {DIFFERENTIAL_EQUATION: "diff", SUBEXPRESSION: "subexpr", PARAMETER: "param"}
    order = {eq.varname: _position(text, eq.varname, eq.type == DIFFERENTIAL_EQUATION) for eq in eqs.ordered}
    for eq in sorted(eqs.ordered, key=lambda e: order[e.varname]):
        dims = _dims_of(eq)
        out.append({"name": eq.varname, "type": kinds[eq.type], "expr": str(eq.expr.code) if eq.expr is not None
                    else None, "dims": [str(x) for x in dims], "unit": unit_string(dims), "flags": list(eq.flags),
                    "dtype": _dtype_name(eq.var_type and {"float": float, "integer": int, "boolean": bool}
                                         .get(eq.var_type, float)),
                    "line": _line_of(text, eq.varname, eq.type == DIFFERENTIAL_EQUATION)})
    return out


def _position(text, name, diff):
    line = _line_of(text, name, diff)
    k = text.find(line)
    return k if k >= 0 else len(text)


def _line_of(text, name, diff):
    import re
    pat = re.compile(rf"^\s*d{name}\s*/\s*dt\s*=" if diff else rf"^\s*{name}\s*[:=]")
    for line in text.splitlines():
        if pat.match(line):
            return line.strip()
    return name


def unit_names():
    """Name -> dims of every unit name Brian2 knows in equations (mV, ms, nS, ...)."""
    b2 = import_brian2()
    from brian2.core.namespace import DEFAULT_UNITS
    from brian2.units.fundamentalunits import get_dimensions
    from fractions import Fraction
    out = {}
    for name, u in DEFAULT_UNITS.items():
        d = get_dimensions(u)
        out[name] = ([str(Fraction(x).limit_denominator(1000)) for x in d._dims], float(u))
    del b2
    return out
