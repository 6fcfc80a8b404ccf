"""CUDA engine: device state for a whole run, one step as a fixed sequence of kernel launches.

The kernels of each model are generated from its equations
(:mod:`spikesim.equations.cuda_render`); the engine uploads every object's
arrays (the fields of its record, :mod:`spikesim.backends.records`), lays out
one step as a list of launches in the schedule of DESIGN.md section 3, and
runs chunks of steps.  Every kernel reads the step number from a device
counter, so the launches of a step never change: on a GPU the engine records
``GRAPH_STEPS`` steps once as a CUDA graph (through ``cuda.core``) and
replays it, which removes most of the per-launch cost of numba's dispatcher.
Without graph support (or under numba's CUDA simulator) it launches the
kernels directly.  Monitors record into device buffers copied back once per
chunk; states, traces and changing synaptic variables are copied back into
the description objects at the end of each chunk (so ``G.v`` is live and
store/restore work).  The Network keeps its engine between runs:
:meth:`CudaEngine.refresh` copies whatever may have changed on the host into
the existing device arrays, so buffers and the recorded graph are reused.
"""
from __future__ import annotations

import time

import numpy as np
from numba import cuda

from ...model.inputs import PoissonGroup, SpikeGeneratorGroup
from ...model.neurons import NeuronGroup
from ..compiled import EMPTY_STEP, ChunkResult
from . import kernels as K
from .spike_order import sort_spikes

THREADS = 8 if K.SIMULATOR else 256
MAX_BLOCKS = 1 if K.SIMULATOR else 1024
GRAPH_STEPS = 16                 # steps recorded in one CUDA graph
MAX_CHUNK = 1 << 16              # steps per chunk (monitor buffers are sized for a chunk)
MONITOR_BYTES = 1 << 28          # device memory for one state/weight monitor's chunk buffer
NEVER = 2 ** 62

LAST_GRAPH_STATUS = "no graph built yet"


def _note(status):
    global LAST_GRAPH_STATUS
    LAST_GRAPH_STATUS = status


def _blocks(n):
    return max(1, min(MAX_BLOCKS, (int(n) + THREADS - 1) // THREADS))


class _ShapeChanged(Exception):
    pass


class _Uploader:
    """Host -> device copies: allocate the first time, then copy into the same device arrays."""

    def __init__(self, allocate):
        self.allocate = allocate

    def one(self, d, host, dtype=None):
        a = np.ascontiguousarray(host, dtype=dtype if dtype is not None else host.dtype)
        if self.allocate or d is None:
            return cuda.to_device(a)
        if d.shape != a.shape or d.dtype != a.dtype:
            raise _ShapeChanged
        if a.size:
            d.copy_to_device(a)
        return d


# record fields in the engine's floating-point type; the others keep their own
_FLOAT_GROUP = ("x", "shared")
_FLOAT_SYN = ("sx", "shared", "bx", "px")


class CudaEngine:
    """Runs a :class:`~spikesim.backends.compiled.CompiledNetwork` on the GPU (or numba's CUDA simulator).

    Parameters
    ----------
    cn : CompiledNetwork
    dtype : {"float64", "float32"}
        Floating-point type of states, parameters, synaptic variables and traces on the device (spike times of
        event-driven variables, ``lastupdate``, stay float64).
    use_graphs : bool
        Record and replay CUDA graphs when ``cuda.core`` supports it.
    """

    def __init__(self, cn, dtype="float64", use_graphs=True):
        t0 = time.perf_counter()
        self.cn = cn
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"Network.cuda_dtype must be 'float32' or 'float64', got {dtype!r}")
        self.use_graphs = use_graphs and not K.SIMULATOR
        self.graph_status = "not built"
        self._graph = None
        self.modules = cn.modules("cuda")
        G = len(cn.groups)
        self.D = [cn.hist_n[g].size + 1 for g in range(G)]
        self.d_hist = [cuda.device_array((self.D[g], max(1, cn.groups[g].N)), np.int32) for g in range(G)]
        self.d_hist_n = [cuda.device_array(self.D[g], np.int64) for g in range(G)]
        self.d_hist_step = [cuda.device_array(self.D[g], np.int64) for g in range(G)]
        # step counter: entry j holds the step of the j-th step of a graph (n, n + 1, ...); each kernel reads
        # entry 0 of the view it is given, so one tick per graph advances them all
        self.clk = cuda.to_device(np.zeros(GRAPH_STEPS, np.int64))
        self._clk_views = [self.clk[j:j + 1] for j in range(GRAPH_STEPS)]
        self.changing = {k for k, s in enumerate(cn.synapses) if s._layout["written"]} | \
            {cn.syn_index[id(m.synapses)] for m in cn.normalizations}
        self._mutable(allocate=True)
        self._uploaded = False
        self._alloc_monitors()
        self._steps = self._plan()
        self._plan_key = self._scalars(self._steps)
        self._start_timing(t0)

    def _start_timing(self, t0):
        """Wall time of this run's phases (s): building or refreshing the device copy, the steps, copying back;
        and how its steps were launched (``launches``: graphs of GRAPH_STEPS steps, single steps)."""
        self.timing = dict(upload_s=time.perf_counter() - t0, device_s=0.0, collect_s=0.0)
        self.launches = dict(graph=0, single=0)

    def _mutable(self, allocate):
        """Copy every record field to the device (allocating once, then into the same arrays)."""
        cn, f = self.cn, self.dtype
        put = _Uploader(allocate)
        if allocate:
            self.g_dev = [dict() for _ in cn.groups]
            self.s_dev = [dict() for _ in cn.synapses]
        for k, rec in enumerate(cn.group_records):
            d = self.g_dev[k]
            for name in ("x", "shared", "last", "ref", "notref", "key"):
                d[name] = put.one(d.get(name), rec[name], f if name in _FLOAT_GROUP else None)
            for q, (vals, meta) in enumerate(rec["timed"]):
                d[f"ta{q}v"] = put.one(d.get(f"ta{q}v"), vals, f)
                d[f"ta{q}m"] = put.one(d.get(f"ta{q}m"), meta)
            g = cn.groups[k]
            if isinstance(g, PoissonGroup):
                nxt, draws, log1mp = rec["extra"][:3]
                for name, a in (("next", nxt), ("draws", draws), ("log1mp", log1mp)):
                    d[name] = put.one(d.get(name), a)
            elif isinstance(g, SpikeGeneratorGroup):
                steps, idx, _ = rec["extra"]
                d["ev_step"] = put.one(d.get("ev_step"), steps if steps.size else np.full(1, NEVER, np.int64))
                d["ev_idx"] = put.one(d.get("ev_idx"), idx if idx.size else np.zeros(1, np.int64), np.int32)
        for k, rec in enumerate(cn.syn_records):
            d = self.s_dev[k]
            s = cn.synapses[k]
            for name in ("post_index", "dptr", "udelay", "rev_ptr", "rev_syn", "rev_block", "key"):
                if allocate:
                    d[name] = put.one(None, rec[name])
            # variables: those the model does not change only when written on the host since the last upload
            if allocate or k in self.changing or s._w_version != self._w_seen[k]:
                d["sx"] = put.one(d.get("sx"), rec["sx"], f)
            for name in ("shared", "lastupdate", "bx", "blast", "px", "plast"):
                d[name] = put.one(d.get(name), rec[name], f if name in _FLOAT_SYN else None)
            ring_pre, ring_pre_pos, ring_post, ring_post_pos, win = rec["rings"]
            for name, a in (("ring_pre", ring_pre), ("ring_pre_pos", ring_pre_pos), ("ring_post", ring_post),
                            ("ring_post_pos", ring_post_pos), ("win", win)):
                d[name] = put.one(d.get(name), a)
            for q, (vals, meta) in enumerate(rec["timed"]):
                d[f"ta{q}v"] = put.one(d.get(f"ta{q}v"), vals, f)
                d[f"ta{q}m"] = put.one(d.get(f"ta{q}m"), meta)
            if allocate:    # scratch: traces per source / per target at the current spike, for the synapse kernels
                d["bnow"] = cuda.device_array(max(1, rec["bx"].size), dtype=f).reshape(
                    rec["bx"].shape if rec["bx"].size else (1, 1))
                d["pnow"] = cuda.device_array(max(1, rec["px"].size), dtype=f).reshape(
                    rec["px"].shape if rec["px"].size else (1, 1))
        self._w_seen = [s._w_version for s in cn.synapses]
        self.err = put.one(None if allocate else self.err, np.array([NEVER], np.int64))
        self.err_ring = put.one(None if allocate else self.err_ring,
                                np.full(max(1, len(cn.synapses)), NEVER, np.int64))
        if allocate:
            self.norm_total = [float(m.total) for m in cn.normalizations]

    def refresh(self):
        """Make this engine ready for another run of the same built network.

        Copies everything that may have changed on the host into the existing
        device arrays (so a recorded CUDA graph stays valid).  Returns False
        when an array changed shape or the models changed (the caller then
        builds a new engine).
        """
        t0 = time.perf_counter()
        if self.cn.modules("cuda") != self.modules:
            return False
        try:
            self._mutable(allocate=False)
        except _ShapeChanged:
            return False
        self._uploaded = False
        steps = self._plan()
        key = self._scalars(steps)
        if key != self._plan_key:          # a value baked into the launches changed: record anew
            self._steps, self._plan_key, self._graph = steps, key, None
        self._start_timing(t0)
        return True

    @staticmethod
    def _scalars(steps):
        return tuple(tuple(a for a in args if not hasattr(a, "copy_to_host")) for _, _, _, args in steps)

    # ------------------------------------------------------------------ buffers
    def _upload_history(self, n0):
        """Place the host history ring (slot p % D) into the device ring (slot p % (D + 1)); n0: current step."""
        cn = self.cn
        for g in range(len(cn.groups)):
            D, Dd = cn.hist_n[g].size, self.D[g]
            hist = np.zeros(self.d_hist[g].shape, np.int32)
            hist_n = np.zeros(Dd, np.int64)
            hist_step = np.full(Dd, EMPTY_STEP, np.int64)
            for s in range(D):
                p = int(cn.hist_step[g][s])
                if n0 - D <= p < n0:
                    k = p % Dd
                    c = int(cn.hist_n[g][s])
                    hist[k, :c] = cn.hist[g][s, :c]
                    hist_n[k], hist_step[k] = c, p
            self.d_hist[g].copy_to_device(hist)
            self.d_hist_n[g].copy_to_device(hist_n)
            self.d_hist_step[g].copy_to_device(hist_step)

    def _alloc_monitors(self):
        cn, f = self.cn, self.dtype
        self.spk = []          # one device buffer per monitored group (several monitors of a group share it)
        for g in sorted({cn.group_index[id(m.group)] for m in cn.spike_monitors}):
            # room for 64 steps in which every neuron fires: checks (below) never let the buffer overflow
            cap = max(1 << (10 if K.SIMULATOR else 20), 64 * max(1, cn.groups[g].N))
            self.spk.append((cuda.device_array(cap, np.int32), cuda.device_array(cap, np.int64),
                             cuda.to_device(np.zeros(1, np.int64)), cap, g))
        self.max_chunk = MAX_CHUNK
        self.sm_buf = []
        for m in cn.state_monitors:
            rows = np.array([m.group._rows[v] for v in m.variables], dtype=np.int64)
            per_row = rows.size * m.record.size * f.itemsize
            n = max(1, min(MAX_CHUNK // m.every + 2, MONITOR_BYTES // max(per_row, 1)))
            self.max_chunk = min(self.max_chunk, max(1, (n - 1) * m.every))
            self.sm_buf.append((cuda.device_array((n, rows.size, m.record.size), f), cuda.to_device(rows),
                                cuda.to_device(m.record), cuda.to_device(np.zeros(1, np.int64))))
        self.wm_buf = []
        for m, pos, req in zip(cn.weight_monitors, cn.wm_pos, cn.wm_steps):
            per_row = max(1, pos.size) * f.itemsize
            n = max(1, min((MAX_CHUNK // m.every + 2) if m.every else max(1, req.size), MONITOR_BYTES // per_row))
            if m.every:
                self.max_chunk = min(self.max_chunk, max(1, (n - 1) * m.every))
            self.wm_buf.append((cuda.device_array((n, pos.size), f), cuda.to_device(pos),
                                cuda.to_device(req if req.size else np.zeros(1, np.int64)),
                                cuda.to_device(np.zeros(1, np.int64)), n))
        self.rm_buf = [cuda.device_array(MAX_CHUNK, np.int64) for _ in cn.rate_monitors]
        self.rm_base = cuda.to_device(np.zeros(1, np.int64))

    # ------------------------------------------------------------------ one step
    def _group_args(self, k, names, extra):
        d = self.g_dev[k]
        table = {"_clk": self.clk, "dt": self.cn.dt, "_x": d["x"], "_shared": d["shared"], "_last": d["last"],
                 "_ref": d["ref"], "_notref": d["notref"], "_key_arr": d["key"], "_hist": self.d_hist[k],
                 "_hist_n": self.d_hist_n[k], "_hist_step": self.d_hist_step[k], "_err": self.err}
        lay = self.cn.groups[k]._layout
        for q, (n, _) in enumerate(lay["timed"]):
            table[f"_ta_{n}_v"], table[f"_ta_{n}_m"] = d[f"ta{q}v"], d[f"ta{q}m"]
        table.update(extra)
        return tuple(table[a] for a in names)

    def _syn_args(self, k, names, extra=None):
        cn = self.cn
        s = cn.synapses[k]
        d = self.s_dev[k]
        table = {"_clk": self.clk, "dt": cn.dt, "_err": self.err_ring[k:k + 1], "_every": 1}
        for name in ("post_index", "dptr", "udelay", "sx", "shared", "lastupdate", "rev_ptr", "rev_syn",
                     "rev_block", "bx", "blast", "px", "plast", "ring_pre", "ring_pre_pos", "ring_post",
                     "ring_post_pos", "win", "bnow", "pnow"):
            table["_" + name] = d[name]
        table["_key_arr"] = d["key"]
        for side, g in (("pre", s.pre), ("post", s.post)):
            gk = cn.group_index[id(g)]
            gd = self.g_dev[gk]
            table.update({f"_{side}_x": gd["x"], f"_{side}_last": gd["last"], f"_{side}_notref": gd["notref"],
                          f"_{side}_hist": self.d_hist[gk], f"_{side}_hist_n": self.d_hist_n[gk],
                          f"_{side}_hist_step": self.d_hist_step[gk]})
        for q, (n, _) in enumerate(s._layout["timed"]):
            table[f"_ta_{n}_v"], table[f"_ta_{n}_m"] = d[f"ta{q}v"], d[f"ta{q}m"]
        table.update(extra or {})
        return tuple(table[a] for a in names)

    def _plan(self):
        """The launches of one step: (kernel, blocks, threads, args), each args starting with the step counter.

        The step counter advance (:func:`kernels.tick`) is not part of it: :meth:`_launch_step` adds it.
        """
        cn = self.cn
        steps = []
        none_i, none_s, none_c = (cuda.device_array(0, np.int32), cuda.device_array(0, np.int64),
                                  cuda.device_array(0, np.int64))
        mods = self.modules
        intervals = [int(x) for x in cn.intervals]

        def regular(when):
            out = []
            r = 0
            for k, g in enumerate(cn.groups):
                if isinstance(g, NeuronGroup):
                    for q, (_, w) in enumerate(g._layout["regular"]):
                        if w == when:
                            fn = getattr(mods[id(g)], f"regular_{q}")
                            args = self._group_args(k, mods[id(g)].ARGS[f"regular_{q}"], {"_every": intervals[r]})
                            out.append((fn, _blocks(g.N), THREADS, args))
                        r += 1
            for k, s in enumerate(cn.synapses):
                for q, (_, w) in enumerate(s._layout["regular"]):
                    if w == when:
                        fn = getattr(mods[id(s)], f"regular_{q}")
                        args = self._syn_args(k, mods[id(s)].ARGS[f"regular_{q}"], {"_every": intervals[r]})
                        out.append((fn, _blocks(s.dptr.size - 1), THREADS, args))
                    r += 1
            return out

        # 1. start: state and weight monitors, regular operations
        for m, (buf, rows, idx, base) in zip(cn.state_monitors, self.sm_buf):
            g = cn.group_index[id(m.group)]
            steps.append((K.record_state, _blocks(rows.size * idx.size), THREADS,
                          (self.clk, int(m.every), base, self.g_dev[g]["x"], rows, idx, buf)))
        for q, (m, (buf, pos, req, base, _)) in enumerate(zip(cn.weight_monitors, self.wm_buf)):
            s = cn.syn_index[id(m.synapses)]
            w = self.s_dev[s]["sx"][m.synapses._rows[m.variable]]
            steps.append((K.record_weights, _blocks(pos.size), THREADS,
                          (self.clk, int(m.every or 0), req, base, w, pos, buf)))
        steps += regular("start")
        # 2. groups
        steps += regular("groups")
        for k, s in enumerate(cn.synapses):
            for var in s._layout["summed"]:
                mod = mods[id(s)]
                steps.append((getattr(mod, f"summed_zero_{var}"), _blocks(s.post.N), THREADS,
                              self._syn_args(k, mod.ARGS[f"summed_zero_{var}"])))
                steps.append((getattr(mod, f"summed_{var}"), _blocks(s.dptr.size - 1), THREADS,
                              self._syn_args(k, mod.ARGS[f"summed_{var}"])))
        for k, g in enumerate(cn.groups):
            mod = mods.get(id(g))
            if mod is not None and hasattr(mod, "update"):
                steps.append((mod.update, _blocks(g.N), THREADS, self._group_args(k, mod.ARGS["update"], {})))
        for k, s in enumerate(cn.synapses):
            mod = mods[id(s)]
            if hasattr(mod, "stateupdate"):
                steps.append((mod.stateupdate, _blocks(s.dptr.size - 1), THREADS,
                              self._syn_args(k, mod.ARGS["stateupdate"])))
        # 3. thresholds
        for k, g in enumerate(cn.groups):
            mon = next(((bi, bs, c) for bi, bs, c, _, gk in self.spk if gk == k), (none_i, none_s, none_c))
            d = self.g_dev[k]
            ring = (self.d_hist[k], self.d_hist_n[k], self.d_hist_step[k])
            if isinstance(g, PoissonGroup):
                steps.append((K.poisson_step, _blocks(g.N), THREADS,
                              (self.clk, d["next"], d["draws"], d["log1mp"], np.uint64(cn.keys[id(g)][0]),
                               d["last"]) + ring + mon))
            elif isinstance(g, SpikeGeneratorGroup):
                steps.append((K.generator_step, _blocks(g.N), THREADS,
                              (self.clk, d["ev_step"], d["ev_idx"], d["last"]) + ring + mon))
            else:
                mod = mods[id(g)]
                if hasattr(mod, "threshold"):
                    steps.append((mod.threshold, _blocks(g.N), THREADS, self._group_args(
                        k, mod.ARGS["threshold"], {"_mon_i": mon[0], "_mon_s": mon[1], "_mon_c": mon[2]})))
        # 4. synapses: pre pathways, then post pathways, then regular operations
        for side in ("pre", "post"):
            for k, s in enumerate(cn.synapses):
                mod = mods[id(s)]
                if not hasattr(mod, f"on_{side}"):
                    continue
                g = s.pre if side == "pre" else s.post
                nb = _blocks(g.N)
                if mod.MODES[side] == "serial":
                    steps.append((getattr(mod, f"on_{side}"), 1, 1, self._syn_args(k, mod.ARGS[f"on_{side}"])))
                    continue
                steps.append((getattr(mod, f"{side}_heads"), nb, THREADS,
                              self._syn_args(k, mod.ARGS[f"{side}_heads"])))
                steps.append((getattr(mod, f"on_{side}"), nb, THREADS, self._syn_args(k, mod.ARGS[f"on_{side}"])))
        steps += regular("synapses")
        # 5. resets
        for k, g in enumerate(cn.groups):
            mod = mods.get(id(g))
            if mod is not None and hasattr(mod, "reset"):
                steps.append((mod.reset, _blocks(g.N), THREADS, self._group_args(k, mod.ARGS["reset"], {})))
        # 6. end: rate monitors, regular operations, normalisation
        for r, m in enumerate(cn.rate_monitors):
            g = cn.group_index[id(m.group)]
            steps.append((K.store_count, 1, 1, (self.clk, self.d_hist_n[g], self.rm_base, self.rm_buf[r])))
        steps += regular("end")
        for q, m in enumerate(cn.normalizations):
            if m.interval is None:          # run by a Presentation, between phases (on the host)
                continue
            k = cn.syn_index[id(m.synapses)]
            s = cn.synapses[k]
            d = self.s_dev[k]
            steps.append((K.normalize, _blocks(s.post.N), THREADS,
                          (self.clk, int(m._steps(cn.dt)), d["sx"][s._rows[m.variable]], d["rev_ptr"], d["rev_syn"],
                           float(m.total))))
        return steps

    def _launch_step(self, stream=0, j=0, advance=1):
        """Launch one step's kernels, reading the step from counter entry j; then advance the counter (if > 0)."""
        clk = self._clk_views[j]
        for kernel, blocks, threads, args in self._steps:
            kernel[blocks, threads, stream](clk, *args[1:])
        if advance:
            K.tick[_blocks(GRAPH_STEPS), THREADS, stream](self.clk, advance)

    def _record(self, stream):
        """The launches of a graph: GRAPH_STEPS steps (step j reading counter entry j), then one tick."""
        for j in range(GRAPH_STEPS):
            self._launch_step(stream, j, advance=GRAPH_STEPS if j == GRAPH_STEPS - 1 else 0)

    def _build_graph(self):
        """Record GRAPH_STEPS steps as one CUDA graph; None (and the reason in graph_status) if unsupported."""
        try:
            try:
                from cuda.core import Device, StreamOptions
            except ImportError:
                from cuda.core.experimental import Device, StreamOptions
            dev = Device()
            dev.set_current()
            stream = dev.create_stream(options=StreamOptions(nonblocking=False))
            gb = stream.create_graph_builder()
            gb.begin_building()
            self._record(gb)
            gb.end_building()
            graph = gb.complete()
            self.graph_status = f"CUDA graph of {GRAPH_STEPS} steps"
            _note(self.graph_status)
            return graph, stream
        except Exception as exc:      # no cuda.core, or a numba-cuda that cannot launch into a graph builder
            self.graph_status = f"direct launches (no CUDA graph: {type(exc).__name__}: {exc})"
            _note(self.graph_status)
            self.use_graphs = False
            return None

    # ------------------------------------------------------------------ chunks
    def run_chunk(self, n0, n_steps):
        cn = self.cn
        n_steps = min(n_steps, self.max_chunk)
        t0 = time.perf_counter()
        if not self._uploaded:
            self._upload_history(n0)
            self._uploaded = True
            self.timing["upload_s"] += time.perf_counter() - t0
            t0 = time.perf_counter()
        self.clk.copy_to_device(n0 + np.arange(GRAPH_STEPS, dtype=np.int64))
        for (_, _, c, _, _) in self.spk:
            c.copy_to_device(np.zeros(1, np.int64))
        for m, (_, _, _, base) in zip(cn.state_monitors, self.sm_buf):
            base.copy_to_device(np.array([(n0 - 1) // m.every + 1], np.int64))
        for m, (_, _, req, base, _) in zip(cn.weight_monitors, self.wm_buf):
            b = (n0 - 1) // m.every + 1 if m.every else int(np.searchsorted(req.copy_to_host(), n0))
            base.copy_to_device(np.array([b], np.int64))
        self.rm_base.copy_to_device(np.array([n0], np.int64))
        # weight monitors with explicit times: at most `rows` snapshots per chunk
        for m, (_, _, req, base, rows) in zip(cn.weight_monitors, self.wm_buf):
            if not m.every:
                r = req.copy_to_host()
                b = int(np.searchsorted(r, n0))
                if b + rows < r.size:
                    n_steps = min(n_steps, int(r[b + rows]) - n0)
        done = 0
        since_check, interval = 0, (0 if self.spk else 1 << 62)
        while done < n_steps:
            if self.use_graphs and self._graph is None and done > 0:
                self._graph = self._build_graph()
            graph = self._graph is not None and n_steps - done >= GRAPH_STEPS
            if self.spk and interval - since_check < (GRAPH_STEPS if graph else 1):
                # the spike buffers' room, in steps that fit even if every neuron fired in each; checked
                # before a launch would pass it, so that whole graphs run (not single steps) while there is room
                if self._graph is not None:
                    self._graph[1].sync()
                since_check = 0
                interval = min((cap - int(c.copy_to_host()[0])) // max(1, cn.groups[g].N)
                               for _, _, c, cap, g in self.spk)
                if interval < 1:
                    break
                graph = graph and interval >= GRAPH_STEPS
            if graph:
                g_exec, stream = self._graph
                g_exec.launch(stream)
                self.launches["graph"] += 1
                done += GRAPH_STEPS
                since_check += GRAPH_STEPS
            else:
                if self._graph is not None:
                    self._graph[1].sync()
                self._launch_step()
                self.launches["single"] += 1
                done += 1
                since_check += 1
        if self._graph is not None:
            self._graph[1].sync()
        cuda.synchronize()
        t1 = time.perf_counter()
        out = self._collect(n0, done)
        self.timing["device_s"] += t1 - t0
        self.timing["collect_s"] += time.perf_counter() - t1
        return out

    def _collect(self, n0, done):
        cn = self.cn
        self._download(n0 + done)
        error = None
        err_step = int(self.err.copy_to_host()[0])
        ring = self.err_ring.copy_to_host()
        if int(ring.min()) < n0 + done and int(ring.min()) <= err_step:
            s = int(np.argmin(ring))
            done = int(ring[s]) - n0
            error = ("ring", s, int(ring[s]))
        elif err_step < n0 + done:
            done = err_step - n0
            bad_g, bad_i = self._first_bad()
            error = (bad_g, bad_i, err_step)
        end = n0 + done
        incl = end + (1 if error is not None else 0)     # a failing step's start-of-step records are kept
        by_group = {}
        for bi, bs, c, cap, g in self.spk:
            k = min(int(c.copy_to_host()[0]), cap)
            i = bi[:k].copy_to_host() if k else np.zeros(0, np.int32)
            st = bs[:k].copy_to_host() if k else np.zeros(0, np.int64)
            keep = st < end
            if not keep.all():
                i, st = i[keep], st[keep]
            by_group[g] = sort_spikes(i, st, cn.groups[g].N)
        spikes = [tuple(a.copy() for a in by_group[cn.group_index[id(m.group)]]) for m in cn.spike_monitors]
        states = []
        for m, (buf, _, _, _) in zip(cn.state_monitors, self.sm_buf):
            first = (n0 - 1) // m.every + 1
            rows = max(0, (incl - 1) // m.every - first + 1)
            steps = (first + np.arange(rows, dtype=np.int64)) * m.every
            states.append((steps, buf[:rows].copy_to_host().astype(np.float64) if rows else
                           np.zeros((0,) + buf.shape[1:])))
        weights = []
        for k, (m, (buf, _, _, _, _)) in enumerate(zip(cn.weight_monitors, self.wm_buf)):
            if m.every:
                first = (n0 - 1) // m.every + 1
                rows = max(0, (incl - 1) // m.every - first + 1)
                steps = (first + np.arange(rows, dtype=np.int64)) * m.every
            else:
                r = cn.wm_steps[k]
                steps = r[(r >= n0) & (r < incl)]
                rows = steps.size
            weights.append((steps, buf[:rows].copy_to_host().astype(np.float64) if rows else
                            np.zeros((0, buf.shape[1]))))
        rates = [(np.arange(n0, end, dtype=np.int64), r[:done].copy_to_host() if done else np.zeros(0, np.int64))
                 for r in self.rm_buf]
        return ChunkResult(int(done), spikes, states, rates, weights, error)

    def _download(self, n_end):
        """Copy states, histories, sources, changing synaptic variables and traces back to the host arrays."""
        cn = self.cn
        for k, g in enumerate(cn.groups):
            rec, d = cn.group_records[k], self.g_dev[k]
            for name in ("x", "last", "notref"):
                if rec[name].size:
                    rec[name][...] = d[name].copy_to_host()
            if isinstance(g, PoissonGroup):
                rec["extra"][0][...] = d["next"].copy_to_host()
                rec["extra"][1][...] = d["draws"].copy_to_host()
            if isinstance(g, SpikeGeneratorGroup):
                g.cursor[0] = np.searchsorted(rec["extra"][0], n_end, side="left")
            D, Dd = cn.hist_n[k].size, self.D[k]
            hist, hist_n, hist_step = (self.d_hist[k].copy_to_host(), self.d_hist_n[k].copy_to_host(),
                                       self.d_hist_step[k].copy_to_host())
            cn.hist_step[k][:] = EMPTY_STEP
            cn.hist_n[k][:] = 0
            for p in range(n_end - D, n_end):
                q = p % Dd
                if hist_step[q] == p:
                    c = int(hist_n[q])
                    cn.hist[k][p % D, :c] = hist[q, :c]
                    cn.hist_n[k][p % D], cn.hist_step[k][p % D] = c, p
        for k, rec in enumerate(cn.syn_records):
            d = self.s_dev[k]
            names = ("sx", "lastupdate", "bx", "blast", "px", "plast") if k in self.changing else \
                ("lastupdate", "bx", "blast", "px", "plast")
            for name in names:
                if rec[name].size:
                    rec[name][...] = d[name].copy_to_host()
            for name, a in zip(("ring_pre", "ring_pre_pos", "ring_post", "ring_post_pos"), rec["rings"][:4]):
                if a.size:
                    a[...] = d[name].copy_to_host()

    def _first_bad(self):
        for k, rec in enumerate(self.cn.group_records):
            x = rec["x"]
            bad = ~np.isfinite(x).all(axis=0)
            if x.size and bad.any():
                return k, int(np.flatnonzero(bad)[0])
        return 0, 0
