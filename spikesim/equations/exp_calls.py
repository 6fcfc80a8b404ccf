"""Loop transformations for the ``exp`` calls of generated cpu loops, exact to the last bit.

The C library's ``exp`` is the most expensive operation of most generated loops (about 10 ns a
call here).  :func:`memoize_exp` gives each call site a one-entry memo, so that runs of equal
arguments (neurons at rest, conductances decayed below the last bit of the leak, traces of
neurons that fired in the same step) call it once; :func:`split_exp` moves a neuron update's
calls into a loop of their own, so that the rest of the update has no calls and vectorises.
Both keep every value bit for bit.
"""
from __future__ import annotations

import ast


def memoize_exp(lines, prefix="_xm"):
    """Per-element lines in which every ``_F.exp(ARG)`` of an assignment is reused while ARG repeats.

    A loop over elements often evaluates ``exp`` of the same argument for element after element
    (neurons at rest, conductances decayed below the last bit of the leak, ...), and the C
    library's ``exp`` is the most expensive operation of such a loop.  Each call site gets a
    one-entry memo, ``(last argument, last value)``, kept across the loop's iterations; the
    value is recomputed unless the argument is equal to the last one, so the results are the
    same bit for bit (NaN never equals itself, so a NaN argument is always recomputed).

    Returns ``(init, body)``: lines to run once before the loop, and the rewritten body.
    """
    init, out, k = [], [], 0
    for ln in lines:
        stripped = ln.lstrip()
        pad = ln[:len(ln) - len(stripped)]
        if " = " not in stripped or stripped.startswith(("if ", "elif ", "else", "for ", "while ")):
            out.append(ln)
            continue
        pre = []
        while True:
            span = _innermost_call(stripped, "_F.exp(")
            if span is None:
                break
            a, b = span                 # stripped[a:b] == "_F.exp(ARG)"
            arg = stripped[a + len("_F.exp("):b - 1]
            m = f"{prefix}{k}"
            init += [f"{m}_a = math.nan", f"{m}_v = math.nan"]
            pre += [f"{m}_x = {arg}", f"if {m}_x != {m}_a:", f"    {m}_a = {m}_x", f"    {m}_v = _F.exp({m}_x)"]
            stripped = stripped[:a] + f"{m}_v" + stripped[b:]
            k += 1
        out += [pad + p for p in pre] + [pad + stripped]
    return init, out


def split_exp(lines, prefix="_xs"):
    """The per-element ``lines`` of an update as three loops, with every ``exp`` in a loop of its own.

    A loop whose body calls the C library's ``exp`` runs one element at a time: the call clobbers
    the registers, and the memo of :func:`memoize_exp` chains one element to the next.  Here

    1. the first loop evaluates each call's argument (the statements it depends on, nothing
       stored) into a local, NaN where the call's branch is not taken, and stores it in a scratch
       row at the end of the body (one store per element, not one per branch: the loop vectorises);
    2. :func:`spikesim.equations.functions.exp_row` takes the ``exp`` of each row (a NaN argument
       is left as it is: ``exp`` of NaN is NaN), in one vectorised loop of the C library's
       algorithm where that gives its bits (:mod:`.exp_libm`), else by the library's call with a
       one-entry memo;
    3. the third loop runs the statements, taking each call's value from its row.

    The arguments are the same expressions of the same inputs in loops 1 and 3, so the values
    are the same bit for bit; loops 1 and 3 have no calls and the optimiser vectorises what it
    can (the exponential-Euler update of Diehl & Cook's conductance-based neurons ran about
    1.5-2x faster per neuron).

    Returns ``(head, body)`` -- lines before and including the third loop's ``for`` (at the
    loop's own indentation), and the third loop's body -- or None when the lines do not allow
    the split: a call whose argument depends on another call's value (or holds one), a branch
    whose condition does, a read of another element (an index other than ``_idx``), a loop, or
    a call of anything but ``_F``/``math`` functions and a few pure builtins.
    """
    sites = {}                      # line index -> [(start, end, argument)] of its exp calls
    for n, ln in enumerate(lines):
        stripped = ln.lstrip()
        if "_F.exp(" not in stripped:
            continue
        if " = " not in stripped or stripped.startswith(("if ", "elif ", "else", "for ", "while ")):
            return None
        found, pos = [], 0
        while True:
            start = stripped.find("_F.exp(", pos)
            if start < 0:
                break
            span = _innermost_call(stripped[start:], "_F.exp(")
            if span is None or span[0] != 0:
                return None         # a call inside another call's argument
            end = start + span[1]
            found.append((start, end, stripped[start + len("_F.exp("):end - 1]))
            pos = end
        sites[n] = found
    if not sites:
        return None
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return None
    pure_builtins = {"abs", "min", "max", "int", "float", "bool"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if not (isinstance(node.slice, ast.Name) and node.slice.id == "_idx"):
                return None
        elif isinstance(node, ast.Call):
            f = node.func
            if not ((isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                     and f.value.id in ("_F", "math")) or (isinstance(f, ast.Name) and f.id in pure_builtins)):
                return None
        elif isinstance(node, (ast.For, ast.While, ast.With, ast.Try, ast.Return, ast.FunctionDef, ast.Lambda)):
            return None
    tainted = set()
    drop = set()                    # lines that store (loop 1 stores nothing but the arguments)

    def names(node):
        return {x.id for x in ast.walk(node) if isinstance(x, ast.Name)}

    def visit(stmts):
        for st in stmts:
            if isinstance(st, ast.If):
                if names(st.test) & tainted:
                    return False
                if not (visit(st.body) and visit(st.orelse)):
                    return False
            elif isinstance(st, (ast.Assign, ast.AugAssign)):
                targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                if len(targets) != 1:
                    return False
                tgt = targets[0]
                n = st.lineno - 1
                for _, _, arg in sites.get(n, ()):
                    used = _names_in(arg)
                    if used is None or used & tainted:
                        return False
                if isinstance(tgt, ast.Subscript):
                    if not (isinstance(tgt.slice, ast.Name) and tgt.slice.id == "_idx"):
                        return False
                    drop.add(n)
                elif isinstance(tgt, ast.Name):
                    if tgt.id == "_bad":
                        drop.add(n)
                    elif n in sites or names(st.value) & tainted:
                        tainted.add(tgt.id)
                else:
                    return False
                if st.end_lineno != st.lineno:
                    return False
            elif not isinstance(st, ast.Pass):
                return False
        return True

    simple = [st.lineno for st in ast.walk(tree) if isinstance(st, ast.stmt) and not isinstance(st, ast.If)]
    if len(simple) != len(set(simple)) or not visit(tree.body):
        return None                 # two statements on one line, or not splittable
    n_sites = sum(map(len, sites.values()))
    k, first, third = 0, [f"_xa{q} = math.nan" for q in range(n_sites)], []
    for n, ln in enumerate(lines):
        stripped = ln.lstrip()
        pad = ln[:len(ln) - len(stripped)]
        if n not in sites:
            first.append(pad + "pass" if n in drop else ln)
            third.append(ln)
            continue
        pieces_one, pieces_three, last = [], [], 0
        for start, end, arg in sites[n]:
            first.append(pad + f"_xa{k} = {arg}")
            pieces_one += [stripped[last:start], "0.0"]       # loop 1 never uses the value
            pieces_three += [stripped[last:start], f"{prefix}[{k}, _idx]"]
            last = end
            k += 1
        first.append(pad + ("pass" if n in drop else "".join(pieces_one) + stripped[last:]))
        third.append(pad + "".join(pieces_three) + stripped[last:])
    first = _needed_passes(first) + [f"{prefix}[{q}, _idx] = _xa{q}" for q in range(n_sites)]
    head = [f"{prefix} = np.empty(({k}, _N))"]
    head += ["for _idx in range(_N):"] + ["    " + ln for ln in first]
    head += [f"_F.exp_row({prefix}[{q}])" for q in range(k)]
    head += ["for _idx in range(_N):"]
    return head, third


def _needed_passes(lines):
    """``lines`` without the ``pass`` statements that are not alone in their block."""
    def pad(ln):
        return len(ln) - len(ln.lstrip())
    out = []
    for n, ln in enumerate(lines):
        if ln.strip() == "pass":
            header = out and out[-1].rstrip().endswith(":") and pad(out[-1]) < pad(ln)
            nxt = next((x for x in lines[n + 1:] if x.strip() != "pass"), None)
            if not (header and (nxt is None or pad(nxt) < pad(ln))):
                continue
        out.append(ln)
    return out


def _names_in(expr):
    """The names an expression reads, or None if it does not parse."""
    try:
        return {x.id for x in ast.walk(ast.parse(expr, mode="eval")) if isinstance(x, ast.Name)}
    except SyntaxError:
        return None


def _innermost_call(text, head):
    """(start, end) of a call ``head...)`` in ``text`` whose argument holds no other such call, or None."""
    start = text.find(head)
    while start >= 0:
        depth, j = 1, start + len(head)
        while j < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        if depth:
            return None
        inner = text.find(head, start + len(head), j)
        if inner < 0:
            return start, j
        start = inner
    return None
