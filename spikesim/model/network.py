"""Network: the container that builds the compiled state and runs it."""
from __future__ import annotations

import json
import sys
import time

import numpy as np

from .._validate import check_float, check_int, steps_of
from ..monitors._base import Monitor
from ..monitors.rate import PopulationRateMonitor
from ..monitors.spikes import SpikeMonitor
from ..monitors.state import StateMonitor
from ..monitors.weights import WeightMonitor
from ..units import ms
from .groups import Group
from .inputs import PoissonGroup
from .presentation import Presentation
from .synapses import Synapses

FILE_VERSION = 1


class SimulationError(RuntimeError):
    """A state variable became NaN or infinite during a run."""


class Network:
    """A set of groups, synapses and monitors simulated together.

    Parameters
    ----------
    *objects : Group, Synapses or monitor
        Everything to simulate, added explicitly (no implicit collection).
    dt : float
        Time step in seconds (default 0.1 ms).
    seed : int, optional
        Seed of every random draw (connectivity, drawn initial values,
        Poisson inputs).  The same seed gives bit-identical results; ``None``
        picks a fresh seed, readable afterwards as ``net.seed``.

    Notes
    -----
    One step at ``t = n*dt`` runs: state monitors, integration of every
    group, thresholds (and spike sources), synaptic delivery, resets,
    population-rate monitors (DESIGN.md section 3, Brian2's schedule).
    Random draws for object number ``k`` come from
    ``SeedSequence(seed, spawn_key=(k,))``.

    Examples
    --------
    >>> from spikesim import Network, NeuronGroup, SpikeMonitor
    >>> from spikesim.units import ms, mV
    >>> G = NeuronGroup(2, "lif_cuba", El=-40*mV, v=-60*mV)
    >>> M = SpikeMonitor(G)
    >>> net = Network(G, M, dt=0.1*ms, seed=1)
    >>> net.run(50*ms, backend="reference", progress=False)
    >>> M.num_spikes
    4
    """

    def __init__(self, *objects, dt=0.1 * ms, seed=None):
        self.dt = check_float("dt", dt, positive=True, unit="s")
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.seed = check_int("seed", seed, minimum=0)
        self.objects = []
        self.step = 0
        self.cuda_dtype = "float64"     # state precision on the cuda backend ("float32" is usual on GPUs)
        self._compiled = None
        self._stored = {}
        self.add(*objects)

    # ------------------------------------------------------------------ building
    def add(self, *objects):
        """Add groups, synapses or monitors (before the first run)."""
        if self._compiled is not None:
            raise RuntimeError("objects cannot be added after the network was built; create a new Network")
        from ..plasticity.homeostasis import Normalization
        for obj in objects:
            if not isinstance(obj, (Group, Synapses, Monitor, Normalization, Presentation)):
                raise TypeError(f"objects must be groups, Synapses, monitors, Normalization or Presentation, got "
                                f"{type(obj).__name__}")
            if any(obj is o for o in self.objects):
                raise ValueError(f"{obj!r} was added twice")
            self.objects.append(obj)
        self._name_objects()

    def _name_objects(self):
        counts = {}
        for obj in self.objects:
            if obj.name is None:
                base = type(obj).__name__.lower()
                obj.name = f"{base}_{counts.get(base, 0)}"
                counts[base] = counts.get(base, 0) + 1

    def _of(self, cls):
        return [o for o in self.objects if isinstance(o, cls)]

    @property
    def t(self):
        """Current time in seconds (``step * dt``)."""
        return self.step * self.dt

    def _rng(self, k):
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(k,)))

    def build(self):
        """Draw connectivity and random initial values, and lay out the compiled arrays.

        Called by the first :meth:`run`; call it yourself to inspect
        ``Synapses.w`` or drawn initial values before running.
        """
        if self._compiled is not None:
            return self._compiled
        from ..backends.compiled import CompiledNetwork
        groups = self._of(Group)
        ids = {id(g) for g in groups}
        for s in self._of(Synapses):
            for side, g in (("pre", s.pre), ("post", s.post)):
                if id(g) not in ids:
                    raise ValueError(f"Synapses {s.name!r}: its {side} group {g.name!r} is not in the network")
        for m in self._of(Monitor):
            if id(m.group) not in ids:
                raise ValueError(f"{type(m).__name__} {m.name!r}: its group {m.group.name!r} is not in the network")
        keys = {}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, (Group, Synapses)):
                keys[id(obj)] = np.random.SeedSequence(self.seed, spawn_key=(k, 1)).generate_state(1, np.uint64)[0]
            if isinstance(obj, Group):
                obj._resolve(self._rng(k), self.dt)
            elif isinstance(obj, Synapses):
                obj._build(self._rng(k), self.dt)
        for m in self._of(Monitor):
            m.dt = self.dt
        from ..plasticity.homeostasis import Normalization
        # the reference and cuda engines run a presentation phase by phase: a hidden monitor counts its spikes
        self._counters = [SpikeMonitor(p.counted, name=f"_{p.name}_counts") if p.counted is not None else None
                          for p in self._of(Presentation)]
        for m in self._counters:
            if m is not None:
                m.dt = self.dt
        self._compiled = CompiledNetwork(groups, self._of(Synapses),
                                         self._of(SpikeMonitor) + [m for m in self._counters if m is not None],
                                         self._of(StateMonitor), self._of(PopulationRateMonitor), self.dt, keys,
                                         self._of(WeightMonitor), self._of(Normalization), self._of(Presentation))
        return self._compiled

    # ------------------------------------------------------------------ running
    def run(self, duration, *, backend="cpu", progress=None, chunk_steps=10_000):
        """Simulate ``duration`` seconds, continuing from where the last run stopped.

        Parameters
        ----------
        duration : float
            Seconds of biological time; a whole number of steps.
        backend : {"cpu", "reference", "cuda"}
        progress : bool or None
            Progress bar on standard error: None shows it only on a terminal
            and only when the run lasts more than a second.
        chunk_steps : int
            Steps per compiled call (monitor data are handed over between calls).

        Raises
        ------
        SimulationError
            When a state variable becomes NaN/inf; everything recorded up to
            that step is kept in the monitors.
        """
        n_total = steps_of("duration", duration, self.dt)
        chunk_steps = check_int("chunk_steps", chunk_steps, minimum=1)
        engine = self._engine(backend)
        cn = self._compiled
        per_step = sum(len(m.variables) * m.record.size * 8 / m.every for m in cn.state_monitors)
        if per_step:
            chunk_steps = max(1, min(chunk_steps, int(64e6 / per_step)))
        phased = bool(cn.presentations) and backend != "cpu"      # presentations driven from here
        items = sum(p.order.size for p in cn.presentations)      # a presentation's progress is in items
        bar = self._progress_bar(items or n_total, progress, "item" if items else "step")
        t0 = time.perf_counter()
        try:
            done_total = 0
            while done_total < n_total:
                n = min(chunk_steps, n_total - done_total)
                if phased:
                    if done_total:
                        engine = self._engine(backend)
                    n = min([n] + [int(p.state[1]) - self.step for p in cn.presentations if p.state[1] >= 0])
                if self._presented:
                    break
                res = engine.run_chunk(self.step, n)
                self._hand_over(res)
                if not phased:           # the step loop counted them
                    for m in self._counters:
                        if m is not None:
                            m._chunks = {}
                self.step += res.steps_done
                done_total += res.steps_done
                if bar is not None:
                    bar.update(sum(p.items_done for p in cn.presentations) - bar.n if items else res.steps_done)
                if res.error is not None and res.error[0] == "presented":
                    break
                if res.error is not None and res.error[0] == "ring":
                    _, s, n = res.error
                    raise SimulationError(f"Synapses {cn.synapses[s].name!r}: more spikes of one neuron inside the "
                                          f"rectangular STDP window than max_spikes_in_window at t = "
                                          f"{n * self.dt:.6g} s; raise max_spikes_in_window")
                if res.error is not None:
                    g, i, n = res.error
                    raise SimulationError(f"non-finite state in group {cn.groups[g].name!r}, neuron {i}, at "
                                          f"t = {n * self.dt:.6g} s (step {n}); monitors hold everything "
                                          f"recorded before that step")
        finally:
            if bar is not None:
                bar.close()
            for p in cn.presentations:         # the rates the presentation left are the ones in use
                p.inputs._rates_used = p.inputs.rates.copy()
        self.last_run_wall_s = time.perf_counter() - t0

    def _phase_changes(self):
        """Presentations run phase by phase (reference and cuda backends): the changes due at this step.

        Returns True when a presentation showed its last item (the run ends).
        """
        from ..backends.cpu.presentation import advance, count_spikes
        from ..backends.cpu.synapses import normalize_incoming
        from ..backends.records import compiled as record
        cn = self._compiled
        finished = False
        for q, (p, counter) in enumerate(zip(cn.presentations, self._counters)):
            rec = record("presentation", cn.presentation_records[q])
            if p.state[0] == 0:          # not started: the first showing starts now
                p.state[1] = self.step
            while p.state[1] == self.step:
                if counter is not None:             # the spikes of the showing that ends now
                    i = np.ascontiguousarray(counter.i, dtype=np.int32)
                    count_spikes(rec, i, i.size)
                    counter._chunks = {}
                code = advance(self.step, rec, record("group", cn.group_records[cn.group_index[id(p.inputs)]]))
                p.inputs._rates_used = p.inputs.rates.copy()
                if code == 1:
                    for m in p.before_show:
                        s = m.synapses
                        normalize_incoming(s._sx[s._rows[m.variable]], s.rev_ptr, s.rev_syn, m.total)
                        s._w_version += 1
                finished |= code == 3
        return finished

    def _engine(self, backend):
        if backend not in ("cpu", "reference", "cuda"):
            raise ValueError(f"backend must be 'cpu', 'reference' or 'cuda', got {backend!r}")
        cn = self.build()
        from .neurons import NeuronGroup
        for g in cn.groups:
            if isinstance(g, NeuronGroup):
                g._check_singular(self.dt)
        for s in cn.synapses:
            s._layout_current()       # a group's model changed (a parameter became per-neuron ...)
        cn.prepare()
        # presentation phases that change now act before the run draws its first Poisson spikes, as a change
        # of rates between two runs does
        self._presented = self._phase_changes() if cn.presentations else False
        cn.start(self.step)
        if backend == "cpu":
            eng = getattr(self, "_cpu_engine", None)
            if eng is None or eng.cn is not cn or eng.structure != cn.structure():
                from ..backends.cpu.run import CpuEngine
                eng = self._cpu_engine = CpuEngine(cn)
                eng.structure = cn.structure()
            return eng
        if backend == "reference":
            from ..backends.reference import ReferenceEngine
            return ReferenceEngine(cn)
        # the cuda engine is kept between runs: device arrays, buffers and the recorded graph are reused
        eng = getattr(self, "_cuda_engine", None)
        if eng is not None and eng.cn is cn and eng.dtype == np.dtype(self.cuda_dtype) and eng.refresh():
            return eng
        from ..backends.cuda import cuda_engine
        self._cuda_engine = None       # free the old device arrays first
        self._cuda_engine = cuda_engine(cn, dtype=self.cuda_dtype)
        return self._cuda_engine

    @staticmethod
    def _progress_bar(n_total, progress, unit="step"):
        if progress is False:
            return None
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover
            return None
        if progress is None and not sys.stderr.isatty():
            return None
        return tqdm(total=n_total, unit=unit, delay=0 if progress else 1.0, leave=False)

    def _hand_over(self, res):
        cn = self._compiled
        for (i, st), m in zip(res.spikes, cn.spike_monitors):
            m._append(i=i.astype(np.int64), step=st)
        for (st, data), m in zip(res.states, cn.state_monitors):
            m._append(step=st, data=data)
        for (st, c), m in zip(res.rates, cn.rate_monitors):
            m._append(step=st, count=c)
        for (st, data), m in zip(res.weights, cn.weight_monitors):
            m._append(step=st, data=data)

    def generated_code(self, backend="cpu"):
        """The Python source that runs this network on ``backend``: the step loop (cpu) and every model.

        Returns
        -------
        str
            The modules one after another, each starting with its own header.
        """
        if backend not in ("cpu", "reference", "cuda"):
            raise ValueError(f"backend must be 'cpu', 'reference' or 'cuda', got {backend!r}")
        cn = self.build()
        parts = []
        if backend == "cpu":
            from ..backends.cpu.loop import loop_source
            parts.append(loop_source(cn.structure()))
        seen = set()
        for obj in cn.groups + cn.synapses:
            if hasattr(obj, "_layout"):
                src = obj._layout["sources"][backend]
                if src not in seen:
                    seen.add(src)
                    parts.append(src)
        return ("\n\n# " + "-" * 100 + "\n\n").join(parts)

    # ------------------------------------------------------------------ store / restore
    def _snapshot(self):
        cn = self.build()
        snap = {"step": self.step, "arrays": {}, "monitors": {}}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, (Group, Synapses, Presentation)):
                for name, a in obj._state_arrays().items():
                    snap["arrays"][f"o{k}.{name}"] = a.copy()
            elif isinstance(obj, Monitor):
                snap["monitors"][k] = obj._snapshot()
        for name, a in cn.history_arrays().items():
            snap["arrays"][f"h.{name}"] = a.copy()
        snap["rates_used"] = {k: (None if o._rates_used is None else o._rates_used.copy())
                              for k, o in enumerate(self.objects) if isinstance(o, PoissonGroup)}
        return snap

    def _apply(self, snap):
        cn = self._compiled
        live = {}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, (Group, Synapses, Presentation)):
                for name, a in obj._state_arrays().items():
                    live[f"o{k}.{name}"] = (a, obj if name == "sx" else None)
        for name, a in cn.history_arrays().items():
            live[f"h.{name}"] = (a, None)
        for key, (a, _) in live.items():
            if key not in snap["arrays"] or snap["arrays"][key].shape != a.shape:
                raise ValueError(f"stored state does not match this network (array {key!r})")
        for key, (a, syn) in live.items():
            new = snap["arrays"][key]
            if syn is not None:       # unchanged variables keep their device copy valid (no upload next run)
                if np.array_equal(a, new):
                    continue
                syn._w_version += 1
            a[...] = new
        for k, s in snap["monitors"].items():
            self.objects[k]._restore(s)
        for k, r in snap["rates_used"].items():
            self.objects[k]._rates_used = None if r is None else np.array(r)
        self.step = int(snap["step"])

    def store(self, name="default"):
        """Keep a copy of the whole state (including spikes in flight and monitors) in memory."""
        self._stored[name] = self._snapshot()

    def restore(self, name="default"):
        """Go back to the state saved by :meth:`store` under ``name``."""
        if name not in self._stored:
            raise ValueError(f"name must be one of the stored states {sorted(self._stored)}, got {name!r}")
        self._apply(self._stored[name])

    def _structure(self):
        return [[type(o).__name__, o.name, getattr(o, "N", None)] for o in self.objects]

    def save(self, path):
        """Write the whole state to ``path`` (npz); :meth:`load` continues it bit-identically."""
        snap = self._snapshot()
        out = dict(snap["arrays"])
        for k, obj in enumerate(self.objects):
            if isinstance(obj, Synapses):
                out[f"c{k}.post_index"], out[f"c{k}.dptr"], out[f"c{k}.udelay"] = obj.post_index, obj.dptr, obj.udelay
                out[f"c{k}.perm"] = np.zeros(0, np.int32) if obj._perm is None else obj._perm
        for k, fields in snap["monitors"].items():
            for f, (arr, _) in fields.items():
                out[f"m{k}.{f}"] = arr
        for k, r in snap["rates_used"].items():
            if r is not None:
                out[f"r{k}"] = r
        meta = dict(version=FILE_VERSION, dt=self.dt, seed=self.seed, step=self.step, structure=self._structure())
        out["meta"] = np.array(json.dumps(meta))
        with open(path, "wb") as fh:
            np.savez(fh, **out)

    def load(self, path):
        """Read a state written by :meth:`save` into this (identically built) network."""
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        if "meta" not in data:
            raise ValueError(f"{path} is not a spikesim network file (no metadata)")
        meta = json.loads(str(data.pop("meta")))
        if meta.get("version") != FILE_VERSION:
            raise ValueError(f"{path}: file version {meta.get('version')} is not supported (expected {FILE_VERSION})")
        if meta["structure"] != self._structure() or abs(meta["dt"] - self.dt) > 1e-15:
            raise ValueError(f"{path} was saved from a different network: {meta['structure']} with dt={meta['dt']}, "
                             f"this one is {self._structure()} with dt={self.dt}")
        self.build()
        for k, obj in enumerate(self.objects):
            if isinstance(obj, Synapses):
                obj.post_index = data[f"c{k}.post_index"].astype(np.int32)
                obj.dptr, obj.udelay = data[f"c{k}.dptr"], data[f"c{k}.udelay"]
                perm = data[f"c{k}.perm"]
                obj._perm = perm.astype(np.int32) if perm.size else None
                obj._reverse = None
                obj._sx = data[f"o{k}.sx"].copy()
                obj._init_traces({})
        self._compiled = None
        self.build()
        snap = {"step": meta["step"], "arrays": {k: v for k, v in data.items() if k[0] in "oh"}, "monitors": {},
                "rates_used": {}}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, Monitor):
                snap["monitors"][k] = {f.split(".", 1)[1]: (data[f], len(data[f])) for f in data
                                       if f.startswith(f"m{k}.")}
            if isinstance(obj, PoissonGroup):
                snap["rates_used"][k] = data.get(f"r{k}")
        self._apply(snap)
        self.seed = meta["seed"]
