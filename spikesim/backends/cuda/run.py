"""CUDA engine: device state for a whole run, one step as a fixed sequence of kernel launches.

Every kernel reads the step number from a device counter, so the launches of
a step never change: on a GPU the engine records ``GRAPH_STEPS`` steps once as
a CUDA graph (through ``cuda.core``) and replays it, which removes most of
the per-launch cost of numba's dispatcher (tens of microseconds per launch).
Without graph support (or under numba's CUDA simulator) it launches the
kernels directly.  Monitors record into device buffers that are copied back
once per chunk; group states, traces and plastic weights are copied back into
the description objects at the end of each chunk (so ``G.v`` is live and
store/restore work).  The Network keeps its engine between runs:
:meth:`CudaEngine.refresh` copies whatever may have changed on the host into
the existing device arrays, so buffers and the recorded graph are reused.
Everything the cpu backend runs is supported.
"""
from __future__ import annotations

import time

import numpy as np
from numba import cuda

from ...model.neuron_models import POISSON, SPIKEGEN
from ...plasticity.hebbian import RULE_HEBBIAN, VARIANT_BCM
from ..compiled import (EMPTY_STEP, INFO_I_ROW, INFO_INCR_ROW, INFO_INCR_VAR, INFO_METHOD, INFO_MODEL,
                        INFO_SUBTRACT, INFO_UNIFORM, INFO_VRESET, INFO_VTH, ChunkResult)
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

    def all(self, engine, name, arrays, dtype):
        old = getattr(engine, name, None)
        if not self.allocate and (old is None or len(old) != len(arrays)):
            raise _ShapeChanged
        setattr(engine, name, [self.one(None if self.allocate else old[k], a, dtype) for k, a in enumerate(arrays)])


class CudaEngine:
    """Runs a :class:`~spikesim.backends.compiled.CompiledNetwork` on the GPU (or numba's CUDA simulator).

    Parameters
    ----------
    cn : CompiledNetwork
    dtype : {"float64", "float32"}
        Floating-point type of states, weights and traces on the device.
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
        G = len(cn.groups)
        dev = cuda.to_device
        # structure: fixed once the network is built
        self.D = [cn.hist_n[g].size + 1 for g in range(G)]
        self.d_hist = [cuda.device_array((self.D[g], max(1, cn.groups[g].N)), np.int32) for g in range(G)]
        self.d_hist_n = [cuda.device_array(self.D[g], np.int64) for g in range(G)]
        self.d_hist_step = [cuda.device_array(self.D[g], np.int64) for g in range(G)]
        # step counter: entry j holds the step of the j-th step of a graph (n, n + 1, ...); each kernel reads
        # entry 0 of the view it is given, so one tick per graph advances them all
        self.clk = dev(np.zeros(GRAPH_STEPS, np.int64))
        self._clk_views = [self.clk[j:j + 1] for j in range(GRAPH_STEPS)]
        self.d_dptr = [dev(a) for a in cn.s_dptr]
        self.d_udelay = [dev(a) for a in cn.s_udelay]
        self.d_post = [dev(a) for a in cn.s_post]
        self.plastic = [s.plasticity is not None for s in cn.synapses]
        self.changing = set(k for k, p in enumerate(self.plastic) if p) | set(int(x) for x in cn.norm_info[:, 0])
        self.d_rev = {k: (dev(cn.s_rev_ptr[k]), dev(cn.s_rev_syn[k]), dev(cn.s_rev_block[k]))
                      for k in range(len(cn.synapses)) if k in self.changing}
        # everything a user or a restore() may change between runs
        self._mutable(allocate=True)
        self.d_target = [self.d_state[gpost][t] for (_, gpost, t) in cn.syn_info]
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
        """Copy states, parameters, inputs, weights and plasticity state to the device (allocating them once)."""
        cn, f = self.cn, self.dtype
        put = _Uploader(allocate)
        fl = lambda name, arrays: put.all(self, name, arrays, f)          # noqa: E731
        same = lambda name, arrays: put.all(self, name, arrays, None)     # noqa: E731
        fl("d_state", cn.state)
        fl("d_params", cn.params)
        fl("d_coef", cn.coef)
        fl("d_cur", cn.current)
        same("d_last", cn.lastspike)
        same("d_ref", cn.ref_steps)
        fl("d_theta", cn.theta)
        same("d_pnext", cn.p_next)
        same("d_pdraws", cn.p_draws)
        same("d_plog", cn.p_log1mp)
        same("d_evstep", cn.ev_step)
        put.all(self, "d_evidx", cn.ev_idx, np.int32)
        # weights: static ones only when written on the host since the last upload (Synapses._w_version)
        if allocate:
            self.d_w = [put.one(None, w, f) for w in cn.s_w]
        else:
            if len(self.d_w) != len(cn.s_w):
                raise _ShapeChanged
            for k, w in enumerate(cn.s_w):
                if k in self.changing or cn.synapses[k]._w_version != self._w_seen[k]:
                    self.d_w[k] = put.one(self.d_w[k], w, f)
        self._w_seen = [s._w_version for s in cn.synapses]
        self.err = put.one(None if allocate else self.err, np.array([NEVER], np.int64))
        self.err_ring = put.one(None if allocate else self.err_ring, np.full(max(1, len(cn.synapses)), NEVER, np.int64))
        if allocate:
            self.d_rule = {k: {} for k, p in enumerate(self.plastic) if p}
        for k, r in self.d_rule.items():
            for key, host, dtype in (("info", cn.s_rule_info[k], None), ("par", cn.s_rule_par[k], None),
                                     ("table", cn.s_decay_table[k], f), ("xpre", cn.s_trace_pre[k], f),
                                     ("tpre", cn.s_trace_pre_step[k], None), ("xpost", cn.s_trace_post[k], f),
                                     ("tpost", cn.s_trace_post_step[k], None), ("ring_pre", cn.s_ring_pre[k], None),
                                     ("ring_pos_pre", cn.s_ring_pre_pos[k], None),
                                     ("ring_post", cn.s_ring_post[k], None),
                                     ("ring_pos_post", cn.s_ring_post_pos[k], None)):
                r[key] = put.one(r.get(key), host, dtype)
            if allocate:   # scratch: per block / per post neuron, a factor from the first to the second half
                r["fac_pre"] = cuda.device_array(max(1, cn.s_trace_pre_step[k].size), dtype=f)
                r["fac_post"] = cuda.device_array(max(1, cn.s_trace_post_step[k].size), dtype=f)

    def refresh(self):
        """Make this engine ready for another run of the same built network.

        Copies everything that may have changed on the host into the existing
        device arrays (so a recorded CUDA graph stays valid).  Returns False
        when an array changed shape (the caller then builds a new engine).
        """
        t0 = time.perf_counter()
        try:
            self._mutable(allocate=False)
        except _ShapeChanged:
            return False
        self._uploaded = False
        steps = self._plan()
        key = self._scalars(steps)
        if key != self._plan_key:          # a parameter baked into the launches changed: record anew
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
        self.spk = {}
        for g in cn.spike_groups:
            # room for 64 steps in which every neuron fires: checks (below) never let the buffer overflow
            cap = max(1 << (10 if K.SIMULATOR else 20), 64 * max(1, cn.groups[g].N))
            self.spk[g] = (cuda.device_array(cap, np.int32), cuda.device_array(cap, np.int64),
                           cuda.to_device(np.zeros(1, np.int64)), cap)
        self.max_chunk = MAX_CHUNK
        self.sm_buf = []
        for m in cn.state_monitors:
            per_row = m.var_index.size * m.record.size * f.itemsize
            rows = max(1, min(MAX_CHUNK // m.every + 2, MONITOR_BYTES // max(per_row, 1)))
            self.max_chunk = min(self.max_chunk, max(1, (rows - 1) * m.every))
            self.sm_buf.append((cuda.device_array((rows, m.var_index.size, m.record.size), f),
                                cuda.to_device(m.var_index), cuda.to_device(m.record), cuda.to_device(np.zeros(1, np.int64))))
        self.wm_buf = []
        for m, pos, req in zip(cn.weight_monitors, cn.wm_pos, cn.wm_steps):
            per_row = max(1, pos.size) * f.itemsize
            rows = max(1, min((MAX_CHUNK // m.every + 2) if m.every else max(1, req.size), MONITOR_BYTES // per_row))
            if m.every:
                self.max_chunk = min(self.max_chunk, max(1, (rows - 1) * m.every))
            self.wm_buf.append((cuda.device_array((rows, pos.size), f), cuda.to_device(pos),
                                cuda.to_device(req if req.size else np.zeros(1, np.int64)),
                                cuda.to_device(np.zeros(1, np.int64)), rows))
        self.rm_buf = [cuda.device_array(MAX_CHUNK, np.int64) for _ in cn.rate_monitors]
        self.rm_base = cuda.to_device(np.zeros(1, np.int64))

    # ------------------------------------------------------------------ one step
    def _fused_reset(self, g):
        """Whether group g's reset can run in its neuron kernel, right after the threshold test.

        The cpu backend resets after delivering the step's spikes; resetting earlier gives the same numbers
        when no synapse delivers into a variable the reset writes (v, the model's increment variable).
        """
        cn = self.cn
        written = {0, int(cn.info[g, INFO_INCR_VAR])}
        return not any(int(gpost) == g and int(t) in written for (_, gpost, t) in cn.syn_info)

    def _plan(self):
        """The launches of one step: (kernel, blocks, threads, args), each args starting with the step counter.

        The step counter advance (:func:`kernels.tick`) is not part of it: :meth:`_launch_step` adds it.
        """
        cn, dt = self.cn, self.cn.dt
        steps = []
        none_i, none_s, none_c = (cuda.device_array(0, np.int32), cuda.device_array(0, np.int64),
                                  cuda.device_array(0, np.int64))
        for m, (buf, vi, idx, base) in zip(cn.state_monitors, self.sm_buf):
            g = self.cn.group_index[id(m.group)]
            steps.append((K.record_state, _blocks(vi.size * idx.size), THREADS,
                          (self.clk, int(m.every), base, self.d_state[g], vi, idx, buf)))
        for k, (m, (buf, pos, req, base, _)) in enumerate(zip(cn.weight_monitors, self.wm_buf)):
            s = int(cn.wm_info[k, 0])
            steps.append((K.record_weights, _blocks(pos.size), THREADS,
                          (self.clk, int(m.every or 0), req, base, self.d_w[s], pos, buf)))
        for g, info in enumerate(cn.info):
            N = cn.groups[g].N
            mon = self.spk[g][:3] if g in self.spk else (none_i, none_s, none_c)
            ring = (self.d_hist[g], self.d_hist_n[g], self.d_hist_step[g])
            if info[INFO_MODEL] == POISSON:
                steps.append((K.poisson_step, _blocks(N), THREADS,
                              (self.clk, self.d_pnext[g], self.d_pdraws[g], self.d_plog[g], np.uint64(cn.keys[g]),
                               self.d_last[g]) + ring + mon))
            elif info[INFO_MODEL] == SPIKEGEN:
                steps.append((K.generator_step, _blocks(N), THREADS,
                              (self.clk, self.d_evstep[g], self.d_evidx[g], self.d_last[g]) + ring + mon))
            else:
                cur = self.d_cur[g]
                steps.append((K.neuron_step, _blocks(N), THREADS,
                              (self.clk, int(info[INFO_MODEL]), int(info[INFO_METHOD]), self.d_state[g],
                               self.d_params[g], self.d_coef[g], self.d_last[g], self.d_ref[g],
                               bool(info[INFO_UNIFORM]), cur,
                               int(cn.current_div[g]), int(info[INFO_I_ROW]), int(info[INFO_VTH]), dt,
                               self.d_theta[g], float(cn.theta_par[g, 0])) + ring + mon + (self.err,)
                              + (self._fused_reset(g),) + self._reset_args(g)))
        for s, (gpre, gpost, _) in enumerate(cn.syn_info):
            ring = (self.d_hist[gpre], self.d_hist_n[gpre], self.d_hist_step[gpre])
            syn = (self.d_dptr[s], self.d_udelay[s], self.d_post[s], self.d_w[s], self.d_target[s])
            nb = _blocks(cn.groups[gpre].N)
            if not self.plastic[s]:
                steps.append((K.deliver, nb, THREADS, (self.clk,) + ring + syn))
                continue
            r = self.d_rule[s]
            steps.append((K.pre_heads, nb, THREADS,
                          (self.clk, dt) + ring + (self.d_udelay[s], r["info"], r["par"], r["table"], r["xpre"],
                                                   r["tpre"], r["ring_pre"], r["ring_pos_pre"], r["fac_pre"],
                                                   self.err_ring, s)))
            if cn.s_rule_info[s][0] == RULE_HEBBIAN:   # no weight change at a spike: plain delivery
                steps.append((K.deliver, nb, THREADS, (self.clk,) + ring + syn))
            else:
                steps.append((K.deliver_plastic, nb, THREADS,
                              (self.clk, dt) + ring + syn + (r["info"], r["par"], r["table"], r["xpost"], r["tpost"],
                                                             r["ring_post"], r["fac_pre"])))
        for s, (gpre, gpost, _) in enumerate(cn.syn_info):
            if not self.plastic[s]:
                continue
            r = self.d_rule[s]
            rev_ptr, rev_syn, rev_block = self.d_rev[s]
            nb = _blocks(cn.groups[gpost].N)
            steps.append((K.post_heads, nb, THREADS,
                          (self.clk, dt, self.d_hist[gpost], self.d_hist_n[gpost], r["info"], r["par"], r["table"],
                           r["xpost"], r["tpost"], r["ring_post"], r["ring_pos_post"], r["fac_post"], self.err_ring,
                           s)))
            if cn.s_rule_info[s][0] != RULE_HEBBIAN:
                steps.append((K.post_side, nb, THREADS,
                              (self.clk, dt, self.d_hist[gpost], self.d_hist_n[gpost], self.d_w[s], r["info"],
                               r["par"], r["table"], r["xpre"], r["tpre"], rev_ptr, rev_syn, rev_block,
                               r["ring_pre"], r["fac_post"])))
            else:   # rate rules: weights change every `interval` steps, not at spikes
                interval = int(cn.s_rule_info[s][4])
                steps.append((K.rate_post, nb, THREADS,
                              (self.clk, interval, dt, r["par"], r["table"], r["xpost"], r["tpost"])))
                steps.append((K.rate_blocks, _blocks(self.d_dptr[s].size), THREADS,
                              (self.clk, interval, dt, self.d_dptr[s], self.d_post[s], self.d_w[s], r["par"],
                               r["table"], r["xpre"], r["tpre"], r["xpost"])))
                if cn.s_rule_par[s][5] == VARIANT_BCM:
                    steps.append((K.rate_bcm, _blocks(cn.groups[gpost].N), THREADS,
                                  (self.clk, interval, r["par"], r["xpost"])))
        for g, info in enumerate(cn.info):
            if info[INFO_MODEL] in (POISSON, SPIKEGEN) or self._fused_reset(g):
                continue
            r_row, subtract, incr_var, incr_row, theta_plus = self._reset_args(g)
            steps.append((K.reset, _blocks(cn.groups[g].N), THREADS,
                          (self.clk, self.d_state[g], self.d_params[g], r_row, int(info[INFO_VTH]), subtract,
                           incr_var, incr_row, self.d_hist[g], self.d_hist_n[g], self.d_theta[g], theta_plus)))
        for r, g in enumerate(cn.rm_group):
            steps.append((K.store_count, 1, 1, (self.clk, self.d_hist_n[g], self.rm_base, self.rm_buf[r])))
        for k in range(cn.norm_info.shape[0]):
            s, every = int(cn.norm_info[k, 0]), int(cn.norm_info[k, 1])
            rev_ptr, rev_syn, _ = self.d_rev[s]
            steps.append((K.normalize, _blocks(rev_ptr.size - 1), THREADS,
                          (self.clk, every, self.d_w[s], rev_ptr, rev_syn, float(cn.norm_total[k]))))
        return steps

    def _reset_args(self, g):
        """Group g's reset arguments: (reset row, by subtraction, increment variable and row, threshold step)."""
        info = self.cn.info[g]
        return (int(info[INFO_VRESET]), bool(info[INFO_SUBTRACT]), int(info[INFO_INCR_VAR]), int(info[INFO_INCR_ROW]),
                float(self.cn.theta_par[g, 1]))

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
        for (_, _, c, _) in self.spk.values():
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
                               for g, (_, _, c, cap) in self.spk.items())
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
        spikes = []
        for g in cn.spike_groups:
            bi, bs, c, cap = self.spk[g]
            k = min(int(c.copy_to_host()[0]), cap)
            i = bi[:k].copy_to_host() if k else np.zeros(0, np.int32)
            st = bs[:k].copy_to_host() if k else np.zeros(0, np.int64)
            keep = st < end
            if not keep.all():
                i, st = i[keep], st[keep]
            spikes.append(sort_spikes(i, st, cn.groups[g].N))
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
        """Copy states, histories, sources, plastic weights and traces back into the compiled arrays."""
        cn = self.cn
        for g in range(len(cn.groups)):
            if cn.state[g].size:
                cn.state[g][...] = self.d_state[g].copy_to_host()
            cn.lastspike[g][...] = self.d_last[g].copy_to_host()
            if cn.theta[g].size:
                cn.theta[g][...] = self.d_theta[g].copy_to_host()
            if cn.p_next[g].size:
                cn.p_next[g][...] = self.d_pnext[g].copy_to_host()
                cn.p_draws[g][...] = self.d_pdraws[g].copy_to_host()
            if cn.info[g, INFO_MODEL] == SPIKEGEN:
                cn.cursor[g][0] = np.searchsorted(cn.ev_step[g], n_end, side="left")
            D, Dd = cn.hist_n[g].size, self.D[g]
            hist, hist_n, hist_step = (self.d_hist[g].copy_to_host(), self.d_hist_n[g].copy_to_host(),
                                       self.d_hist_step[g].copy_to_host())
            cn.hist_step[g][:] = EMPTY_STEP
            cn.hist_n[g][:] = 0
            for p in range(n_end - D, n_end):
                k = p % Dd
                if hist_step[k] == p:
                    c = int(hist_n[k])
                    cn.hist[g][p % D, :c] = hist[k, :c]
                    cn.hist_n[g][p % D], cn.hist_step[g][p % D] = c, p
        for s in self.changing:
            cn.s_w[s][...] = self.d_w[s].copy_to_host()
        for s, r in self.d_rule.items():
            for name, key in (("trace_pre", "xpre"), ("trace_pre_step", "tpre"), ("trace_post", "xpost"),
                              ("trace_post_step", "tpost"), ("ring_pre", "ring_pre"), ("ring_pre_pos", "ring_pos_pre"),
                              ("ring_post", "ring_post"), ("ring_post_pos", "ring_pos_post")):
                host = getattr(cn, "s_" + name)[s]
                if host.size:
                    host[...] = r[key].copy_to_host()

    def _first_bad(self):
        for g, x in enumerate(self.cn.state):
            bad = ~np.isfinite(x).all(axis=0)
            if x.size and bad.any():
                return g, int(np.flatnonzero(bad)[0])
        return 0, 0
