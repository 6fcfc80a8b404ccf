"""From what a user wrote to what Brian2 is given: names, their roles and their units (cold path only).

A model description names equations, threshold, reset and refractoriness
in Brian2's syntax, and gives values for the names the equations use.
:func:`resolve` sorts every name into its role (a state variable, a
parameter stored per element, a parameter shared by the group, a
TimedArray, a unit, a function), raises a clear error for a name that is
none of these, infers the units of parameters given as plain SI floats
(:mod:`.dims`), and writes the declarations Brian2 needs for parameters
stored per element.
"""
from __future__ import annotations

import ast
import re

from . import sandbox
from .dims import DIMLESS, SECOND, DimensionSolver, UnitMismatch, add, as_dims, scale, unit_string
from .sandbox import ModelError

FUNCTIONS = {"exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos",
             "arctan", "expm1", "log1p", "exprel", "abs", "ceil", "floor", "clip", "int", "sign", "rand", "randn",
             "timestep", "poisson", "n_pre_spikes", "n_post_spikes"}
CONSTANTS = {"pi", "e", "inf", "True", "False"}
_UNITS = None


def units():
    """Unit name -> (dims, SI value) of every unit Brian2 knows inside equations."""
    global _UNITS
    if _UNITS is None:
        _UNITS = {k: (as_dims(d), v) for k, (d, v) in sandbox.unit_names().items()}
    return _UNITS


def identifiers(code):
    """Names used in an expression or in statements (function names included)."""
    names = set()
    for part in statements(code):
        for node in ast.walk(_parse(part[2], part[3])):
            if isinstance(node, ast.Name):
                names.add(node.id)
        if part[0] is not None:
            names.add(part[0])
    return names


def called(code):
    """Names used as functions in ``code``."""
    out = set()
    for _, _, expr, where in statements(code):
        for node in ast.walk(_parse(expr, where)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                out.add(node.func.id)
    return out


def statements(code):
    """``code`` split into (target or None, operator or None, expression, source line) tuples.

    An expression alone (a threshold) gives one tuple with target None.
    """
    out = []
    for line in re.split(r"[;\n]", code or ""):
        line = line.split("#")[0].strip()
        if not line:
            continue
        m = re.match(r"^([A-Za-z_]\w*)\s*(=|\+=|-=|\*=|/=)(?!=)\s*(.*)$", line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), line))
        else:
            out.append((None, None, line, line))
    return out


def _parse(expr, where):
    try:
        return ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ModelError(f"{where!r} does not parse: {exc.msg}") from None


def check_syntax(what, code):
    """Raise ``ModelError`` naming ``what`` (e.g. "threshold") if a statement of ``code`` is not valid Python syntax."""
    for _, _, expr, where in statements(code):
        try:
            ast.parse(expr.strip(), mode="eval")
        except SyntaxError as exc:
            raise ModelError(f"{what}: {where!r} does not parse: {exc.msg}") from None


def is_boolean(expr):
    """Whether an expression is a condition (a comparison, and/or/not) rather than a quantity."""
    node = _parse(expr, expr).body
    return isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp)
                                                           and isinstance(node.op, ast.Not))


def substitute(code, name, replacement):
    """Replace the name ``name`` (not when it is called) by ``replacement`` in ``code``."""
    return re.sub(rf"\b{re.escape(name)}\b(?!\s*\()", replacement, code)


class Roles:
    """The names of one model and what each is (see :func:`resolve`)."""

    def __init__(self):
        self.entries = []          # parsed equations (dicts from sandbox.parse_equations)
        self.declared = {}         # name -> entry
        self.shared = []           # group-wide parameters, in order of first use
        self.per_element = []      # parameters stored per element (given as arrays), declared for Brian2
        self.timed = {}            # TimedArray name -> ndim
        self.dims = {}             # every name -> dims
        self.used_units = set()


def resolve(what, equations, codes, values, value_dims, specials, extra_known=None, element="neuron"):
    """Sort the names of a model into roles and infer the units of parameters.

    Parameters
    ----------
    what : str
        How errors name the model ("NeuronGroup 'P'").
    equations : str
        Equations in Brian2's syntax.
    codes : list of (str, str)
        (kind, code) of every expression or statement block besides the equations:
        kind "condition", "statements", "time or condition".
    values : dict
        Name -> "scalar", "array", "timed1" or "timed2" of every value given.
    value_dims : dict
        Name -> dims of values given with units (Brian2 quantities).
    specials : dict
        Name -> dims of the names the engine provides (``t``, ``dt``, ``i``, ...).
    extra_known : dict, optional
        More names with known dims (``v_post`` ...).
    """
    r = Roles()
    r.entries = sandbox.parse_equations(equations) if equations.strip() else []
    r.declared = {e["name"]: e for e in r.entries}
    known = dict(specials)
    known.update(extra_known or {})
    for e in r.entries:
        known[e["name"]] = as_dims(e["dims"])
        if e["name"].startswith("_") or e["name"] in specials:
            raise ModelError(f"{what}: {e['name']!r} is a reserved name (line {e['line']!r})")
    used = {}       # name -> first place it is used
    sources = [(e["line"], e["expr"]) for e in r.entries if e["expr"]] + [(c, c) for _, c in codes if c]
    for where, code in sources:
        for name in identifiers(code):
            used.setdefault(name, where)
    calls = set()
    for _, code in sources:
        calls |= called(code)
    for name, kind in values.items():
        if kind in ("timed1", "timed2"):
            r.timed[name] = 1 if kind == "timed1" else 2
    unit_table = units()
    unknown = []
    for name, where in used.items():
        if name in known or name in CONSTANTS or name in r.timed:
            continue
        if name in calls and name in FUNCTIONS:
            continue
        if name.startswith("xi") and (name == "xi" or name.startswith("xi_")):
            known[name] = scale(SECOND, -0.5)
            continue
        if name in values:
            (r.shared if values[name] == "scalar" else r.per_element).append(name)
            unknown.append(name)
            continue
        if name in unit_table and name not in values:
            known[name] = unit_table[name][0]
            r.used_units.add(name)
            continue
        local = _local_kind(name, codes)
        if local == "temporary":
            unknown.append(name)
            continue
        if local is not None:
            raise ModelError(f"{what}: {local!r} writes to {name!r}, which is not a variable of the model "
                             f"(nor of its pre- or post-synaptic group)")
        raise ModelError(f"{what}: unknown name {name!r} in {where!r}: give its value "
                         f"({name}=...) or declare it in the equations ('{name} : <unit>')")
    stray = [n for n in values if n not in used and n not in r.declared]
    if stray:
        params = sorted(set(r.shared) | set(r.per_element))
        raise ModelError(f"{what}: unknown name(s) {sorted(stray)}: the model's parameters are {params}, its "
                         f"variables {sorted(r.declared)}")
    for name in r.timed:
        if name not in calls:
            raise ModelError(f"{what}: {name!r} is a TimedArray; call it as {name}(t)")
        unknown.append(name)
    given = {n: as_dims(d) for n, d in value_dims.items() if d is not None}
    solver = DimensionSolver({**known, **given}, [n for n in unknown if n not in given],
                             functions={n: n for n in r.timed if n not in given} | {n: given[n] for n in r.timed
                                                                                   if n in given})
    try:
        for e in r.entries:
            if e["type"] == "diff":
                solver.require(e["expr"], add(as_dims(e["dims"]), SECOND, -1), e["line"])
            elif e["type"] == "subexpr":
                solver.require(e["expr"], as_dims(e["dims"]), e["line"])
        for kind, code in codes:
            if not code:
                continue
            if kind == "condition":
                solver.form(code, code)
            elif kind == "time or condition":
                if is_boolean(code):
                    solver.form(code, code)
                else:
                    solver.require(code, SECOND, code)
            else:
                for target, op, expr, line in statements(code):
                    if target is None:
                        raise ModelError(f"{what}: {line!r} is not a statement (expected 'name = expression')")
                    f = solver.form(expr, line)
                    if op in ("*=", "/="):
                        solver.equal(f, solver.form("1", line), line)
                    else:
                        solver.equal(solver.form(target, line), f, line)
    except UnitMismatch as exc:
        raise UnitMismatch(f"{what}: {exc}") from None
    except (NameError, SyntaxError) as exc:
        raise ModelError(f"{what}: {exc}") from None
    dims = solver.solve()
    dims.update(given)
    r.dims = {n: as_dims(e["dims"]) for n, e in r.declared.items()}
    r.dims.update(dims)
    return r


def _local_kind(name, codes):
    """"temporary" if ``name`` is assigned with ``=`` before it is read in a statement block (as Brian2
    allows); the offending statement if it is updated (``+=``) without existing; else None."""
    for kind, code in codes:
        if kind != "statements" or not code:
            continue
        parts = statements(code)
        for k, (target, op, expr, line) in enumerate(parts):
            if target != name:
                continue
            if op != "=":
                return line
            later = set()
            for _, _, e, _ in parts[k + 1:]:
                later |= {n.id for n in ast.walk(_parse(e, e)) if isinstance(n, ast.Name)}
            return "temporary" if name in later else line
    return None


def declarations(r, element_flag="constant"):
    """Brian2 declarations of the parameters stored per element (``El : volt (constant)``)."""
    return "".join(f"\n{n} : {unit_string(r.dims[n])} ({element_flag})" for n in r.per_element)


def dims_json(d):
    return [str(x) for x in d]


__all__ = ["resolve", "Roles", "declarations", "substitute", "statements", "identifiers", "is_boolean", "DIMLESS",
           "ModelError", "UnitMismatch"]
