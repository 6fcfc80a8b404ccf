"""Synapses: connections between two groups, with a model and pathway statements in Brian2's syntax."""
from __future__ import annotations

import re

import numpy as np

from .._validate import as_array, check_bool, check_float, check_int
from . import connect as rules
from .groups import Group, resolve_value
from .neurons import NeuronGroup, classify_value
from .timed import TimedArray

_IDENT = re.compile(r"^[A-Za-z_]\w*$")


class Synapses:
    """Connections from ``pre`` to ``post`` whose effects and plasticity are statements in Brian2's syntax.

    Two ways to write them:

    * equations: ``Synapses(pre, post, "w : volt", on_pre="v_post += w")``;
      ``model`` declares synaptic variables (``w : volt``), event-driven traces
      (``dApre/dt = -Apre/tau : 1 (event-driven)``), clock-driven variables
      and summed variables (``I_post = g*w : amp (summed)``); ``on_pre`` /
      ``on_post`` run for each synapse when a pre-synaptic spike arrives /
      when the post-synaptic neuron fires; names with ``_pre`` / ``_post``
      refer to the groups' variables (a post variable needs no suffix);
      ``clip``, ``exp``, ``rand()``, ``lastspike_pre``... are available;
    * a target and a rule preset: ``Synapses(pre, post, "ge", weight=0.5*mV,
      plasticity=STDP(...))`` is ``model="w : volt"``, ``on_pre="ge_post += w"``
      plus the rule's own equations (see :mod:`spikesim.plasticity`).

    A spike of pre-synaptic neuron ``i`` at step ``n`` reaches synapse ``s``
    at step ``n + round(delay[s]/dt)``.  Inside a step: arriving spikes in
    push order (longest delay first), then source index, then synapse
    creation order; every Synapses object's pre pathway before any post
    pathway (Brian2's order).

    Storage: compressed rows by source and delay (per synapse an int32 target
    index and one float64 per synaptic variable), a post-side index when a
    post pathway or an operation needs it, per-synapse ``lastupdate`` when
    event-driven variables are stored per synapse.

    Parameters
    ----------
    pre, post : Group
        Source group (any group) and target group (a NeuronGroup).
    model : str, optional
        Synaptic equations, or (old form) the name of the post variable that
        receives ``w`` (``"ge"``).
    on_pre, on_post : str, optional
        Statements run at pre-synaptic spike arrival / post-synaptic spikes.
    delay : float, array of shape (n_synapses,), or callable
        Transmission delay in seconds (>= 0), rounded to whole steps.
    weight : float, array or callable, optional
        Old form: initial value of ``w``.
    plasticity : PlasticityRule, optional
        Old form: a rule preset (:class:`spikesim.plasticity.STDP`, ...).
    shared_traces : bool, optional
        Store event-driven traces that every synapse of one source (or one
        target) shares once per source (target) instead of per synapse (see
        :mod:`spikesim.equations.synapse_code`).  Default: True for the rule
        presets, False for equations (then results equal Brian2's bit for bit).
    method : str, optional
        Integration method of clock-driven variables.
    name : str, optional
    **values
        Values of the model's parameters and initial values of its
        variables (SI floats): a scalar (shared), an array of one value per
        synapse in creation order, or a callable ``f(rng, n_synapses)``.

    Examples
    --------
    >>> from spikesim import NeuronGroup, Synapses
    >>> from spikesim.units import mV
    >>> G = NeuronGroup(2, "lif_cuba")
    >>> S = Synapses(G, G, "w : volt", on_pre="v_post += w", w=0.5*mV).connect(i=[0], j=[1])
    """

    def __init__(self, pre, post, model=None, on_pre=None, on_post=None, *, delay=0.0, target=None, weight=None,
                 plasticity=None, shared_traces=None, method=None, name=None, **values):
        if not isinstance(pre, Group):
            raise TypeError(f"pre must be a NeuronGroup, PoissonGroup or SpikeGeneratorGroup, got {type(pre).__name__}")
        if not isinstance(post, NeuronGroup):
            raise TypeError(f"post must be a NeuronGroup, got {type(post).__name__}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        for what, code in (("model", model), ("on_pre", on_pre), ("on_post", on_post)):
            if code is not None and not isinstance(code, str):
                raise TypeError(f"{what} must be a string of Brian2 code, got {type(code).__name__}")
            if code is not None and what != "model":
                from ..equations.describe import check_syntax
                check_syntax(what, code)
        if target is not None and not isinstance(target, str):
            raise TypeError(f"target must be the name of a variable of the post-synaptic group, got {target!r}")
        if shared_traces is not None:
            shared_traces = check_bool("shared_traces", shared_traces)
        self.pre, self.post, self.name = pre, post, name
        from ..plasticity.stdp import PlasticityRule
        if plasticity is not None and not isinstance(plasticity, PlasticityRule):
            raise TypeError(f"plasticity must be a plasticity rule (e.g. spikesim.plasticity.STDP), got "
                            f"{type(plasticity).__name__}")
        no_code = on_pre is None and on_post is None
        if model is None and no_code and target is None and "ge" in post.variables:
            target = "ge"            # Synapses(pre, post): onto ge, as before equations existed
        old_form = target is not None or (model is not None and _IDENT.match(model.strip() or "-") and no_code)
        regular, window = [], None
        self.plasticity = plasticity
        self._display = {}
        if old_form:
            target = target if target is not None else model.strip()
            if target not in post.variables:
                raise ValueError(f"target must be a variable of the post-synaptic group {post.name!r} "
                                 f"({list(post.variables)}), got {target!r}")
            self.target = target
            unit = post.units[target]
            # the weight is "w"; "w_syn" if the post-synaptic model has a "w" of its own (Brian2 forbids the clash)
            wn = self._weight = "w" if "w" not in post.variables else "w_syn"
            model, on_pre, on_post = f"{wn} : {unit}", f"{target}_post += {wn}", None
            values = dict(values)
            if weight is not None and not callable(weight):
                arr = np.asarray(weight, dtype=np.float64) if not isinstance(weight, (str, bytes)) else None
                if arr is None or arr.ndim > 1:
                    raise TypeError(f"weight must be a number, a 1-D array or a callable f(rng, n), got {weight!r}")
                if not np.all(np.isfinite(arr)):
                    raise ValueError("weight must be finite, got NaN or inf")
            values[wn] = 0.0 if weight is None else weight
            self._display = {wn: "weight"}
            if plasticity is not None:
                from ..equations.describe import substitute
                parts = plasticity.expand(unit)
                # the rule's own variables get the suffix _syn where the post-synaptic model has the same name
                declared = {m.group(1) or m.group(2) for m in
                            re.finditer(r"^\s*(?:d(\w+)\s*/\s*dt|(\w+))\s*[:=]", parts.model, re.M)}
                clash = {n: n + "_syn" for n in declared if n in post.variables}
                if wn != "w":
                    clash["w"] = wn

                def ren(code):
                    for a, b in clash.items():
                        code = substitute(code, a, b)
                    return code
                model += ren(parts.model)
                on_pre = ren(parts.deliver.format(target=target)) if parts.deliver else on_pre + ren(parts.on_pre)
                on_post = ren(parts.on_post) or None
                for k, v in parts.values.items():
                    values.setdefault(clash.get(k, k), v)
                regular = [[ren(code), when] for code, when, _ in parts.regular]
                self._regular_dt = [dt_ for _, _, dt_ in parts.regular]
                window = parts.window
                if shared_traces is None:
                    shared_traces = True
        else:
            if weight is not None or plasticity is not None:
                raise TypeError("weight= and plasticity= belong to the form Synapses(pre, post, 'target', ...); "
                                "with equations give the initial values by name (w=...)")
            self.target = None
            self._weight = "w"
        self._spec = dict(model=model or "", on_pre=on_pre, on_post=on_post, method=method, regular=regular,
                          window=window, shared_traces=bool(shared_traces))
        self._values, self._kinds, self._value_dims = {}, {}, {}
        for k, v in values.items():
            self._set_value(k, v)
        self._delay_spec = self._check_spec("delay", delay, nonnegative=True)
        self._rule = None
        self._built = False
        self._w_version = 0     # raised whenever the host weights are written from outside a run (device copies)
        self._compile()

    # ------------------------------------------------------------------ model
    def _set_value(self, k, v):
        if callable(v) and not isinstance(v, (np.ndarray, TimedArray)):
            self._values[k], self._kinds[k] = v, "array"
            return
        if isinstance(v, TimedArray):
            if v.ndim != 1:
                raise ValueError(f"{k}: synapse models take 1-D TimedArrays")
            self._values[k], self._kinds[k] = v, v.kind
            return
        dims = None
        if hasattr(v, "dim") and type(v).__module__.startswith("brian2"):
            from .neurons import _fractions
            dims = [str(x) for x in _fractions(v.dim._dims)]
            v = np.asarray(v, dtype=np.float64)
        arr = np.asarray(v, dtype=np.float64) if not isinstance(v, (str, bytes)) else None
        if arr is None or arr.ndim > 1:
            raise TypeError(f"{k} must be a number, a 1-D array, a callable f(rng, n) or a TimedArray, got {v!r}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{k} must be finite, got NaN or inf")
        self._values[k] = float(arr) if arr.ndim == 0 else arr.copy()
        self._kinds[k] = "scalar" if arr.ndim == 0 else "array"
        if dims is not None:
            self._value_dims[k] = dims

    @staticmethod
    def _group_layout(g):
        from .inputs import PoissonGroup
        if isinstance(g, NeuronGroup):
            lay = g._layout
            return {"kind": "neuron", "rows": lay["rows"], "dims": {n: lay["dims"][n] for n in lay["rows"]},
                    "spec": lay["spec"]}
        if isinstance(g, PoissonGroup):
            return {"kind": "poisson", "rows": ["rates"], "dims": {"rates": ["0", "0", "-1", "0", "0", "0", "0"]}}
        return {"kind": "generator", "rows": [], "dims": {}}

    def _desc(self):
        s = self._spec
        return dict(label=self.name or "synapses", model=s["model"], on_pre=s["on_pre"], on_post=s["on_post"],
                    method=s["method"], values=dict(sorted(self._kinds.items())),
                    value_dims=dict(sorted(self._value_dims.items())), regular=s["regular"],
                    shared_traces=s["shared_traces"], window=s["window"] is not None,
                    pre=self._group_layout(self.pre), post=self._group_layout(self.post), same=self.pre is self.post)

    def _compile(self):
        from ..equations.synapse_code import compile_synapses
        self._layout = compile_synapses(self._desc(), what=f"Synapses {self.name!r}" if self.name else "Synapses")
        lay = self._layout
        self._rows = {n: k for k, n in enumerate(lay["rows"])}
        self._shared_names = list(lay["shared"])
        self._key_desc = self._desc()

    def _layout_current(self):
        """Compile again if a group's layout or a value's kind changed since; True if it did."""
        if self._desc() != self._key_desc:
            self._compile()
            return True
        return False

    def generated_code(self, backend="cpu"):
        """The Python source that runs this synapse model on ``backend`` ("cpu", "reference")."""
        src = self._layout["sources"]
        if backend not in src:
            raise ValueError(f"backend must be one of {sorted(src)}, got {backend!r}")
        return src[backend]

    @property
    def variables(self):
        """Names of the synaptic variables (stored per synapse, per source or per target)."""
        lay = self._layout
        return tuple(lay["rows"]) + tuple(lay["pre_shared"]) + tuple(lay["post_shared"])

    @property
    def units(self):
        return dict(self._layout["units"])

    @staticmethod
    def _check_spec(name, value, nonnegative=False):
        if callable(value):
            return value
        what = "a number, a 1-D array or a callable f(rng, n)"
        arr = as_array(name, value, what, dtype=np.float64)
        if arr.ndim > 1:
            raise TypeError(f"{name} must be {what}, got an array of shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite, got NaN or inf")
        if nonnegative and np.any(arr < 0):
            raise ValueError(f"{name} must be >= 0 s, got {arr.min()}")
        return arr

    def run_regularly(self, code, dt, when="synapses"):
        """Run ``code`` for every synapse every ``dt`` seconds (before the first run).

        Event-driven variables are read at the current time (not changed).
        ``when``: "start" (before integration), "synapses" (after the
        pathways, the default) or "end" (after resets).
        """
        if self._built:
            raise RuntimeError("run_regularly must be called before the network is built")
        if not isinstance(code, str):
            raise TypeError(f"code must be a string of Brian2 statements, got {type(code).__name__}")
        self._spec["regular"] = self._spec["regular"] + [[code, when]]
        self._regular_dt = getattr(self, "_regular_dt", []) + [check_float("dt", dt, positive=True, unit="s")]
        self._compile()
        return self

    # ------------------------------------------------------------------ connect
    def connect(self, *, p=None, i=None, j=None, one_to_one=False, in_degree=None, autapses=True,
                pre=None, post=None):
        """Choose which pairs are connected (the draw happens when the network is built).

        Exactly one of: nothing (all to all), ``p`` (each pair with
        probability p), ``in_degree`` (each post neuron gets exactly that many
        distinct partners), ``one_to_one=True``, or explicit ``i`` and ``j``
        arrays (pre and post index of each synapse, in creation order).
        ``autapses=False`` forbids i == j (only meaningful when pre is post).
        ``pre`` / ``post`` (a slice or an index array) restrict the rule to
        sub-populations, e.g. ``connect(p=0.02, pre=slice(0, 3200))`` for
        Brian2's ``connect('i<3200', p=0.02)``.
        """
        if self._rule is not None:
            raise RuntimeError(f"Synapses {self.name!r} are already connected; create another Synapses object")
        subsets = (self._subset("pre", pre, self.pre.N), self._subset("post", post, self.post.N))
        if i is not None and (pre is not None or post is not None):
            raise ValueError("pre/post subsets do not apply to explicit i, j connections")
        one_to_one, autapses = check_bool("one_to_one", one_to_one), check_bool("autapses", autapses)
        given = [p is not None, i is not None or j is not None, bool(one_to_one), in_degree is not None]
        if sum(given) > 1:
            raise ValueError("give only one of p, (i, j), one_to_one and in_degree")
        if p is not None:
            rule = ("p", check_float("p", p, lo=0.0, hi=1.0), bool(autapses))
        elif i is not None or j is not None:
            if i is None or j is None:
                raise ValueError("explicit connections need both i and j")
            i, j = np.asarray(i), np.asarray(j)
            if i.ndim != 1 or i.shape != j.shape:
                raise ValueError(f"i and j must be 1-D arrays of equal length, got shapes {i.shape} and {j.shape}")
            if i.size and not (np.issubdtype(i.dtype, np.integer) and np.issubdtype(j.dtype, np.integer)):
                raise TypeError(f"i and j must be integer arrays, got {i.dtype} and {j.dtype}")
            for nm, a, n in (("i", i, self.pre.N), ("j", j, self.post.N)):
                if a.size and (a.min() < 0 or a.max() >= n):
                    raise ValueError(f"{nm} must be in [0, {n}), got {a[(a < 0) | (a >= n)][0]}")
            rule = ("explicit", i.astype(np.int64), j.astype(np.int64))
        elif one_to_one:
            rules.one_to_one(self.pre.N, self.post.N)  # validates sizes now
            rule = ("one_to_one",)
        elif in_degree is not None:
            rule = ("in_degree", check_int("in_degree", in_degree, minimum=0), bool(autapses))
        else:
            rule = ("all", bool(autapses))
        self._subsets, self._rule = subsets, rule
        return self

    @staticmethod
    def _subset(name, sel, n):
        if sel is None:
            return None
        if isinstance(sel, slice):
            return np.arange(n, dtype=np.int64)[sel]
        arr = np.asarray(sel)
        if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
            raise TypeError(f"{name} must be a slice or a 1-D integer index array, got {sel!r}")
        if arr.size and (arr.min() < 0 or arr.max() >= n):
            raise ValueError(f"{name} indices must be in [0, {n}), got {arr[(arr < 0) | (arr >= n)][0]}")
        if np.unique(arr).size != arr.size:
            raise ValueError(f"{name} indices must not repeat")
        return np.sort(arr.astype(np.int64))

    # ------------------------------------------------------------------ build
    def _draw(self, rng):
        """The connected pairs (i, j) in creation order."""
        kind = self._rule[0]
        sub_pre, sub_post = self._subsets
        idx_pre = np.arange(self.pre.N) if sub_pre is None else sub_pre
        idx_post = np.arange(self.post.N) if sub_post is None else sub_post
        n_pre, n_post = idx_pre.size, idx_post.size
        if kind == "explicit":
            return self._rule[1], self._rule[2]
        no_autapses = kind != "one_to_one" and not self._rule[-1]
        if kind == "p":
            a, b = rules.bernoulli(rng, n_pre, n_post, self._rule[1])
        elif kind == "one_to_one":
            a, b = rules.one_to_one(n_pre, n_post)
        elif kind == "in_degree":
            a, b = rules.fixed_in_degree(rng, n_pre, n_post, self._rule[1],
                                         forbid=(idx_pre, idx_post) if no_autapses else None)
        else:
            a, b = rules.all_to_all(n_pre, n_post)
        i, j = idx_pre[a], idx_post[b]
        if no_autapses and self.pre is self.post:
            keep = i != j
            i, j = i[keep], j[keep]
        return i, j

    #: bytes per synapse while the connectivity is laid out: pair indices (16), delays in seconds and steps (16),
    #: the sort permutation and its inverse (12), the target index (4); plus 16 per synaptic variable (initial
    #: values and storage)
    _BUILD_BYTES = 48
    _BUILD_BYTES_PER_VARIABLE = 16

    def expected_synapses(self):
        """How many synapses :meth:`connect`'s rule makes (the mean, for ``p``), before they are drawn.

        Returns
        -------
        float
        """
        if self._rule is None:
            raise RuntimeError(f"Synapses {self.name!r} were never connected: call connect() first")
        kind = self._rule[0]
        sub_pre, sub_post = self._subsets
        n_pre = self.pre.N if sub_pre is None else sub_pre.size
        n_post = self.post.N if sub_post is None else sub_post.size
        if kind == "explicit":
            return float(self._rule[1].size)
        if kind == "one_to_one":
            return float(n_pre)
        if kind == "in_degree":
            return float(self._rule[1]) * n_post
        pairs = float(n_pre) * n_post
        return pairs * (self._rule[1] if kind == "p" else 1.0)

    def _check_memory(self):
        from .. import _memory
        n = self.expected_synapses()
        per = self._BUILD_BYTES + self._BUILD_BYTES_PER_VARIABLE * max(1, len(self._layout["rows"]))
        if self._rule[0] == "in_degree" and self._rule[1] > rules.DENSE * self.pre.N:
            per += self.pre.N / max(self._rule[1], 1)           # the dense sampler's matrix of choices (1 B a pair)
        _memory.check(f"Synapses {self.name!r}: connect() makes about {n:.3g} synapses, which", int(n * per))

    def _build(self, rng, dt):
        """Draw connectivity, delays and initial values; lay out the arrays the kernels use."""
        if self._built:
            return
        if self._rule is None:
            raise RuntimeError(f"Synapses {self.name!r} were never connected: call connect() first")
        self._layout_current()
        self._dt = dt
        self._check_memory()
        i, j = self._draw(rng)
        n = i.size
        delay = self._spec_values("delay", self._delay_spec, n, rng)
        if np.any(delay < 0):
            raise ValueError(f"delay must be >= 0 s, got {delay.min()}")
        from .._validate import MAX_STEPS
        if delay.size and not delay.max() / dt < MAX_STEPS:
            raise ValueError(f"delay must be less than {MAX_STEPS:.3g} steps of dt={dt} s, got {delay.max()} s")
        dsteps = np.floor(delay / dt + 0.5).astype(np.int64)
        init = {}
        lay = self._layout
        for name in list(lay["rows"]) + lay["pre_shared"] + lay["post_shared"]:
            if name in self._values:
                init[name] = self._spec_values(self._display.get(name, name), self._values[name], n, rng)
        if self.plasticity is not None and self._weight in init:
            self.plasticity._check_weights(init[self._weight])
        self._layout_arrays(i, j, dsteps)
        self._sx = np.zeros((len(lay["rows"]), n))
        for name, k in self._rows.items():
            if name in init:
                self._sx[k] = self._to_csr(init[name])
        self._shared = np.array([self._values[s] for s in lay["shared"]], dtype=np.float64)
        self._built = True
        self._init_traces(init)

    def _to_csr(self, creation_values):
        return creation_values if self._perm is None else creation_values[self._order]

    def _init_traces(self, init):
        lay = self._layout
        n_blocks = self.dptr.size - 1
        self.lastupdate = np.zeros(self.post_index.size if lay["lastupdate"] else 0)
        self._bx = np.zeros((len(lay["pre_shared"]), n_blocks))
        self._blast = np.zeros(n_blocks if lay["pre_shared"] else 0)
        self._px = np.zeros((len(lay["post_shared"]), self.post.N))
        self._plast = np.zeros(self.post.N if lay["post_shared"] else 0)
        for side, names, arr in (("source", lay["pre_shared"], self._bx), ("target", lay["post_shared"], self._px)):
            for k, name in enumerate(names):
                if name not in init:
                    continue
                vals = np.unique(init[name])
                if vals.size > 1:
                    raise ValueError(f"Synapses {self.name!r}: {name} is stored once per {side} "
                                     f"(shared_traces=True), so its initial value must be the same for all "
                                     f"synapses; give a scalar or use shared_traces=False")
                arr[k] = vals[0] if vals.size else 0.0
        R, W = self._spec["window"] or (0, 0.0)
        self._window_steps = int(W / self._dt + 0.5) if R else 0
        self._rings = (np.full((R, n_blocks if R else 0), -1, dtype=np.int64), np.zeros(n_blocks if R else 0, np.int64),
                       np.full((R, self.post.N if R else 0), -1, dtype=np.int64), np.zeros(self.post.N if R else 0,
                                                                                          np.int64),
                       np.array([self._window_steps], np.int64))
        needs_rev = "post" in lay["pathways"] or getattr(self, "_needs_reverse", False)
        if needs_rev:
            ptr, syn = self.reverse_index()
            self.rev_ptr, self.rev_syn = ptr, syn.astype(np.int32)
            self.rev_block = (np.searchsorted(self.dptr, syn, side="right") - 1).astype(np.int32)
        else:
            self.rev_ptr = np.zeros(1, dtype=np.int64)
            self.rev_syn = np.zeros(0, dtype=np.int32)
            self.rev_block = np.zeros(0, dtype=np.int32)

    @staticmethod
    def _spec_values(name, spec, n, rng):
        if callable(spec):
            return resolve_value(name, spec, n, rng)
        spec = np.asarray(spec, dtype=np.float64)
        if spec.ndim == 0:
            return np.full(n, float(spec))
        if spec.shape != (n,):
            raise ValueError(f"{name} must be a scalar or have one value per synapse ({n}), got shape {spec.shape}")
        return spec.copy()

    def _layout_arrays(self, i, j, dsteps):
        n_pre = self.pre.N
        if dsteps.size and dsteps.min() == dsteps.max():          # one delay: no sort needed to find it
            udelay = dsteps[:1].copy()
        else:
            udelay = np.unique(dsteps) if dsteps.size else np.zeros(1, np.int64)
        # source, delay, creation: a stable sort of one int64 key (the rules give pairs sorted by source)
        if udelay.size == 1:
            key = i
            in_order = i.size < 2 or bool(np.all(i[1:] >= i[:-1]))
        else:
            key = i * udelay.size + np.searchsorted(udelay, dsteps)
            in_order = False
        order = None if in_order else np.argsort(key, kind="stable")
        if order is not None and np.array_equal(order, np.arange(order.size)):
            order = None
        self.udelay = udelay.astype(np.int64)
        self.dptr = np.zeros(n_pre * udelay.size + 1, dtype=np.int64)
        sorted_key = key if order is None else key[order]
        np.cumsum(np.bincount(sorted_key, minlength=n_pre * udelay.size), out=self.dptr[1:])
        self.post_index = np.ascontiguousarray(j if order is None else j[order], dtype=np.int32)
        # _perm: creation index -> CSR position (None: the same order); see _order for the inverse
        if order is None:
            self._perm = None
        else:
            self._perm = np.empty(order.size, dtype=np.int32)
            self._perm[order] = np.arange(order.size, dtype=np.int32)
        self._reverse = None

    @property
    def _order(self):
        """CSR position -> creation index (None: the same order); computed, not stored (4 B per synapse)."""
        return None if self._perm is None else np.argsort(self._perm)

    # ------------------------------------------------------------------ access
    def _require_built(self):
        if not self._built:
            raise RuntimeError(f"Synapses {self.name!r} are drawn when the network is built; run it "
                               f"(or call Network.build()) first")

    def _to_creation(self, csr_values):
        return csr_values if self._perm is None else csr_values[self._perm]

    def _csr_source(self):
        counts = np.diff(self.dptr).reshape(self.pre.N, self.udelay.size).sum(axis=1)
        return np.repeat(np.arange(self.pre.N, dtype=np.int64), counts)

    def _csr_delay_steps(self):
        counts = np.diff(self.dptr)
        return np.repeat(np.tile(self.udelay, self.pre.N), counts)

    def _csr_block(self):
        return np.repeat(np.arange(self.dptr.size - 1, dtype=np.int64), np.diff(self.dptr))

    def __len__(self):
        self._require_built()
        return self.post_index.size

    @property
    def i(self):
        """Pre-synaptic index of each synapse, shape (n_synapses,), creation order."""
        self._require_built()
        return self._to_creation(self._csr_source())

    @property
    def j(self):
        """Post-synaptic index of each synapse, shape (n_synapses,), creation order."""
        self._require_built()
        return self._to_creation(self.post_index.astype(np.int64))

    @property
    def weights(self):
        """The weights ``w`` in storage (CSR) order, live (for the engine and monitors)."""
        self._require_built()
        return self._sx[self._rows[self._weight]]

    def _var(self, name):
        """The stored name of variable ``name`` ("w" is "w_syn" when the post-synaptic model has its own w)."""
        return self.__dict__.get("_weight", "w") if name == "w" else name

    def __getattr__(self, name):
        d = self.__dict__
        name = self._var(name) if name == "w" else name
        lay = d.get("_layout")
        if lay is not None and d.get("_built"):
            if name in d["_rows"]:
                out = self._to_creation(d["_sx"][d["_rows"][name]]).copy()
                out.flags.writeable = False         # a copy: set ``S.w = ...`` to change the weights
                return out
            if name in lay["pre_shared"]:
                return self._to_creation(d["_bx"][lay["pre_shared"].index(name)][self._csr_block()])
            if name in lay["post_shared"]:
                return self._to_creation(d["_px"][lay["post_shared"].index(name)][d["post_index"]])
        if lay is not None and name in d.get("_shared_names", ()):
            return d["_values"][name]
        if lay is not None and (name in d.get("_rows", ()) or name in lay["pre_shared"] + lay["post_shared"]):
            self._require_built()
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name, value):
        d = self.__dict__
        lay = d.get("_layout")
        if lay is None or name.startswith("_"):
            return super().__setattr__(name, value)
        name = self._var(name)
        if name in d["_rows"]:
            self._require_built()
            n = self.post_index.size
            arr = np.asarray(value, dtype=np.float64)
            if arr.ndim == 0:
                arr = np.full(n, float(arr))
            if arr.shape != (n,) or not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} must be a finite scalar or array of length {n}, got shape {arr.shape}")
            row = d["_sx"][d["_rows"][name]]
            if self._perm is None:
                row[:] = arr
            else:
                row[self._perm] = arr
            self._w_version += 1
            return
        if name in d["_shared_names"]:
            v = check_float(name, value)
            self._values[name] = v
            self._shared[d["_shared_names"].index(name)] = v
            return
        super().__setattr__(name, value)

    def delay_steps(self):
        """Delay of each synapse in time steps, shape (n_synapses,), creation order."""
        self._require_built()
        return self._to_creation(self._csr_delay_steps())

    def reverse_index(self):
        """Post-side index: ``(ptr, syn)`` with ``syn[ptr[j]:ptr[j+1]]`` the CSR positions of the synapses
        onto post neuron ``j``, in creation order.  Built once, on demand."""
        self._require_built()
        if self._reverse is None:
            created = np.arange(self.post_index.size) if self._order is None else self._order
            order = np.lexsort((created, self.post_index)).astype(np.int32)
            ptr = np.zeros(self.post.N + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.post_index, minlength=self.post.N), out=ptr[1:])
            self._reverse = (ptr, order)
        return self._reverse

    def memory_bytes(self):
        """Bytes held by the synapses' arrays (connectivity, variables, traces, post-side index)."""
        self._require_built()
        arrays = [self.post_index, self._sx, self.dptr, self.udelay, self.lastupdate, self._bx, self._blast,
                  self._px, self._plast, self.rev_ptr, self.rev_syn, self.rev_block] + list(self._rings)
        b = sum(a.nbytes for a in arrays)
        b += 0 if self._perm is None else self._perm.nbytes
        return b

    def _state_arrays(self):
        self._require_built()
        return {"sx": self._sx, "shared": self._shared, "lastupdate": self.lastupdate, "bx": self._bx,
                "blast": self._blast, "px": self._px, "plast": self._plast, "ring_pre": self._rings[0],
                "ring_pre_pos": self._rings[1], "ring_post": self._rings[2], "ring_post_pos": self._rings[3]}

    def _check_state(self):
        """Check values edited in place (``S.weights[:] = nan``) before a run: every value finite.

        Raises
        ------
        ValueError
            Naming the synapses, the variable, the synapse (creation order) and the value.
        """
        for n, v in zip(self._shared_names, self._shared):
            if not np.isfinite(v):
                raise ValueError(f"Synapses {self.name!r}: {n} must be finite, got {v}")
        if np.isfinite(self._sx).all():
            return
        for n, k in self._rows.items():
            bad = ~np.isfinite(self._to_creation(self._sx[k]))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"Synapses {self.name!r}: {self._display.get(n, n)}[{i}] must be finite, got "
                                 f"{self._to_creation(self._sx[k])[i]} (arrays edited in place are checked at the "
                                 f"start of every run)")

    # ------------------------------------------------------------------ load
    def _connectivity_problem(self, conn):
        """What is wrong with connectivity arrays read from a file (None: they fit this object's groups)."""
        for name, a in conn.items():
            if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or a.size == 0):
                return f"{name} must be a 1-D integer array, got dtype {a.dtype} and shape {a.shape}"
        post_index, dptr, udelay, perm = conn["post_index"], conn["dptr"], conn["udelay"], conn["perm"]
        n = post_index.size
        if udelay.size < 1 or udelay.min() < 0 or np.any(np.diff(udelay) <= 0):
            return "udelay must hold distinct delays in steps (>= 0) in increasing order"
        if dptr.size != self.pre.N * udelay.size + 1:
            return (f"dptr has {dptr.size} entries, {self.pre.N} sources x {udelay.size} delays + 1 = "
                    f"{self.pre.N * udelay.size + 1} expected")
        if dptr[0] != 0 or dptr[-1] != n or np.any(np.diff(dptr) < 0):
            return f"dptr must rise from 0 to the number of synapses ({n})"
        if n and (post_index.min() < 0 or post_index.max() >= self.post.N):
            return f"post_index must be in [0, {self.post.N}) (the post-synaptic group's size)"
        if perm.size not in (0, n):
            return f"perm has {perm.size} entries, 0 or {n} (one per synapse) expected"
        if perm.size and not np.array_equal(np.sort(perm), np.arange(n)):
            return "perm is not a permutation of the synapses"
        return None

    def _shadow(self, conn, dt):
        """A copy of this object with the connectivity ``conn`` and zeroed state, this object untouched.

        :meth:`Network.load` fills the copy's arrays from the file and, once
        the whole file is checked, moves them into this object.
        """
        sh = object.__new__(type(self))
        sh.__dict__.update(self.__dict__)
        d = sh.__dict__
        d["_dt"] = dt
        d["post_index"] = conn["post_index"].astype(np.int32)
        d["dptr"] = conn["dptr"].astype(np.int64)
        d["udelay"] = conn["udelay"].astype(np.int64)
        d["_perm"] = conn["perm"].astype(np.int32) if conn["perm"].size else None
        d["_reverse"] = None
        sh._layout_current()
        d["_sx"] = np.zeros((len(sh._layout["rows"]), d["post_index"].size))
        d["_shared"] = np.array([sh._values[n] for n in sh._layout["shared"]], dtype=np.float64)
        d["_built"] = True
        sh._init_traces({})
        return sh

    def __repr__(self):
        return f"<Synapses {self.name!r} {self.pre.name!r}->{self.post.name!r}>"
