"""Neuron models from equations: one description -> the code of every backend.

:func:`compile_neuron` takes a model description (equations, threshold,
reset, refractoriness, method, and which parameters are shared or stored per
neuron), asks Brian2 for the statements of each block (:mod:`.sandbox`) and
renders them as Python modules: numba functions for the cpu backend
(``update``, ``threshold``, ``reset`` and one ``regular_k`` per regular
operation, each looping over the group), numpy functions for the reference
backend and CUDA kernels.  The result is plain data, cached on disk by the
hash of the description (:func:`.cache.cached`), so a model seen before
costs neither Brian2 nor sympy.

A group's arrays travel as one record with named fields
(:mod:`spikesim.backends.records`); the generated functions unpack it, so a
step loop calls ``update(step, t, dt, record)`` whatever the model.
"""
from __future__ import annotations

from .describe import ModelError, declarations, dims_json, resolve
from .dims import DIMLESS, SECOND, unit_string

NEURON_SPECIALS = {"t": SECOND, "dt": SECOND, "i": DIMLESS, "N": DIMLESS, "lastspike": SECOND,
                   "not_refractory": DIMLESS}
WHEN = ("start", "groups", "end")


def neuron_key(desc):
    from .. import _jitcache
    return {"desc": desc, "version": _jitcache.source_hash()}


def compile_neuron(desc, what="NeuronGroup"):
    """The generated code and layout of a neuron model (see the module docstring).

    Parameters
    ----------
    desc : dict
        ``label`` (a name for the generated modules), ``equations``, ``threshold``,
        ``reset`` (strings or None), ``refractory`` (None, "steps" or an
        expression), ``method`` (None: Brian2's choice), ``values`` (name -> "scalar",
        "array", "timed1", "timed2"), ``value_dims`` (name -> dims or None) and
        ``regular`` (list of [code, when]).
    what : str
        How errors name the group.
    """
    from .cache import cached
    return cached("neuron", neuron_key(desc), lambda: _compile(desc, what))


def _compile(desc, what):
    from . import sandbox
    codes = [("condition", desc.get("threshold")), ("statements", desc.get("reset"))]
    ref = desc.get("refractory")
    if ref not in (None, "steps"):
        codes.append(("time or condition", ref))
    for code, when in desc.get("regular", []):
        if when not in WHEN:
            raise ModelError(f"{what}: when must be one of {WHEN}, got {when!r}")
        codes.append(("statements", code))
    r = resolve(what, desc["equations"], codes, desc["values"], desc.get("value_dims", {}), NEURON_SPECIALS)
    thr = desc.get("threshold")
    if thr is not None:
        from .describe import identifiers
        if not (identifiers(thr) & (set(r.declared) | set(r.shared) | set(r.per_element) | set(r.timed)
                                    | {"t", "i", "lastspike"})):
            raise ModelError(f"{what}: the threshold {thr!r} uses no variable of the model")
    for e in r.entries:
        bad = set(e["flags"]) - {"unless refractory", "constant", "shared"}
        if bad:
            raise ModelError(f"{what}: flag(s) {sorted(bad)} are not supported for neurons (line {e['line']!r})")
        if "shared" in e["flags"]:
            raise ModelError(f"{what}: shared variables are not supported; give {e['name']!r} as a value "
                             f"({e['name']}=...) instead (line {e['line']!r})")
    equations = desc["equations"] + declarations(r)
    spec = {"equations": equations, "threshold": thr, "reset": desc.get("reset"), "refractory": ref,
            "method": desc.get("method"), "shared": {n: dims_json(r.dims[n]) for n in r.shared},
            "functions": {n: (nd, dims_json(r.dims[n])) for n, nd in r.timed.items()},
            "no_refractory_factor": bool(desc.get("no_refractory_factor"))}
    spec["regular"] = [c for c, _ in desc.get("regular", [])]
    blocks = sandbox.neuron_blocks(spec, what)
    regular = blocks["regular"]
    rows = [e["name"] for e in r.entries if e["type"] in ("diff", "param")] + list(r.per_element)
    layout = {
        "rows": rows, "shared": list(r.shared), "timed": [[n, nd] for n, nd in r.timed.items()],
        "state": [e["name"] for e in r.entries if e["type"] == "diff"],
        "constant": [e["name"] for e in r.entries if e["type"] == "param" and "constant" in e["flags"]]
        + list(r.per_element),
        "subexpressions": {e["name"]: e["expr"] for e in r.entries if e["type"] == "subexpr"},
        "units": {n: unit_string(d) for n, d in r.dims.items() if not n.startswith("_")},
        "dims": {n: dims_json(d) for n, d in r.dims.items() if not n.startswith("_")},
        "unless_refractory": [e["name"] for e in r.entries if "unless refractory" in e["flags"]],
        "equations": equations, "threshold": thr, "reset": desc.get("reset"), "refractory": ref,
        "method": blocks["method"], "regular": [list(x) for x in desc.get("regular", [])],
        "units_used": sorted(r.used_units), "kind": "neuron", "spec": spec,
    }
    from .cuda_render import render_neuron
    from .neuron_render import render_cpu, render_reference
    label, blocks = desc.get("label", "model"), dict(blocks, regular=regular)
    layout["sources"] = {"cpu": render_cpu(label, layout, blocks), "reference": render_reference(label, layout, blocks),
                         "cuda": render_neuron(label, layout, blocks)}
    layout["written"] = sorted(set(blocks["stateupdate"]["write"]) - {"not_refractory"}) \
        if blocks["stateupdate"] else []
    return layout
