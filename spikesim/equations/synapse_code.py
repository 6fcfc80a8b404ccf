"""Synapse models and plasticity rules from equations: one description -> the code of every backend.

:func:`compile_synapses` takes a Synapses description (``model``,
``on_pre``, ``on_post`` in Brian2's syntax, regular operations, which
parameters are shared or stored per synapse) together with the layouts of
its pre- and post-synaptic groups, asks Brian2 for the statements of every
block (the pathways with their event-driven updates, clock-driven updates,
summed variables, regular operations) and renders them
(:mod:`.synapse_render`).

Event-driven variables are stored per synapse with a per-synapse
``lastupdate``, exactly as Brian2 stores them.  With ``shared_traces`` a
variable that the rule moves only at pre-synaptic spikes, by an amount that
does not depend on the synapse (a pre-synaptic trace of all-to-all or
nearest-spike STDP), is stored once per source neuron and delay instead
(all those synapses see the same spikes, so they hold the same value), and
one moved only at post-synaptic spikes once per post-synaptic neuron: the
same results up to rounding (a decay over two intervals is computed as
one), 16 bytes per synapse less, and one exponential per spike rather than
per synapse.  :func:`classify_traces` decides which variables qualify.
"""
from __future__ import annotations

from .describe import ModelError, declarations, dims_json, resolve
from .dims import DIMLESS, SECOND, as_dims, unit_string
from .pathways import split_pathway

SYN_SPECIALS = {"t": SECOND, "dt": SECOND, "i": DIMLESS, "j": DIMLESS, "N": DIMLESS, "lastupdate": SECOND}
WHEN = ("start", "synapses", "end")


def group_names(layout, suffix, unsuffixed=False):
    """Name -> dims of a neuron group's variables as synapse code sees them (``v_post``, ``lastspike_post``)."""
    out = {}
    for n in layout.get("rows", []):
        d = as_dims(layout["dims"][n])
        out[f"{n}_{suffix}"] = d
        if unsuffixed:
            out[n] = d
    if layout.get("kind", "neuron") == "neuron":
        out[f"lastspike_{suffix}"] = SECOND
        out[f"not_refractory_{suffix}"] = DIMLESS
        if unsuffixed:
            out.setdefault("lastspike", SECOND)
            out.setdefault("not_refractory", DIMLESS)
    return out


def compile_synapses(desc, what="Synapses"):
    """The generated code and layout of a synapse model (see the module docstring).

    ``desc``: ``label``, ``model``, ``on_pre``, ``on_post``, ``method``, ``values``,
    ``value_dims``, ``regular`` ([code, when] pairs), ``shared_traces`` (bool),
    ``window`` (bool: the rule counts spikes in a window), ``pre`` and ``post``
    (layouts of the groups, see :func:`.neuron_code.compile_neuron`; inputs have
    ``{"kind": "poisson"}`` or ``{"kind": "generator"}``) and ``same`` (pre is post).
    """
    from .. import _jitcache
    from .cache import cached
    key = {"desc": desc, "version": _jitcache.source_hash()}
    return cached("synapses", key, lambda: _compile(desc, what))


def _group_spec(layout):
    if layout.get("kind", "neuron") != "neuron":
        return {"kind": layout["kind"]}
    return layout["spec"]


def _compile(desc, what):
    from . import sandbox
    pre, post = desc["pre"], desc["post"]
    known = group_names(pre, "pre")
    known.update(group_names(post, "post", unsuffixed=True))
    if pre.get("kind") == "poisson":
        known["rates_pre"] = as_dims([0, 0, -1, 0, 0, 0, 0])
    specials = dict(SYN_SPECIALS)
    codes = [("statements", desc.get("on_pre")), ("statements", desc.get("on_post"))]
    for code, when in desc.get("regular", []):
        if when not in WHEN:
            raise ModelError(f"{what}: when must be one of {WHEN}, got {when!r}")
        codes.append(("statements", code))
    r = resolve(what, desc.get("model") or "", codes, desc["values"], desc.get("value_dims", {}), specials, known)
    for e in r.entries:
        bad = set(e["flags"]) - {"event-driven", "clock-driven", "summed", "constant"}
        if bad:
            raise ModelError(f"{what}: flag(s) {sorted(bad)} are not supported for synapses (line {e['line']!r})")
        if e["dtype"] != "float":
            raise ModelError(f"{what}: only floating-point synaptic variables are supported (line {e['line']!r})")
        if "summed" in e["flags"]:
            target = e["name"][:-5] if e["name"].endswith("_post") else None
            if target is None or target not in post.get("rows", []):
                raise ModelError(f"{what}: the summed variable {e['name']!r} must name a variable of the "
                                 f"post-synaptic group with the suffix _post (line {e['line']!r})")
    model = (desc.get("model") or "") + declarations(r)
    spec = {"model": model, "on_pre": desc.get("on_pre"), "on_post": desc.get("on_post"),
            "method": desc.get("method"), "shared": {n: dims_json(r.dims[n]) for n in r.shared},
            "functions": {n: (nd, dims_json(r.dims[n])) for n, nd in r.timed.items()},
            "regular": [c for c, _ in desc.get("regular", [])], "same_group": bool(desc.get("same")),
            "window": bool(desc.get("window"))}
    blocks = sandbox.synapse_blocks(spec, _group_spec(pre), _group_spec(post), what)
    event_driven = blocks["event_driven"]
    for k, blk in enumerate(blocks["regular"]):
        hit = set(blk["write"]) & set(event_driven)
        if hit:
            raise ModelError(f"{what}: the regular operation {desc['regular'][k][0]!r} writes to the "
                             f"event-driven variable(s) {sorted(hit)}; they change only at spikes")
    pre_shared, post_shared = classify_traces(blocks, event_driven) if desc.get("shared_traces") else ([], [])
    per_syn_ev = [x for x in event_driven if x not in pre_shared and x not in post_shared]
    summed = [e["name"] for e in r.entries if "summed" in e["flags"]]
    rows = [e["name"] for e in r.entries if e["type"] in ("diff", "param") and e["name"] not in pre_shared
            and e["name"] not in post_shared and "summed" not in e["flags"]] + list(r.per_element)
    layout = {
        "rows": rows, "shared": list(r.shared), "timed": [[n, nd] for n, nd in r.timed.items()],
        "event_driven": event_driven, "pre_shared": pre_shared, "post_shared": post_shared,
        "per_synapse_traces": per_syn_ev, "lastupdate": bool(per_syn_ev),
        "clock_driven": blocks["clock_driven"], "summed": [s[:-5] for s in summed],
        "units": {n: unit_string(d) for n, d in r.dims.items() if not n.startswith("_")},
        "dims": {n: dims_json(d) for n, d in r.dims.items() if not n.startswith("_")},
        "model": model, "on_pre": desc.get("on_pre"), "on_post": desc.get("on_post"),
        "regular": [list(x) for x in desc.get("regular", [])], "window": bool(desc.get("window")),
        "pre_rows": pre.get("rows", []), "post_rows": post.get("rows", []), "same": bool(desc.get("same")),
        "pathways": [p for p in ("pre", "post") if blocks[p] is not None], "units_used": sorted(r.used_units),
        "constant": [e["name"] for e in r.entries if e["type"] == "param" and "constant" in e["flags"]]
        + list(r.per_element),
    }
    written = set()
    for b in [blocks["pre"], blocks["post"], blocks["stateupdate"]] + list(blocks["regular"]):
        if b is not None:
            written |= set(b["write"])
    layout["written"] = [n for n in rows if n in written]
    layout["regular_reads_event_driven"] = any(set(b["read"]) & set(event_driven) for b in blocks["regular"])
    from .cuda_render import render_synapses
    from .synapse_render import render
    label = desc.get("label", "synapses")
    layout["sources"] = {"cpu": render(label, layout, blocks),
                         "reference": render(label, layout, blocks, reference=True),
                         "cuda": render_synapses(label, layout, blocks)}
    return layout


def _per_element(names, variables, allowed):
    """The names among ``names`` that are per-element arrays and not in ``allowed``."""
    out = set()
    for n in names:
        info = variables.get(n)
        if info and info.get("kind") == "array" and info.get("index") != "0" and n not in allowed:
            out.add(n)
    return out


def classify_traces(blocks, event_driven):
    """Which event-driven variables can be stored per source (and delay) or per post neuron.

    Returns (pre_shared, post_shared), lists of names (see the module docstring).
    A variable qualifies for the pre side when its own decay depends on
    nothing else of the synapse, no post-side or regular statement writes it,
    and every pre-side statement that writes it depends only on itself, other
    such variables, the source neuron and constants; symmetrically for the
    post side.
    """
    from brian2.utils.stringtools import get_identifiers
    variables = blocks["variables"]
    parts = {}
    for side in ("pre", "post"):
        parts[side] = split_pathway(blocks[side], event_driven) if blocks[side] is not None else ({}, [])
    ok = set()
    for x in event_driven:
        decay = parts["pre"][0].get(x) or parts["post"][0].get(x)
        if decay is None or _per_element(get_identifiers(decay), variables, {x, "lastupdate"}):
            continue
        ok.add(x)

    def writers(side, x):
        return [s for s in parts[side][1] if s["var"] == x]

    def names_of(side, stmt):
        """Identifiers a statement depends on, through the temporaries defined before it in the block."""
        user = parts[side][1]
        k = next(q for q, s in enumerate(user) if s is stmt)
        todo, seen, out = [stmt], set(), set()
        while todo:
            s = todo.pop()
            names = get_identifiers(s["expr"])
            for _, e in s.get("bool_exprs") or []:
                names |= get_identifiers(e)
            for n in names - seen:
                seen.add(n)
                defs = [d for d in user[:k] if d["var"] == n and d["op"] == ":="]
                if defs:
                    todo.append(defs[-1])
                else:
                    out.add(n)
        return out

    pre = {x for x in ok if not writers("post", x)}
    post = {x for x in ok if not writers("pre", x)}
    pre_idx = {n for n, v in variables.items() if v.get("index") == "_presynaptic_idx"} | {"i"}
    post_idx = {n for n, v in variables.items() if v.get("index") == "_postsynaptic_idx"} | {"j"}
    changed = True
    while changed:
        changed = False
        for side, cand, idx in (("pre", pre, pre_idx), ("post", post, post_idx)):
            for x in sorted(cand):
                for s in writers(side, x):
                    names = names_of(side, s)
                    if _per_element(names, variables, cand | idx) or s["var"] in blocks[side]["cond"]:
                        cand.discard(x)
                        changed = True
                        break
    both = pre & post
    for x in both:      # written nowhere: keep it on the pre side
        post.discard(x)
    return sorted(pre), sorted(post)
