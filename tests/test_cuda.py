"""The cuda backend under numba's CUDA simulator (tiny networks), and its error without a GPU.

Each check runs in a subprocess: NUMBA_ENABLE_CUDASIM must be set before numba is imported.
"""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.cuda
pytest.importorskip("numba.cuda")

TESTS = pathlib.Path(__file__).resolve().parent


def _simulate(code, marker, timeout=900):
    """Run ``code`` in a fresh interpreter on numba's CUDA simulator; it must print ``marker``."""
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", NUMBA_DISABLE_JIT="1")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout)
    assert r.returncode == 0 and marker in r.stdout, r.stdout[-2000:] + r.stderr[-4000:]

SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {tests!r})
    from spikesim import (Network, NeuronGroup, PoissonGroup, PopulationRateMonitor, SpikeGeneratorGroup,
                          SpikeMonitor, StateMonitor, Synapses, TimedArray)
    from spikesim.units import ms, mV, nA

    QIF = "dv/dt = (k*(v - El)*(v - vt) + I_ext(t))/tau : volt (unless refractory)"

    def build(dtype):
        rng = np.random.default_rng(3)
        inp = PoissonGroup(6, rates=400.0)
        gen = SpikeGeneratorGroup(3, [0, 1, 2, 0], [0.2 * ms, 0.3 * ms, 0.3 * ms, 1.0 * ms])
        cuba = NeuronGroup(7, "lif_cuba", El=-49 * mV, refractory=0.3 * ms,
                           v=lambda r, n: r.uniform(-60, -50, n) * mV)
        izh = NeuronGroup(4, "izhikevich", I=12 * mV, method="rk4")
        adex = NeuronGroup(3, "adex", method="rk2", I=TimedArray([0.8e-9, 1.1e-9], dt=1 * ms))
        hh = NeuronGroup(3, "hh", v=lambda r, n: r.uniform(-70, -60, n) * mV)
        qif = NeuronGroup(4, QIF, threshold="v > -40*mV", reset="v = -65*mV", refractory="1*ms", k=40 / mV / ms,
                          El=-65 * mV, vt=-50 * mV, tau=1.0, I_ext=TimedArray([0.0, 0.4 * mV / ms], dt=1 * ms),
                          v=-60 * mV)
        ifs = NeuronGroup(3, "if_subtract", I=[0.2, 0.5, 0.9])
        pool = NeuronGroup(1, "maxpool")
        syn = [Synapses(inp, cuba, "ge", weight=3 * mV, delay=lambda r, n: r.integers(0, 5, n) * 0.1 * ms).connect(p=0.6),
               Synapses(gen, izh, "v", weight=20 * mV, delay=0.2 * ms).connect(),
               Synapses(cuba, cuba, "gi", weight=-2 * mV).connect(p=0.4),
               Synapses(cuba, adex, "v", weight=4 * mV).connect(p=0.5),
               Synapses(inp, hh, "ge", weight=20e-9).connect(p=0.5),
               Synapses(inp, qif, "w : volt", on_pre="v_post += w", w=3 * mV).connect(p=0.5)]
        syn += [Synapses(ifs, pool, f"c{{q}}", weight=1.0).connect(i=[q % 3], j=[0]) for q in range(4)]
        groups = (inp, gen, cuba, izh, adex, hh, qif, ifs, pool)
        mons = [SpikeMonitor(g) for g in groups]
        st = StateMonitor(cuba, ("v", "ge"), record=[0, 3], every=2)
        rate = PopulationRateMonitor(cuba)
        net = Network(*groups, *syn, *mons, st, rate, seed=5)
        net.cuda_dtype = dtype
        return net, mons, st, rate, cuba

    out = {{}}
    for backend, dtype in (("cpu", "float64"), ("cuda", "float64"), ("cuda", "float32")):
        net, mons, st, rate, cuba = build(dtype)
        net.run(2 * ms, backend=backend, progress=False)
        out[backend + dtype] = ([(m.i.copy(), m.step.copy()) for m in mons], st.v.copy(), rate.rate.copy(),
                                cuba.v.copy())
    a, b, c = out["cpufloat64"], out["cudafloat64"], out["cudafloat32"]
    for (i1, s1), (i2, s2) in zip(a[0], b[0]):
        assert np.array_equal(i1, i2) and np.array_equal(s1, s2), (i1, i2)
    assert sum(x[0].size for x in a[0]) > 10, [x[0].size for x in a[0]]
    assert np.allclose(a[1], b[1], rtol=1e-12, atol=0) and np.allclose(a[3], b[3], rtol=1e-12)
    assert np.array_equal(a[2], b[2])
    n64 = sum(x[0].size for x in a[0]); n32 = sum(x[0].size for x in c[0])
    assert abs(n64 - n32) <= max(2, 0.1 * n64), (n64, n32)
    assert np.allclose(a[3], c[3], rtol=1e-3, atol=2e-4)
    print("CUDA-OK", n64, n32)
""")


def test_cuda_backend_matches_cpu_under_the_simulator():
    _simulate(SCRIPT.format(tests=str(TESTS)), "CUDA-OK")


def _has_gpu():
    code = "from numba import cuda; print(int(cuda.is_available()))"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    return r.stdout.strip().endswith("1")


def test_cuda_without_gpu_fails_at_once_with_a_clear_message():
    if _has_gpu():
        pytest.skip("this machine has a GPU: the error path cannot be reached")
    code = ("from spikesim import Network, NeuronGroup\n"
            "try:\n    Network(NeuronGroup(2)).run(0.001, backend='cuda', progress=False)\n"
            "except RuntimeError as e:\n    print('ERR', e)\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert "ERR backend='cuda'" in r.stdout, r.stdout + r.stderr


PLASTIC = textwrap.dedent("""
    import numpy as np
    from spikesim import (Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                          Synapses, WeightMonitor)
    from spikesim.plasticity import BCM, STDP, Hebb, Oja, TripletSTDP, TRIPLET_PRESETS
    from spikesim.plasticity.homeostasis import AdaptiveThreshold, Normalization
    from spikesim.units import ms, mV

    def build(dtype):
        inp = PoissonGroup(12, rates=150.0, name="inp")
        gen = SpikeGeneratorGroup(2, [0, 1, 0, 1], [1 * ms, 1.5 * ms, 4 * ms, 6 * ms], name="gen")
        E = NeuronGroup(5, "lif_cuba", El=-52 * mV, tau_e=2 * ms, refractory=0.5 * ms,
                        adaptive_threshold=AdaptiveThreshold(theta_plus=1 * mV, tau_theta=20 * ms),
                        v=lambda r, n: r.uniform(-60, -50, n) * mV, name="E")
        F = NeuronGroup(3, "dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + I)/ms : volt (unless refractory)\\n"
                           "du/dt = a*(b*v - u) : volt\\nI : volt", threshold="v > 30*mV", reset="v = c; u += d",
                        a=0.02 / ms, b=0.2, c=-65 * mV, d=8 * mV, v=-65 * mV, u=-13 * mV, name="F")
        delay = lambda r, n: r.integers(0, 4, n) * 0.1 * ms
        w0 = lambda r, n: r.uniform(0.2, 0.8, n)
        s1 = Synapses(inp, E, "ge", weight=w0, delay=delay,
                      plasticity=STDP(A_plus=0.05, A_minus=-0.06, w_max=1.0, bounds="soft", mu=0.5),
                      name="s1").connect(p=0.7)
        s2 = Synapses(inp, E, "ge", weight=w0, plasticity=TripletSTDP(**TRIPLET_PRESETS["visual_nearest"]),
                      name="s2").connect(p=0.5)
        s3 = Synapses(inp, F, "v", weight=w0, plasticity=STDP(window="rectangular", pairing="all",
                      A_plus=0.02, A_minus=-0.02, max_spikes_in_window=16), name="s3").connect(p=0.6)
        s4 = Synapses(gen, F, "v", weight=0.5, plasticity=Hebb(eta=1e-3, decay=0.2, interval=0.5 * ms),
                      name="s4").connect()
        s5 = Synapses(inp, E, "gi", weight=w0, plasticity=Oja(eta=1e-4, w_min=-1), name="s5").connect(p=0.3)
        s6 = Synapses(inp, F, "v", weight=w0, plasticity=BCM(eta=1e-6, y0=20.0, tau_theta=0.05), name="s6"
                      ).connect(p=0.3)
        s7 = Synapses(E, F, "v", weight=2 * mV, name="s7").connect(p=0.5)
        # rules written as equations: per-synapse traces (as Brian2 stores them), a clock-driven variable,
        # a summed variable, a post pathway that writes a pre-synaptic variable, and a pathway whose write to a
        # neuron variable is not an addition (it runs in one thread on the GPU)
        s8 = Synapses(inp, E, '''w : 1
                      dx/dt = -x/(15*ms) : 1 (event-driven)
                      dy/dt = -y/(25*ms) : 1 (event-driven)
                      dg/dt = -g/(4*ms) : 1 (clock-driven)''',
                      on_pre="ge_post += w*mV*(1 + g)\\nx += 1\\nw = clip(w - 0.03*y, 0, 1)\\ng += 0.5",
                      on_post="y += 1\\nw = clip(w + 0.04*x*rand(), 0, 1)", w=w0, delay=delay, name="s8").connect(p=0.5)
        s9 = Synapses(E, F, "c : 1\\nI_post = c*0.1*mV : volt (summed)", on_pre="c += 1\\nv_post *= 0.999",
                      on_post="c *= 0.5", name="s9").connect(p=0.6)
        norm = Normalization(s1, total=3.0, interval=2 * ms)
        wm1 = WeightMonitor(s1, every=7)
        wm2 = WeightMonitor(s2, times=[0.0, 2 * ms, 3.3 * ms, 9.9 * ms])
        mons = [SpikeMonitor(g) for g in (inp, E, F)]
        st = StateMonitor(E, ("v", "ge"), record=[0, 4], every=3)
        net = Network(inp, gen, E, F, s1, s2, s3, s4, s5, s6, s7, s8, s9, norm, wm1, wm2, *mons, st, seed=11)
        net.cuda_dtype = dtype
        return net, dict(mons=mons, st=st, wm=(wm1, wm2), syn=(s1, s2, s3, s4, s5, s6, s8, s9), E=E, F=F)

    res = {}
    for backend, dtype in (("cpu", "float64"), ("cuda", "float64"), ("cuda", "float32")):
        net, o = build(dtype)
        net.build()
        o["w0"] = [x._sx.copy() for x in o["syn"]]
        net.run(6 * ms, backend=backend, progress=False)
        net.run(4 * ms, backend=backend, progress=False, chunk_steps=17)
        res[backend + dtype] = o
    a, b, c = res["cpufloat64"], res["cudafloat64"], res["cudafloat32"]
    n = 0
    for ma, mb in zip(a["mons"], b["mons"]):
        assert np.array_equal(ma.i, mb.i) and np.array_equal(ma.step, mb.step), (ma.i, mb.i)
        n += ma.i.size
    assert n > 50 and a["mons"][1].i.size > 3 and a["mons"][2].i.size > 3, [m.i.size for m in a["mons"]]
    for sa, sb, sc, w0 in zip(a["syn"], b["syn"], c["syn"], a["w0"]):
        assert np.abs(sa._sx - w0).max() > 1e-3, sa.name      # the rule did change the weights
        for arr in ("_sx", "_bx", "_px", "lastupdate"):
            np.testing.assert_allclose(getattr(sb, arr), getattr(sa, arr), rtol=1e-12, atol=1e-14, err_msg=arr)
        np.testing.assert_allclose(sc._sx, sa._sx, rtol=0, atol=0.1)      # float32: spikes may shift
    np.testing.assert_allclose(b["F"].v, a["F"].v, rtol=1e-12)
    for wa, wb in zip(a["wm"], b["wm"]):
        assert np.array_equal(wa.step, wb.step) and wa.w.shape == wb.w.shape and wa.w.shape[0] >= 4
        np.testing.assert_allclose(wb.w, wa.w, rtol=1e-12, atol=1e-14)
    assert np.array_equal(a["st"].step, b["st"].step)
    np.testing.assert_allclose(b["st"].v, a["st"].v, rtol=1e-12)
    np.testing.assert_allclose(b["E"].theta, a["E"].theta, rtol=1e-12)
    assert a["E"].theta.max() > 0
    print("PLASTIC-OK", n)
""")


def test_plasticity_homeostasis_and_weight_monitors_match_cpu_under_the_simulator():
    """Every rule (pair STDP soft bounds with delays, triplet, rectangular window, Hebb, Oja, BCM), adaptive
    thresholds, normalisation and weight monitors: cuda float64 gives the cpu spikes and weights to 1e-12."""
    _simulate(PLASTIC, "PLASTIC-OK")


def test_simulator_without_disabled_jit_is_refused_clearly():
    code = ("from spikesim import Network, NeuronGroup\n"
            "try:\n    Network(NeuronGroup(2)).run(0.001, backend='cuda', progress=False)\n"
            "except RuntimeError as e:\n    print('ERR', e)\n")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("NUMBA_DISABLE_JIT", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert "ERR" in r.stdout and "NUMBA_DISABLE_JIT" in r.stdout, r.stdout + r.stderr


def test_full_spike_buffers_end_chunks_without_losing_spikes():
    """Neurons firing at every step fill the device spike buffer: chunks end early, no spike is lost."""
    code = textwrap.dedent("""
        import numpy as np
        from spikesim import Network, NeuronGroup, SpikeMonitor
        out = []
        for backend in ("cpu", "cuda"):
            G = NeuronGroup(30, "if_subtract", I=1.5)
            M = SpikeMonitor(G)
            Network(G, M).run(0.03, backend=backend, progress=False)
            out.append((M.i.copy(), M.step.copy()))
        assert out[0][0].size > 3000
        assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])
        print("FULL-OK", out[0][0].size)
    """)
    _simulate(code, "FULL-OK")


def test_engine_reused_between_runs_sees_every_host_change():
    """Between runs the cuda engine is kept; weights, parameters and restored states set on the host count."""
    code = textwrap.dedent("""
        import numpy as np
        from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses
        from spikesim.plasticity import STDP
        from spikesim.units import ms, mV
        out = {}
        for backend in ("cpu", "cuda"):
            inp = PoissonGroup(10, rates=300.0)
            G = NeuronGroup(4, "lif_cuba", El=-49 * mV, tau_m=[2 * ms, 3 * ms, 4 * ms, 6 * ms])
            S = Synapses(inp, G, "ge", weight=2 * mV, plasticity=STDP(A_plus=0.1 * mV, A_minus=-0.1 * mV,
                                                                      w_max=5 * mV)).connect()
            M = SpikeMonitor(G)
            net = Network(inp, G, S, M, seed=2)
            net.run(3 * ms, backend=backend, progress=False)
            eng = getattr(net, "_cuda_engine", None)
            net.store()
            S.w = np.full(len(S), 4 * mV)             # weights set on the host
            G.El = -45 * mV                           # a parameter
            net.run(3 * ms, backend=backend, progress=False)
            if backend == "cuda":
                assert net._cuda_engine is eng        # reused, not rebuilt
            w_mid = S.w.copy()
            net.restore()                             # back to the stored state
            net.run(3 * ms, backend=backend, progress=False)
            out[backend] = (M.i.copy(), M.step.copy(), w_mid, S.w.copy(), G.v.copy())
        a, b = out["cpu"], out["cuda"]
        assert a[0].size > 5
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
        for x, y in zip(a[2:], b[2:]):
            np.testing.assert_allclose(y, x, rtol=1e-12, atol=1e-15)
        print("REUSE-OK", a[0].size)
    """)
    _simulate(code, "REUSE-OK")


def test_static_weights_are_uploaded_again_only_after_a_host_change():
    """Static weights stay on the device between runs unless set (S.w = ...) or restored to other values."""
    code = textwrap.dedent("""
        import numpy as np
        from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses
        from spikesim.backends.cuda import run as R
        from spikesim.units import ms, mV
        uploaded = []
        one = R._Uploader.one
        def spy(self, d, host, dtype=None):
            uploaded.append(host)
            return one(self, d, host, dtype)
        R._Uploader.one = spy
        def sent(a):
            return any(x is a for x in uploaded)
        out = {}
        for backend in ("cpu", "cuda"):
            inp = PoissonGroup(10, rates=300.0)
            G = NeuronGroup(4, "lif_cuba", El=-49 * mV, tau_m=3 * ms)
            S = Synapses(inp, G, "ge", weight=2 * mV).connect()
            M = SpikeMonitor(G)
            net = Network(inp, G, S, M, seed=3)
            net.run(3 * ms, backend=backend, progress=False)
            net.store()
            uploaded.clear()
            net.run(3 * ms, backend=backend, progress=False)          # nothing changed on the host
            if backend == "cuda":
                assert not sent(S._sx)
            S.w = np.linspace(1, 4, len(S)) * mV                       # set on the host: sent again
            uploaded.clear()
            net.run(3 * ms, backend=backend, progress=False)
            if backend == "cuda":
                assert sent(S._sx)
            net.restore()                                             # back to 2 mV: sent again
            uploaded.clear()
            net.run(3 * ms, backend=backend, progress=False)
            if backend == "cuda":
                assert sent(S._sx)
            net.restore()                                             # same values as now: not sent
            uploaded.clear()
            net.run(3 * ms, backend=backend, progress=False)
            if backend == "cuda":
                assert not sent(S._sx)
            out[backend] = (M.i.copy(), M.step.copy())
        a, b = out["cpu"], out["cuda"]
        assert a[0].size > 5
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
        print("STATIC-OK", a[0].size)
    """)
    _simulate(code, "STATIC-OK")


def test_converted_mlp_runs_on_cuda_like_on_cpu():
    code = textwrap.dedent("""
        import numpy as np
        from spikesim.bridges.ann_to_snn import SpikingClassifier
        rng = np.random.default_rng(0)
        layers = [(rng.normal(0, 0.3, (12, 8)), rng.normal(0, 0.05, 8)), (rng.normal(0, 0.3, (8, 3)), np.zeros(3))]
        X = rng.random((6, 12))
        res = {}
        for backend in ("cpu", "cuda"):
            clf = SpikingClassifier(layers, np.ones(2), batch_size=4, backend=backend)
            c, v = clf._scores(X, [30])
            res[backend] = (c[30], v[30])
        assert res["cpu"][0].sum() > 0
        assert np.array_equal(res["cpu"][0], res["cuda"][0])
        np.testing.assert_allclose(res["cuda"][1], res["cpu"][1], rtol=1e-12, atol=1e-14)
        print("CONVERTED-OK")
    """)
    _simulate(code, "CONVERTED-OK")


@pytest.mark.parametrize("N", [200, 70_000, 20_000_000])
@pytest.mark.parametrize("steps_in_order", [True, False])
def test_chunk_spikes_are_put_in_step_then_index_order(steps_in_order, N):
    """The host sort of a chunk's device spike buffer gives (step, index) order, as np.lexsort does.

    Steps 100-109 hold ~400 spikes each (radix sort), the others a few (insertion sort); N sets the
    number of index bytes sorted (1, 3, 4)."""
    import numpy as np
    from spikesim.backends.cuda.spike_order import sort_spikes
    rng = np.random.default_rng(5)
    st = np.sort(np.concatenate([rng.integers(100, 110, 4000), rng.integers(110, 400, 1000)])).astype(np.int64)
    i = rng.integers(0, N, st.size).astype(np.int32)
    if not steps_in_order:
        p = rng.permutation(st.size)
        st, i = st[p], i[p]
    order = np.lexsort((i, st))
    a, b = sort_spikes(i.copy(), st.copy(), N)
    assert a.dtype == np.int32 and b.dtype == np.int64
    assert np.array_equal(a, i[order]) and np.array_equal(b, st[order])
    for k in (0, 1):
        a, b = sort_spikes(i[:k].copy(), st[:k].copy(), N)
        assert np.array_equal(a, i[:k]) and np.array_equal(b, st[:k])


def test_graph_steps_give_the_cpu_trains():
    """The recorded-graph path (16 steps per launch, one counter tick) replayed under the simulator gives the cpu
    backend's spikes and states, across runs and a chunk cut short by a full spike buffer."""
    code = textwrap.dedent("""
        import numpy as np
        from spikesim import Network, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses
        from spikesim.backends.cuda import run as R
        from spikesim.units import ms, mV

        class Replay:            # stands in for a CUDA graph: launches what _build_graph would record
            launches = 0
            def __init__(self, eng):
                self.eng = eng
            def launch(self, stream):
                Replay.launches += 1
                self.eng._record(0)
            def sync(self):
                pass

        def build_graph(self):
            r = Replay(self)
            return r, r
        init = R.CudaEngine.__init__
        def init_with_graphs(self, *a, **k):
            init(self, *a, **k)
            self.use_graphs = True
        R.CudaEngine._build_graph = build_graph
        R.CudaEngine.__init__ = init_with_graphs

        def build():
            inp = PoissonGroup(8, rates=500.0)
            cuba = NeuronGroup(6, "lif_cuba", El=-45 * mV, tau_m=2 * ms, refractory=0.2 * ms,
                               v=lambda r, n: r.uniform(-60, -50, n) * mV)
            ifs = NeuronGroup(5, "if_subtract", I=[0.3, 0.45, 0.6, 0.8, 0.95])   # input onto v: reset not fused
            full = NeuronGroup(12, "if_subtract", I=1.5)     # fires every step: fills its buffer (85 steps here)
            syn = [Synapses(inp, cuba, "ge", weight=3 * mV, delay=lambda r, n: r.integers(1, 4, n) * 0.1 * ms
                            ).connect(p=0.7),
                   Synapses(cuba, ifs, "v", weight=0.35).connect(p=0.8),
                   Synapses(full, ifs, "v", weight=0.01).connect(p=0.5)]
            mons = [SpikeMonitor(g) for g in (cuba, ifs, full)]
            st = StateMonitor(ifs, "v", record=True)
            return Network(inp, cuba, ifs, full, *syn, *mons, st, seed=4), mons, st, (cuba, ifs, full)

        out = {}
        for backend in ("cpu", "cuda"):
            net, mons, st, groups = build()
            net.run(6 * ms, backend=backend, progress=False)      # 60 steps: graphs and single steps
            net.run(12.3 * ms, backend=backend, progress=False)   # engine reused; the full buffer ends a chunk
            out[backend] = [(m.i.copy(), m.step.copy()) for m in mons] + [st.v.copy()]
        a, b = out["cpu"], out["cuda"]
        assert Replay.launches >= 5, Replay.launches
        assert min(x[0].size for x in a[:3]) > 10, [x[0].size for x in a[:3]]
        for (i1, s1), (i2, s2) in zip(a[:3], b[:3]):
            assert np.array_equal(i1, i2) and np.array_equal(s1, s2)
        np.testing.assert_allclose(b[3], a[3], rtol=1e-12, atol=1e-14)
        print("GRAPH-OK", Replay.launches, [x[0].size for x in a[:3]])
    """)
    _simulate(code, "GRAPH-OK")


def test_gpu_test_scripts_finds_the_check_scripts_with_their_markers():
    """experiments/benchmarks/gpu_test_scripts.py reads SCRIPT and PLASTIC out of this file for a real-GPU run."""
    import importlib.util
    path = TESTS.parent / "experiments" / "benchmarks" / "gpu_test_scripts.py"
    spec = importlib.util.spec_from_file_location("gpu_test_scripts", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    scripts = mod.read_scripts()
    assert scripts["SCRIPT"] == SCRIPT and scripts["PLASTIC"] == PLASTIC
    for name, marker in mod.MARKERS.items():
        assert f'print("{marker}"' in scripts[name], name
