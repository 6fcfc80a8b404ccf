"""Synapses: static connections with weights and delays between two groups."""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from . import connect as rules
from .groups import Group, resolve_value
from .neurons import NeuronGroup


class Synapses:
    """Connections from ``pre`` to ``post`` that add ``weight`` to ``post.target`` on each pre spike.

    A spike of pre-synaptic neuron ``i`` at step ``n`` adds ``w[s]`` to
    variable ``target`` of post-synaptic neuron ``j[s]`` at step
    ``n + round(delay[s]/dt)``, for every synapse ``s`` from ``i`` (Brian2's
    ``on_pre='target += w'``).  Inside one step, effects are summed in push
    order, then source index, then creation order.

    Storage is compressed sparse rows by source and delay: per synapse an
    int32 target index and a float64 weight (12 bytes), plus per source and
    distinct delay one row pointer.  A post-side (reverse) index is built on
    demand (:meth:`reverse_index`).

    Parameters
    ----------
    pre, post : Group
        Source group (any group) and target group (a NeuronGroup).
    target : str
        State variable of ``post`` that receives the weight, e.g. ``"ge"``.
    weight : float, array of shape (n_synapses,), or callable ``f(rng, n_synapses)``
        Weight in the target variable's units (volts, siemens, ...).
    delay : float, array of shape (n_synapses,), or callable
        Transmission delay in seconds (>= 0), rounded to whole steps.
    plasticity : PlasticityRule, optional
        E.g. :class:`spikesim.plasticity.STDP`; makes the weights plastic.
        Plastic synapses also keep a post-side index (8 more bytes per
        synapse) and per-neuron traces.
    name : str, optional
    """

    def __init__(self, pre, post, target="ge", *, weight=0.0, delay=0.0, plasticity=None, name=None):
        if not isinstance(pre, Group):
            raise TypeError(f"pre must be a NeuronGroup, PoissonGroup or SpikeGeneratorGroup, got {type(pre).__name__}")
        if not isinstance(post, NeuronGroup):
            raise TypeError(f"post must be a NeuronGroup, got {type(post).__name__}")
        if target not in post.model.variables:
            raise ValueError(f"target must be a state variable of the post-synaptic model {post.model.name!r} "
                             f"({list(post.model.variables)}), got {target!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        self.pre, self.post, self.target, self.name = pre, post, target, name
        self.target_index = post.model.variables.index(target)
        from ..plasticity.stdp import PlasticityRule
        if plasticity is not None and not isinstance(plasticity, PlasticityRule):
            raise TypeError(f"plasticity must be a plasticity rule (e.g. spikesim.plasticity.STDP), got "
                            f"{type(plasticity).__name__}")
        self.plasticity = plasticity
        self._weight_spec = self._check_spec("weight", weight)
        self._delay_spec = self._check_spec("delay", delay, nonnegative=True)
        self._rule = None
        self._built = False
        self._w_version = 0     # raised whenever the host weights are written from outside a run (device copies)

    @staticmethod
    def _check_spec(name, value, nonnegative=False):
        if callable(value):
            return value
        arr = np.asarray(value, dtype=np.float64) if not isinstance(value, (str, bytes)) else None
        if arr is None or arr.ndim > 1:
            raise TypeError(f"{name} must be a number, a 1-D array or a callable f(rng, n), got {value!r}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite, got NaN or inf")
        if nonnegative and np.any(arr < 0):
            raise ValueError(f"{name} must be >= 0 s, got {arr.min()}")
        return arr

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
        self._subsets = (self._subset("pre", pre, self.pre.N), self._subset("post", post, self.post.N))
        if i is not None and (pre is not None or post is not None):
            raise ValueError("pre/post subsets do not apply to explicit i, j connections")
        given = [p is not None, i is not None or j is not None, bool(one_to_one), in_degree is not None]
        if sum(given) > 1:
            raise ValueError("give only one of p, (i, j), one_to_one and in_degree")
        if p is not None:
            self._rule = ("p", check_float("p", p, lo=0.0, hi=1.0), bool(autapses))
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
            self._rule = ("explicit", i.astype(np.int64), j.astype(np.int64))
        elif one_to_one:
            rules.one_to_one(self.pre.N, self.post.N)  # validates sizes now
            self._rule = ("one_to_one",)
        elif in_degree is not None:
            self._rule = ("in_degree", check_int("in_degree", in_degree, minimum=0), bool(autapses))
        else:
            self._rule = ("all", bool(autapses))
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
    def _build(self, rng, dt):
        """Draw connectivity, weights and delays; lay out the CSR arrays."""
        if self._built:
            return
        if self._rule is None:
            raise RuntimeError(f"Synapses {self.name!r} were never connected: call connect() first")
        kind = self._rule[0]
        sub_pre, sub_post = self._subsets
        idx_pre = np.arange(self.pre.N) if sub_pre is None else sub_pre
        idx_post = np.arange(self.post.N) if sub_post is None else sub_post
        n_pre, n_post = idx_pre.size, idx_post.size
        if kind == "explicit":
            i, j = self._rule[1], self._rule[2]
        else:
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
        n = i.size
        w = self._spec_values("weight", self._weight_spec, n, rng)
        delay = self._spec_values("delay", self._delay_spec, n, rng)
        if np.any(delay < 0):
            raise ValueError(f"delay must be >= 0 s, got {delay.min()}")
        dsteps = np.floor(delay / dt + 0.5).astype(np.int64)
        if self.plasticity is not None:
            self.plasticity._check_weights(w)
        self._layout(i, j, w, dsteps)
        self._built = True
        self._init_plasticity()

    def _init_plasticity(self):
        """Trace arrays and the post-side index of a plastic Synapses (empty for static ones)."""
        rule = self.plasticity
        n_blocks = self.dptr.size - 1
        nt = 2 if rule is not None else 0
        nb, npost = (n_blocks, self.post.N) if rule is not None else (0, 0)
        R = rule.ring_size if rule is not None else 0
        self.trace_pre = np.zeros((nt, nb))
        self.trace_pre_step = np.zeros(nb, dtype=np.int64)
        self.trace_post = np.zeros((nt, npost))
        self.trace_post_step = np.zeros(npost, dtype=np.int64)
        self.ring_pre = np.full((R, nb if R else 0), -1, dtype=np.int64)
        self.ring_pre_pos = np.zeros(nb if R else 0, dtype=np.int64)
        self.ring_post = np.full((R, npost if R else 0), -1, dtype=np.int64)
        self.ring_post_pos = np.zeros(npost if R else 0, dtype=np.int64)
        if rule is not None and hasattr(rule, "theta0"):
            self.trace_post[1] = rule.theta0          # BCM sliding threshold
        if rule is not None or getattr(self, "_needs_reverse", False):
            ptr, syn = self.reverse_index()
            self.rev_ptr = ptr
            self.rev_syn = syn.astype(np.int32)
            self.rev_block = (np.searchsorted(self.dptr, syn, side="right") - 1).astype(np.int32)
        else:
            self.rev_ptr = np.zeros(1, dtype=np.int64)
            self.rev_syn = np.zeros(0, dtype=np.int32)
            self.rev_block = np.zeros(0, dtype=np.int32)

    @staticmethod
    def _spec_values(name, spec, n, rng):
        if callable(spec):
            return resolve_value(name, spec, n, rng)
        if spec.ndim == 0:
            return np.full(n, float(spec))
        if spec.shape != (n,):
            raise ValueError(f"{name} must be a scalar or have one value per synapse ({n}), got shape {spec.shape}")
        return spec.copy()

    def _layout(self, i, j, w, dsteps):
        n_pre = self.pre.N
        udelay = np.unique(dsteps) if dsteps.size else np.zeros(1, np.int64)
        u = np.searchsorted(udelay, dsteps)
        order = np.lexsort((np.arange(i.size), u, i))  # source, delay, creation
        key = i[order] * udelay.size + u[order]
        self.udelay = udelay.astype(np.int64)
        self.dptr = np.zeros(n_pre * udelay.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=n_pre * udelay.size), out=self.dptr[1:])
        self.post_index = np.ascontiguousarray(j[order], dtype=np.int32)
        self.weights = np.ascontiguousarray(w[order], dtype=np.float64)
        # position in CSR order of each synapse in creation order (None: identical)
        self._perm = None if np.array_equal(order, np.arange(order.size)) else np.argsort(order).astype(np.int32)
        self._reverse = None

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
    def w(self):
        """Weights, shape (n_synapses,), creation order (a copy; assign to change)."""
        self._require_built()
        return self._to_creation(self.weights).copy()

    @w.setter
    def w(self, value):
        self._require_built()
        arr = np.asarray(value, dtype=np.float64)
        n = self.weights.size
        if arr.ndim == 0:
            arr = np.full(n, float(arr))
        if arr.shape != (n,) or not np.all(np.isfinite(arr)):
            raise ValueError(f"w must be a finite scalar or array of length {n}, got shape {arr.shape}")
        if self._perm is None:
            self.weights[:] = arr
        else:
            self.weights[self._perm] = arr
        self._w_version += 1

    def delay_steps(self):
        """Delay of each synapse in time steps, shape (n_synapses,), creation order."""
        self._require_built()
        return self._to_creation(self._csr_delay_steps())

    def reverse_index(self):
        """Post-side index: ``(ptr, syn)`` with ``syn[ptr[j]:ptr[j+1]]`` the CSR positions of
        the synapses onto post neuron ``j``, in CSR order.  Built once, on demand."""
        self._require_built()
        if self._reverse is None:
            order = np.argsort(self.post_index, kind="stable").astype(np.int32)
            ptr = np.zeros(self.post.N + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.post_index, minlength=self.post.N), out=ptr[1:])
            self._reverse = (ptr, order)
        return self._reverse

    def memory_bytes(self):
        """Bytes held by the connectivity arrays (excluding the optional reverse index)."""
        self._require_built()
        b = self.post_index.nbytes + self.weights.nbytes + self.dptr.nbytes + self.udelay.nbytes
        b += 0 if self._perm is None else self._perm.nbytes
        if self.plasticity is not None:
            b += sum(a.nbytes for a in (self.rev_ptr, self.rev_syn, self.rev_block, self.trace_pre,
                                        self.trace_pre_step, self.trace_post, self.trace_post_step, self.ring_pre,
                                        self.ring_pre_pos, self.ring_post, self.ring_post_pos))
        return b

    def _state_arrays(self):
        self._require_built()
        return {"weights": self.weights, "trace_pre": self.trace_pre, "trace_pre_step": self.trace_pre_step,
                "trace_post": self.trace_post, "trace_post_step": self.trace_post_step, "ring_pre": self.ring_pre,
                "ring_pre_pos": self.ring_pre_pos, "ring_post": self.ring_post, "ring_post_pos": self.ring_post_pos}

    def __repr__(self):
        return f"<Synapses {self.name!r} {self.pre.name!r}->{self.post.name!r} target={self.target!r}>"
