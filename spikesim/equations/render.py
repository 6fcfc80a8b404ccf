"""Statements captured from Brian2 -> Python source (numba scalar code, or numpy for the reference backend).

The expression renderers subclass Brian2's own :class:`NodeRenderer`, which
parenthesises every operation, so an expression keeps the operation order
Brian2's compiled code has and gives the same bits.  Functions map to
:mod:`.functions` (Brian2's definitions) and powers to the C library's
``pow``; a per-block substitution table replaces names (unit constants by
their values, ``lastspike`` by its time, ...).

:func:`render_body` writes the per-element part of a block the way Brian2's
Cython generator does: read the arrays the block uses into locals, run the
statements (branching on boolean variables where Brian2 does, and writing
``(unless refractory)`` variables only when allowed), write back.
"""
from __future__ import annotations

import ast

from .sandbox import import_brian2

import_brian2()   # first, so that Brian2 is imported safely from any thread
from brian2.parsing.rendering import NodeRenderer, NumpyNodeRenderer  # noqa: E402

MATH = {"exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "expm1", "log1p", "floor",
        "ceil"}
ARC = {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}
HELPERS = {"clip": "clip", "exprel": "exprel", "timestep": "timestep", "int": "int_", "sign": "sign"}


class _Sites:
    """Numbers the random-number call sites of a block in rendering order."""

    def __init__(self, base=0):
        self.base = base
        self.count = 0

    def next(self):
        self.count += 1
        return self.base + self.count


class ScalarRenderer(NodeRenderer):
    """Python source for one element's arithmetic, compiled by numba (cpu and cuda alike).

    Parameters
    ----------
    names : dict
        Name -> replacement source (e.g. ``{"mV": "0.001"}``).
    functions : dict
        TimedArray name -> (ndim, values source, meta source).
    sites : _Sites
        Random call-site counter.
    index : str
        The element index expression (``"_idx"``) used by ``rand()``.
    fast_exp : bool
        Render ``exp`` as :func:`.functions.exp` (cpu; cuda has its own ``exp``).
    """

    def __init__(self, names=None, functions=None, sites=None, index="_idx", fast_exp=False):
        super().__init__()
        self.names = names or {}
        self.functions = functions or {}
        self.sites = sites or _Sites()
        self.index = index
        self.fast_exp = fast_exp        # cpu: exp through _F.exp (same values, no slow underflow path)

    def render_Name(self, node):
        if node.id in ("True", "False"):
            return node.id
        return self.names.get(node.id, node.id)

    def render_Constant(self, node):
        if isinstance(node.value, bool):
            return repr(node.value)
        return super().render_Constant(node)

    def render_Call(self, node):
        fn = node.func.id
        args = [self.render_node(a) for a in node.args]
        if fn == "exp" and self.fast_exp:
            return f"_F.exp({args[0]})"
        if fn in MATH:
            return f"math.{fn}({', '.join(args)})"
        if fn in ARC:
            return f"math.{ARC[fn]}({', '.join(args)})"
        if fn == "abs":
            return f"abs({args[0]})"
        if fn in HELPERS:
            return f"_F.{HELPERS[fn]}({', '.join(args)})"
        if fn in ("rand", "randn"):
            return f"_F.{fn}(_key, {self.sites.next()}, {self.index}, _step)"
        if fn in self.functions:
            ndim, values, meta = self.functions[fn]
            if ndim == 1:
                return f"_F.timed_1d({values}, {meta}, {args[0]})"
            return f"_F.timed_2d({values}, {meta}, {args[0]}, {args[1]})"
        if fn in ("n_pre_spikes", "n_post_spikes"):
            ring, col = ("_ring_pre", "_b") if fn == "n_pre_spikes" else ("_ring_post", "_post_i")
            return (f"_F.ring_count({ring}, {col}, _step, _F.timestep({args[0]}, dt), "
                    f"_F.timestep({args[1]}, dt))")
        raise NotImplementedError(f"function {fn!r} is not supported in spikesim models")

    def render_BinOp(self, node):
        if isinstance(node.op, ast.Pow):
            return f"_F.power({self.render_node(node.left)}, {self.render_node(node.right)})"
        return super().render_BinOp(node)


class VectorRenderer(NumpyNodeRenderer):
    """numpy source evaluating an expression for many elements at once (the reference backend).

    Functions are applied element by element through the C library (see
    :data:`.functions.VECTOR`), never numpy's own ``exp``, so that the values
    equal the compiled backends' bit for bit.
    """

    def __init__(self, names=None, functions=None, sites=None, index="_idx"):
        super().__init__()
        self.names = names or {}
        self.functions = functions or {}
        self.sites = sites or _Sites()
        self.index = index

    def render_Name(self, node):
        if node.id in ("True", "False"):
            return node.id
        return self.names.get(node.id, node.id)

    def render_Constant(self, node):
        if isinstance(node.value, bool):
            return repr(node.value)
        return super().render_Constant(node)

    def render_UnaryOp(self, node):
        if isinstance(node.op, ast.Not):
            return f"_np.logical_not({self.render_node(node.operand)})"
        return super().render_UnaryOp(node)

    def render_Call(self, node):
        fn = node.func.id
        args = [self.render_node(a) for a in node.args]
        if fn in ARC or fn in ("exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh",
                                "expm1", "log1p", "exprel"):
            return f"_V[{fn!r}]({', '.join(args)})"
        if fn in ("floor", "ceil", "abs"):
            return f"_np.{'abs' if fn == 'abs' else fn}({args[0]})"
        if fn == "clip":
            x, lo, hi = args
            return f"_R.clip({x}, {lo}, {hi})"
        if fn == "int":
            return f"_R.int_({args[0]})"
        if fn == "sign":
            return f"_np.sign({args[0]})"
        if fn == "timestep":
            return f"_R.timestep({args[0]}, {args[1]})"
        if fn in ("rand", "randn"):
            return f"_R.{fn}(_key, {self.sites.next()}, {self.index}, _step)"
        if fn in self.functions:
            ndim, values, meta = self.functions[fn]
            if ndim == 1:
                return f"_R.timed_1d({values}, {meta}, {args[0]})"
            return f"_R.timed_2d({values}, {meta}, {args[0]}, {args[1]})"
        raise NotImplementedError(f"function {fn!r} is not supported in spikesim models")

    def render_BinOp(self, node):
        if isinstance(node.op, ast.Pow):
            return f"_V['power']({self.render_node(node.left)}, {self.render_node(node.right)})"
        return super().render_BinOp(node)


def _assign(var, op, rhs):
    return f"{var} {'=' if op == ':=' else op} {rhs}"


def render_statement(stmt, renderer, vector=False):
    """Source lines of one statement; boolean-simplified alternatives become an if/else chain (scalar)
    or a ``where`` (vector), as Brian2's compiled targets do for float statements."""
    var, op = stmt["var"], stmt["op"]
    alts = stmt.get("bool_exprs")
    if alts and stmt["dtype"] == "float":
        if vector:
            # evaluate every alternative for all elements, pick per element
            expr = None
            for assigns, e in reversed(alts):
                cond = " & ".join(f"({renderer.names.get(v, v)})" if b else f"_np.logical_not({renderer.names.get(v, v)})"
                                  for v, b in assigns)
                rhs = renderer.render_expr(e)
                expr = rhs if expr is None else f"_np.where({cond}, {rhs}, {expr})"
            return [_assign(var, op, expr)]
        lines = []
        for k, (assigns, e) in enumerate(alts):
            cond = " and ".join(renderer.names.get(v, v) if b else f"not {renderer.names.get(v, v)}"
                                for v, b in assigns)
            head = "if" if k == 0 else ("elif" if len(alts[0][0]) > 1 and k < len(alts) - 1 else "else")
            lines.append(f"{head} {cond}:" if head != "else" else "else:")
            lines.append("    " + _assign(var, op, renderer.render_expr(e)))
        return lines
    return [_assign(var, op, renderer.render_expr(stmt["expr"]))]


def render_statements(block, renderer, vector=False, conditional=None, skip=()):
    """Source lines of a block's vector statements (without reading or writing the arrays).

    ``conditional``: var -> condition source for writes Brian2 makes conditional
    (default: the block's own ``cond``); in vector form a conditional write is a ``where``.
    """
    cond = block["cond"] if conditional is None else conditional
    lines = []
    for stmt in block["vector"]:
        if stmt["var"] in skip:
            continue
        body = render_statement(stmt, renderer, vector)
        c = cond.get(stmt["var"])
        if c is None:
            lines.extend(body)
        elif vector:
            new = body[0].split(" ", 2)
            if new[1] == "=":
                lines.append(f"{stmt['var']} = _np.where({renderer.names.get(c, c)}, {new[2]}, {stmt['var']})")
            else:   # augmented assignment: apply to a copy, then pick
                lines.append(f"_new = {stmt['var']} {new[1][0]} ({new[2]})")
                lines.append(f"{stmt['var']} = _np.where({renderer.names.get(c, c)}, _new, {stmt['var']})")
        else:
            lines.append(f"if {renderer.names.get(c, c)}:")
            lines.extend("    " + b for b in body)
    return lines


def render_scalars(block, renderer, used=None):
    """Source lines of a block's loop-invariant statements (``_lio_*``), dropping ones nothing uses."""
    from brian2.utils.stringtools import get_identifiers
    stmts = block["scalar"]
    if used is not None:
        need = set(used)
        keep = []
        for s in reversed(stmts):
            if s["var"] in need:
                keep.append(s)
                need |= get_identifiers(s["expr"])
        stmts = list(reversed(keep))
    return [_assign(s["var"], s["op"], renderer.render_expr(s["expr"])) for s in stmts]


def used_names(block, skip=()):
    """Every identifier the vector statements of a block use (reads, conditions, branches)."""
    from brian2.utils.stringtools import get_identifiers
    names = set(block["cond"].values())
    for s in block["vector"]:
        if s["var"] in skip:
            continue
        names |= get_identifiers(s["expr"]) | {s["var"]}
        for assigns, e in s.get("bool_exprs") or []:
            names |= get_identifiers(e) | {v for v, _ in assigns}
    return names


def element_lines(block, renderer, reads, writes, vector=False, replace=None):
    """Read locals, statements, write back: the per-element code of a block (as Brian2's Cython code is).

    ``reads``: name -> source of its value for this element (names the block
    uses are read, in sorted order, before the statements); ``writes``: name ->
    target of its write-back (names the block writes).  ``replace``: statement
    var -> replacement expression for its first statement (e.g. the
    refractory test in integer steps).
    """
    stmts = block["vector"]
    if replace:
        stmts = [dict(s, expr=replace[s["var"]], bool_exprs=None) if s["var"] in replace and k == _first(stmts, s["var"])
                 else s for k, s in enumerate(stmts)]
    blk = dict(block, vector=stmts)
    use = used_names(blk)
    defined = {s["var"] for s in stmts if s["op"] == ":="}
    lines = [f"{n} = {reads[n]}" for n in sorted(use) if n in reads and n not in defined]
    lines += render_statements(blk, renderer, vector=vector)
    for n in sorted(block["write"]):
        if n in writes:
            lines.append(f"{writes[n]} = {n}")
    return lines


def prune_unused(head, rest):
    """``head`` without the single-name assignments (``_rev_ptr = _s.rev_ptr``, ``tau = _shared[3]``)
    whose name nothing after them reads, in ``head`` or in ``rest``.

    A generated function unpacks every field of its record; numba reference-counts every array it
    takes from a record, so fields a function does not use still cost a few nanoseconds per call.
    """
    import re
    used = set()
    for ln in rest:
        used |= set(re.findall(r"\b\w+\b", ln))
    keep = []
    for ln in reversed(head):
        m = re.fullmatch(r"(\w+) = (.+)", ln)
        if m and m.group(1) not in used:
            continue
        keep.append(ln)
        used |= set(re.findall(r"\b\w+\b", ln if not m else m.group(2)))
    return keep[::-1]


#: decorator of every generated cpu function.  ``forceinline``: the step loop that calls it gets its body,
#: not a call (a call passes its records by reference counting, a few ns each, and keeps loads of their
#: fields inside the callee); song2000's 1 million steps ran about 25 % faster, and loops compile no slower.
CPU_JIT = '@njit(cache=True, error_model="numpy", forceinline=True)'


def _first(stmts, var):
    for k, s in enumerate(stmts):
        if s["var"] == var:
            return k
    return -1


def _expr_names(stmt):
    from brian2.utils.stringtools import get_identifiers
    names = set(get_identifiers(stmt["expr"]))
    for assigns, e in stmt.get("bool_exprs") or []:
        names |= get_identifiers(e) | {v for v, _ in assigns}
    return names
