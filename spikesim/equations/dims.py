"""Physical dimensions of the names in a model, inferred from its equations.

spikesim takes plain SI floats for parameters (``tau_m=20*ms`` is 0.02), so
the units of a parameter that the equations use but do not declare are not
given anywhere.  They follow from the equations: in ``dv/dt = (El - v)/tau_m
: volt``, ``El`` is added to ``v`` (volt) and ``tau_m`` turns volt into
volt/second.  :class:`DimensionSolver` writes every such relation as a linear
equation in the exponents of the seven SI base dimensions of the unknown
names and solves them; a relation that contradicts the ones before it is a
unit mismatch and raises :class:`UnitMismatch` naming the statement.

Dimensions are tuples of seven :class:`fractions.Fraction` exponents in the
order metre, kilogram, second, ampere, kelvin, mole, candela.
"""
from __future__ import annotations

import ast
from fractions import Fraction

DIMLESS = (Fraction(0),) * 7
SECOND = (Fraction(0), Fraction(0), Fraction(1), Fraction(0), Fraction(0), Fraction(0), Fraction(0))

_ARG_DIMLESS = {"exp", "log", "log10", "expm1", "log1p", "exprel", "sin", "cos", "tan", "sinh", "cosh", "tanh",
                "arcsin", "arccos", "arctan", "int", "poisson"}
_SAME_AS_ARG = {"abs", "ceil", "floor"}
_BASE = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candela")
_NAMED = {  # readable names of common derived dimensions
    (2, 1, -3, -1, 0, 0, 0): "volt", (-2, -1, 3, 2, 0, 0, 0): "siemens", (-2, -1, 4, 2, 0, 0, 0): "farad",
    (0, 0, -1, 0, 0, 0, 0): "hertz", (2, 1, -3, -2, 0, 0, 0): "ohm", (0, 0, 1, 1, 0, 0, 0): "coulomb",
    (2, 1, -2, 0, 0, 0, 0): "joule", (2, 1, -3, 0, 0, 0, 0): "watt",
}


class UnitMismatch(ValueError):
    """The equations of a model contradict each other in their units."""


def as_dims(d):
    """A 7-tuple of Fractions from any sequence of 7 numbers or strings."""
    d = tuple(Fraction(x) for x in d)
    if len(d) != 7:
        raise ValueError(f"dimensions need 7 exponents, got {d}")
    return d


def add(a, b, k=1):
    return tuple(x + k * y for x, y in zip(a, b))


def scale(a, k):
    return tuple(x * k for x in a)


def unit_string(d):
    """A unit expression Brian2 understands for dimensions ``d`` ("volt", "siemens/metre**2", "1")."""
    d = as_dims(d)
    if d == DIMLESS:
        return "1"
    key = tuple(int(x) if x.denominator == 1 else None for x in d)
    if key in _NAMED:
        return _NAMED[key]
    if add(d, SECOND) == DIMLESS:
        return "hertz"
    parts = []
    for name, e in zip(_BASE, d):
        if e == 0:
            continue
        parts.append(name if e == 1 else f"{name}**{e}" if e.denominator == 1 else f"{name}**({e})")
    return "*".join(parts)


class _Form:
    """Dimensions of an expression: a known part plus rational multiples of unknown names' dimensions."""

    __slots__ = ("const", "coef")

    def __init__(self, const=DIMLESS, coef=None):
        self.const = const
        self.coef = dict(coef or {})

    def plus(self, other, k=1):
        coef = dict(self.coef)
        for n, c in other.coef.items():
            coef[n] = coef.get(n, 0) + k * c
            if coef[n] == 0:
                del coef[n]
        return _Form(add(self.const, other.const, k), coef)

    def times(self, k):
        return _Form(scale(self.const, k), {n: c * k for n, c in self.coef.items() if c * k != 0})


class DimensionSolver:
    """Collects relations between dimensions and solves for the unknown names.

    Parameters
    ----------
    known : dict
        Name -> dimensions (7-tuple) of every name whose dimensions are given.
    unknown : iterable of str
        Names whose dimensions are to be inferred.
    functions : dict, optional
        Name -> ``(argument dims or None, result dims or unknown name)`` of
        user functions (TimedArrays): ``(None, "I")`` means any arguments,
        result of the unknown dimensions of ``"I"``.
    """

    def __init__(self, known, unknown, functions=None):
        self.known = {k: as_dims(v) for k, v in known.items()}
        self.unknown = set(unknown)
        self.functions = dict(functions or {})
        self._rows = []          # reduced rows: (pivot, coef dict, rhs dims)

    # ------------------------------------------------------------------ expressions
    def form(self, expr, where):
        """Dimensions of expression ``expr`` (a string) as a linear form; ``where`` names it in errors."""
        try:
            node = ast.parse(expr.strip(), mode="eval").body
        except SyntaxError as exc:
            raise SyntaxError(f"{where}: cannot parse {expr!r}: {exc.msg}") from None
        return self._node(node, where)

    def _node(self, node, where):
        if isinstance(node, ast.Constant):
            return _Form()
        if isinstance(node, ast.Name):
            return self._name(node.id, where)
        if isinstance(node, ast.UnaryOp):
            f = self._node(node.operand, where)
            return _Form() if isinstance(node.op, ast.Not) else f
        if isinstance(node, ast.BoolOp):
            for v in node.values:
                self._node(v, where)
            return _Form()
        if isinstance(node, ast.Compare):
            left = self._node(node.left, where)
            for c in node.comparators:
                right = self._node(c, where)
                self.equal(left, right, where)
                left = right
            return _Form()
        if isinstance(node, ast.BinOp):
            a = self._node(node.left, where)
            if isinstance(node.op, ast.Pow):
                k = _numeric(node.right)
                if k is None:
                    self.equal(self._node(node.right, where), _Form(), where)
                    self.equal(a, _Form(), where)
                    return _Form()
                return a.times(k)
            b = self._node(node.right, where)
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mod)):
                self.equal(a, b, where)
                return a
            if isinstance(node.op, ast.Mult):
                return a.plus(b)
            if isinstance(node.op, (ast.Div, ast.FloorDiv)):
                return a.plus(b, -1)
            raise SyntaxError(f"{where}: operator {type(node.op).__name__} is not supported in {ast.unparse(node)!r}")
        if isinstance(node, ast.Call):
            return self._call(node, where)
        raise SyntaxError(f"{where}: {ast.unparse(node)!r} is not supported in equations")

    def _name(self, name, where):
        if name in self.known:
            return _Form(self.known[name])
        if name in self.unknown:
            return _Form(coef={name: Fraction(1)})
        if name in ("True", "False"):
            return _Form()
        raise NameError(f"{where}: unknown name {name!r}")

    def _call(self, node, where):
        if not isinstance(node.func, ast.Name):
            raise SyntaxError(f"{where}: only plain function calls are supported, got {ast.unparse(node)!r}")
        fn = node.func.id
        args = [self._node(a, where) for a in node.args]
        if fn in _ARG_DIMLESS:
            for a in args:
                self.equal(a, _Form(), where)
            return _Form()
        if fn in _SAME_AS_ARG and len(args) == 1:
            return args[0]
        if fn == "sqrt" and len(args) == 1:
            return args[0].times(Fraction(1, 2))
        if fn == "sign":
            return _Form()
        if fn == "clip" and len(args) == 3:
            self.equal(args[0], args[1], where)
            self.equal(args[0], args[2], where)
            return args[0]
        if fn in ("rand", "randn"):
            return _Form()
        if fn in ("n_pre_spikes", "n_post_spikes") and len(args) == 2:
            for a in args:
                self.equal(a, _Form(SECOND), where)
            return _Form()
        if fn == "timestep" and len(args) == 2:
            for a in args:
                self.equal(a, _Form(SECOND), where)
            return _Form()
        if fn in self.functions:
            result = self.functions[fn]
            self.equal(args[0], _Form(SECOND), where) if args else None
            for a in args[1:]:
                self.equal(a, _Form(), where)
            return self._name(result, where) if isinstance(result, str) else _Form(as_dims(result))
        raise NameError(f"{where}: unknown function {fn!r}")

    # ------------------------------------------------------------------ relations
    def equal(self, a, b, where):
        """Record dims(a) == dims(b)."""
        f = a.plus(b, -1)
        coef, rhs = dict(f.coef), scale(f.const, -1)
        for pivot, row, row_rhs in self._rows:
            c = coef.get(pivot)
            if c:
                for n, v in row.items():
                    coef[n] = coef.get(n, 0) - c * v
                    if coef[n] == 0:
                        del coef[n]
                rhs = add(rhs, row_rhs, -c)
        if not coef:
            if rhs != DIMLESS:
                raise UnitMismatch(f"{where}: the units do not match ({_describe(a)} against {_describe(b)})")
            return
        pivot = min(coef)
        c = coef[pivot]
        row = {n: v / c for n, v in coef.items()}
        rhs = scale(rhs, 1 / c)
        for k, (p, r, rr) in enumerate(self._rows):       # keep rows reduced
            cp = r.get(pivot)
            if cp:
                r = dict(r)
                for n, v in row.items():
                    r[n] = r.get(n, 0) - cp * v
                    if r[n] == 0:
                        del r[n]
                self._rows[k] = (p, r, add(rr, rhs, -cp))
        self._rows.append((pivot, row, rhs))

    def require(self, expr, dims, where):
        """Record that expression ``expr`` has dimensions ``dims``."""
        self.equal(self.form(expr, where), _Form(as_dims(dims)), where)

    def solve(self):
        """Dimensions of every unknown name; names left free by the equations are dimensionless."""
        out = {n: DIMLESS for n in self.unknown}
        for pivot, row, rhs in self._rows:
            # free names (non-pivots) are 0, so each pivot equals its row's right-hand side
            out[pivot] = rhs
        return out


def _numeric(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return Fraction(node.value).limit_denominator(1000)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _numeric(node.operand)
        return None if v is None else -v
    return None


def _describe(f):
    parts = [unit_string(f.const)] if f.const != DIMLESS or not f.coef else []
    parts += [f"units of {n}" + (f"**{c}" if c != 1 else "") for n, c in f.coef.items()]
    return " * ".join(parts)
