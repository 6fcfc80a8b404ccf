"""Network: the container that builds the compiled state and runs it."""
from __future__ import annotations

import sys
import time
import weakref

import numpy as np

from .._validate import MAX_STEPS, check_float, check_int, steps_of
from ..monitors._base import Monitor
from ..monitors.rate import PopulationRateMonitor
from ..monitors.spikes import SpikeMonitor
from ..monitors.state import StateMonitor
from ..monitors.weights import WeightMonitor
from ..units import ms
from .groups import Group
from .inputs import PoissonGroup
from .presentation import Presentation
from .state_file import FILE_VERSION
from .synapses import Synapses

__all__ = ["Network", "SimulationError", "FILE_VERSION"]

#: adaptive chunks of :meth:`Network.run`: first size, fewest and most steps per compiled call
CHUNK_STEPS = (10_000, 1_000, 1_000_000)
#: wall time of one chunk (s) below which the next one doubles, and above which it halves
CHUNK_WALL = (0.1, 1.0)


def _next_chunk(steps, wall, most):
    """The size of the next adaptive chunk after one of ``steps`` steps took ``wall`` seconds."""
    if wall < CHUNK_WALL[0]:
        steps *= 2
    elif wall > CHUNK_WALL[1]:
        steps //= 2
    return max(min(CHUNK_STEPS[1], most), min(steps, most))


class SimulationError(RuntimeError):
    """A run could not go on: a state variable became NaN or infinite, or a spike buffer overflowed.

    The message names the object, the neuron (or synapse set) and the time;
    monitors keep everything recorded before that step.
    """


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
        self._compiled = None
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.seed = seed
        self.objects = []
        self.step = 0
        self.cuda_dtype = "float64"     # state precision on the cuda backend ("float32" is usual on GPUs)
        self._stored = {}
        self.add(*objects)

    @property
    def seed(self):
        """The seed of every random draw (int >= 0); it can change only before the network is built."""
        return self._seed

    @seed.setter
    def seed(self, value):
        value = check_int("seed", value, minimum=0)
        if self._compiled is not None and value != self._seed:
            raise RuntimeError(f"seed cannot change after the network was built (connectivity, initial values and "
                               f"input streams were drawn with seed={self._seed}); create a new Network, or load() "
                               f"a saved state, which brings its own seed")
        self._seed = value

    # ------------------------------------------------------------------ building
    def add(self, *objects):
        """Add groups, synapses, monitors, normalisations or presentations (before the first run).

        Parameters
        ----------
        *objects : Group, Synapses, Monitor, Normalization or Presentation

        Raises
        ------
        TypeError
            An object of another kind.
        ValueError
            An object added twice, or one that belongs to another network:
            an object belongs to the first Network it is added to, while
            that network exists, and for good once that network has run it
            (its last spikes and monitor records count that network's steps)
            or, for Synapses, built it (delays in steps of that network's
            ``dt``); create new objects for a second network.
        RuntimeError
            The network was already built.
        """
        if self._compiled is not None:
            raise RuntimeError("objects cannot be added after the network was built; create a new Network")
        from ..plasticity.homeostasis import Normalization
        for q, obj in enumerate(objects):
            if not isinstance(obj, (Group, Synapses, Monitor, Normalization, Presentation)):
                raise TypeError(f"objects must be groups, Synapses, monitors, Normalization or Presentation, got "
                                f"{type(obj).__name__}")
            if any(obj is o for o in self.objects) or any(obj is o for o in objects[:q]):
                raise ValueError(f"{obj!r} was added twice")
            owner = obj.__dict__.get("_owner")
            other = owner() if owner is not None else None
            if (other is not None and other is not self) or (other is None and obj.__dict__.get("_owner_used")):
                raise ValueError(f"{obj!r} already belongs to another Network: an object belongs to the first network "
                                 f"it is added to (its state, last spikes and delays in steps follow that network's "
                                 f"clock); create new objects for this network, or use store()/restore() to run "
                                 f"variants of one network")
        for obj in objects:
            obj.__dict__["_owner"] = weakref.ref(self)
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

    def _check_objects(self):
        """Every object a synapse set or monitor refers to is in the network; something to simulate."""
        if not self._of(Group):
            raise ValueError("the network has nothing to simulate: add at least one group (Network(G, S, M) or "
                             "net.add(G)) before running, building or loading it")
        ids = {id(g) for g in self._of(Group)}
        for s in self._of(Synapses):
            for side, g in (("pre", s.pre), ("post", s.post)):
                if id(g) not in ids:
                    raise ValueError(f"Synapses {s.name!r}: its {side} group {g.name!r} is not in the network")
        for m in self._of(Monitor):
            if id(m.group) not in ids:
                raise ValueError(f"{type(m).__name__} {m.name!r}: its group {m.group.name!r} is not in the network")

    def build(self):
        """Draw connectivity and random initial values, and lay out the compiled arrays.

        Called by the first :meth:`run`; call it yourself to inspect
        ``Synapses.w`` or drawn initial values before running.
        """
        if self._compiled is not None:
            return self._compiled
        from ..backends.compiled import CompiledNetwork
        self._check_objects()
        groups = self._of(Group)
        keys = {}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, (Group, Synapses)):
                keys[id(obj)] = np.random.SeedSequence(self.seed, spawn_key=(k, 1)).generate_state(1, np.uint64)[0]
            if isinstance(obj, Group):
                obj._resolve(self._rng(k), self.dt)
            elif isinstance(obj, Synapses):
                obj._build(self._rng(k), self.dt)
        for obj in self._of(Synapses):         # their delays in steps and connectivity belong to this network
            obj.__dict__["_owner_used"] = True
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
    def run(self, duration, *, backend="cpu", progress=None, chunk_steps=None):
        """Simulate ``duration`` seconds, continuing from where the last run stopped.

        Parameters
        ----------
        duration : float
            Seconds of biological time; a whole number of steps.
        backend : {"cpu", "reference", "cuda"}
        progress : bool or None
            Progress bar on standard error: None shows it only on a terminal
            and only when the run lasts more than a second.
        chunk_steps : int or None
            Steps per compiled call (monitor data are handed over between calls).  None: adaptive,
            starting at 10,000 steps and doubling while a call takes less than 0.1 s of wall time (up to
            1,000,000 steps; halving above 1 s), so that the fixed cost of a call (~0.3 ms) stays
            negligible and the progress bar still moves.

        Raises
        ------
        SimulationError
            When a state variable becomes NaN/inf; everything recorded up to
            that step is kept in the monitors.
        """
        n_total = steps_of("duration", duration, self.dt)
        if self.step + n_total >= MAX_STEPS:
            raise ValueError(f"duration must keep the network below {MAX_STEPS:.3g} steps of dt={self.dt} s; it is "
                             f"at step {self.step}, got {duration} s ({n_total} steps)")
        adaptive = chunk_steps is None
        chunk_steps = CHUNK_STEPS[0] if adaptive else check_int("chunk_steps", chunk_steps, minimum=1)
        engine = self._engine(backend)
        cn = self._compiled
        for obj in self.objects:               # their state now follows this network's clock
            obj.__dict__["_owner_used"] = True
        per_step = sum(len(m.variables) * m.record.size * 8 / m.every for m in cn.state_monitors)
        most = CHUNK_STEPS[2] if adaptive else chunk_steps
        if per_step:                           # a chunk's state-monitor buffer stays below 64 MB
            most = max(1, min(most, int(64e6 / per_step)))
            chunk_steps = min(chunk_steps, most)
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
                t_chunk = time.perf_counter()
                res = engine.run_chunk(self.step, n)
                if adaptive and res.steps_done == n:
                    chunk_steps = _next_chunk(chunk_steps, time.perf_counter() - t_chunk, most)
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
        """Write the whole state to ``path`` (npz); :meth:`load` continues it bit-identically.

        Parameters
        ----------
        path : str or os.PathLike
            The file written (numpy's ``.npz``; see :mod:`spikesim.model.state_file`).
        """
        from . import state_file
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
        meta = dict(dt=self.dt, seed=self.seed, step=self.step, structure=self._structure())
        state_file.write(path, meta, out)

    def load(self, path):
        """Continue from a state written by :meth:`save`, bit for bit, in this (identically built) network.

        The network must consist of the same objects, added in the same
        order (class, name and size of each), with the same ``dt`` and
        models; its own seed does not matter: the file's seed, connectivity,
        state, spikes in flight, input streams and monitor records replace
        this network's.  The whole file is checked against the network
        before anything changes, so a load that fails leaves the network as
        it was.  States kept by :meth:`store` are dropped (they belong to the
        state before the load).

        Parameters
        ----------
        path : str or os.PathLike

        Raises
        ------
        FileNotFoundError
            No file at ``path``.
        ValueError
            Naming the file and the problem: not a spikesim network file
            (damaged, truncated, another format, arrays that would need
            pickle, bad metadata), another file version, or a file saved from
            a different network.
        """
        from . import state_file
        meta, data = state_file.read(path)
        if meta["structure"] != self._structure() or abs(meta["dt"] - self.dt) > 1e-15:
            raise ValueError(f"{path} was saved from a different network: {meta['structure']} with dt={meta['dt']}, "
                             f"this one is {self._structure()} with dt={self.dt}")
        self._check_objects()
        shadows, snap = self._stage(path, meta, data)
        # ---- the file fits: swap (nothing below depends on the file's content any more)
        self._compiled = None
        self._cpu_engine = None
        self._cuda_engine = None
        self.seed = meta["seed"]           # first: every stream of the build below is keyed by it
        for k, sh in shadows.items():
            self.objects[k].__dict__.update(sh.__dict__)
        for g in self._of(Group):
            if "_pending" in g.__dict__:
                g._pending.clear()        # drawn values come from the file, not from this network's generator
        self._stored = {}
        self.build()
        self._apply(snap)

    def _stage(self, path, meta, data):
        """Check every entry of a state file against this network; (synapse shadows, snapshot) to apply."""
        used = set()

        def bad(problem):
            raise ValueError(f"{path}: {problem} (saved from a different network, or damaged)")

        def take(key, like=None):
            if key not in data:
                bad(f"entry {key!r} is missing")
            a = data[key]
            used.add(key)
            if like is not None and (a.shape != like.shape or a.dtype != like.dtype):
                bad(f"entry {key!r} has shape {a.shape} and dtype {a.dtype}; this network needs shape {like.shape} "
                    f"and dtype {like.dtype}")
            return a

        shadows, arrays = {}, {}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, Synapses):
                conn = {n: take(f"c{k}.{n}") for n in ("post_index", "dptr", "udelay", "perm")}
                problem = obj._connectivity_problem(conn)
                if problem is not None:
                    bad(f"connectivity of Synapses {obj.name!r}: {problem}")
                shadows[k] = obj._shadow(conn, self.dt)
                live = shadows[k]._state_arrays()
            elif isinstance(obj, (Group, Presentation)):
                live = obj._state_arrays()
            else:
                continue
            for name, a in live.items():
                arrays[f"o{k}.{name}"] = take(f"o{k}.{name}", a)
        # spike-history rings: one slot per step of the longest outgoing delay of the loaded connectivity
        groups = self._of(Group)
        gidx = {id(g): q for q, g in enumerate(groups)}
        depth = [1] * len(groups)
        for k, sh in shadows.items():
            q = gidx[id(sh.pre)]
            depth[q] = max(depth[q], int(sh.udelay.max()) + 1)
        for q, g in enumerate(groups):
            for name, shape, dtype in ((f"hist{q}", (depth[q], g.N), np.int32), (f"hist_n{q}", (depth[q],), np.int64),
                                       (f"hist_step{q}", (depth[q],), np.int64)):
                arrays[f"h.{name}"] = take(f"h.{name}", np.empty(shape, dtype))
        monitors, rates_used = {}, {}
        for k, obj in enumerate(self.objects):
            if isinstance(obj, Monitor):
                monitors[k] = self._stage_monitor(k, obj, data, shadows, bad, used)
            elif isinstance(obj, PoissonGroup):      # None: the pending spikes are drawn afresh at the next run
                rates_used[k] = take(f"r{k}", np.empty(obj.N)) if f"r{k}" in data else None
        extra = sorted(set(data) - used)
        if extra:
            bad(f"entry {extra[0]!r} belongs to no object of this network")
        return shadows, {"step": meta["step"], "arrays": arrays, "monitors": monitors, "rates_used": rates_used}

    def _stage_monitor(self, k, m, data, shadows, bad, used):
        """The records of monitor ``k`` in a state file, checked: {field: (array, count)}."""
        if isinstance(m, SpikeMonitor):
            trailing = {"i": (), "step": ()}
        elif isinstance(m, StateMonitor):
            trailing = {"step": (), "data": (len(m.variables), m.record.size)}
        elif isinstance(m, PopulationRateMonitor):
            trailing = {"step": (), "count": ()}
        elif isinstance(m, WeightMonitor):
            sk = next(q for q, o in enumerate(self.objects) if o is m.synapses)
            n_syn = shadows[sk].post_index.size
            rec = m._record
            if rec is not True:
                rec = np.atleast_1d(np.asarray(rec))
                if rec.size and (rec.min() < 0 or rec.max() >= n_syn):
                    bad(f"WeightMonitor {m.name!r} records synapses up to {rec.max()}, but the file's Synapses "
                        f"{m.synapses.name!r} have {n_syn}")
            trailing = {"step": (), "data": (n_syn if rec is True else rec.size,)}
        else:                                           # pragma: no cover - every monitor kind is listed
            raise TypeError(f"unsupported monitor {m!r}")
        present = {f for f in trailing if f"m{k}.{f}" in data}
        if not present:
            return {}
        if present != set(trailing):
            bad(f"monitor {m.name!r} has records of {sorted(present)} but not of {sorted(set(trailing) - present)}")
        out, length = {}, None
        for f, tail in trailing.items():
            a = data[f"m{k}.{f}"]
            used.add(f"m{k}.{f}")
            numeric = a.dtype.kind in "iu" if f in ("i", "step", "count") else a.dtype.kind == "f"
            if a.ndim != 1 + len(tail) or a.shape[1:] != tail or not numeric:
                bad(f"records {f!r} of monitor {m.name!r} have shape {a.shape} and dtype {a.dtype}; (n,) + {tail} "
                    f"{'integers' if f in ('i', 'step', 'count') else 'floats'} expected")
            if length is not None and a.shape[0] != length:
                bad(f"records of monitor {m.name!r} differ in length ({length} and {a.shape[0]})")
            length = a.shape[0]
            out[f] = (a, a.shape[0])
        if "i" in out and length and (out["i"][0].min() < 0 or out["i"][0].max() >= m.group.N):
            bad(f"spike indices of monitor {m.name!r} must be in [0, {m.group.N})")
        return out
