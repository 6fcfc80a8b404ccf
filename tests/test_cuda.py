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

SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {tests!r})
    from spikesim import (Network, NeuronGroup, PoissonGroup, PopulationRateMonitor, SpikeGeneratorGroup,
                          SpikeMonitor, StateMonitor, Synapses, InjectedCurrent)
    from spikesim.units import ms, mV, nA

    def build(dtype):
        rng = np.random.default_rng(3)
        inp = PoissonGroup(6, rates=400.0)
        gen = SpikeGeneratorGroup(3, [0, 1, 2, 0], [0.2 * ms, 0.3 * ms, 0.3 * ms, 1.0 * ms])
        cuba = NeuronGroup(7, "lif_cuba", El=-49 * mV, refractory=0.3 * ms,
                           v=lambda r, n: r.uniform(-60, -50, n) * mV)
        izh = NeuronGroup(4, "izhikevich", I=12 * mV)
        adex = NeuronGroup(3, "adex", method="rk2", I=0.8 * nA,
                           current=InjectedCurrent([0.0, 0.3e-9], sample_dt=1 * ms))
        ifs = NeuronGroup(3, "if_subtract", I=[0.2, 0.5, 0.9])
        syn = [Synapses(inp, cuba, "ge", weight=3 * mV, delay=lambda r, n: r.integers(0, 5, n) * 0.1 * ms).connect(p=0.6),
               Synapses(gen, izh, "v", weight=20 * mV, delay=0.2 * ms).connect(),
               Synapses(cuba, cuba, "gi", weight=-2 * mV).connect(p=0.4),
               Synapses(cuba, adex, "v", weight=4 * mV).connect(p=0.5)]
        mons = [SpikeMonitor(g) for g in (inp, gen, cuba, izh, adex, ifs)]
        st = StateMonitor(cuba, ("v", "ge"), record=[0, 3], every=2)
        rate = PopulationRateMonitor(cuba)
        net = Network(inp, gen, cuba, izh, adex, ifs, *syn, *mons, st, rate, seed=5)
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
    assert sum(x[0].size for x in a[0]) > 10
    assert np.allclose(a[1], b[1], rtol=1e-12, atol=0) and np.allclose(a[3], b[3], rtol=1e-12)
    assert np.array_equal(a[2], b[2])
    n64 = sum(x[0].size for x in a[0]); n32 = sum(x[0].size for x in c[0])
    assert abs(n64 - n32) <= max(2, 0.1 * n64), (n64, n32)
    assert np.allclose(a[3], c[3], rtol=1e-3, atol=2e-4)
    print("CUDA-OK", n64, n32)
""")


def test_cuda_backend_matches_cpu_under_the_simulator(tmp_path):
    script = tmp_path / "cuda_check.py"
    script.write_text(SCRIPT.format(tests=str(TESTS)))
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    assert "CUDA-OK" in r.stdout


def test_cuda_without_gpu_fails_at_once_with_a_clear_message():
    code = ("from spikesim import Network, NeuronGroup\n"
            "try:\n    Network(NeuronGroup(2)).run(0.001, backend='cuda', progress=False)\n"
            "except RuntimeError as e:\n    print('ERR', e)\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert "ERR backend='cuda'" in r.stdout, r.stdout + r.stderr


def test_plastic_networks_are_refused_clearly(tmp_path):
    code = textwrap.dedent("""
        from spikesim import Network, NeuronGroup, Synapses
        from spikesim.plasticity import STDP
        G = NeuronGroup(2)
        S = Synapses(G, G, plasticity=STDP()).connect()
        try:
            Network(G, S).run(0.0001, backend='cuda', progress=False)
        except NotImplementedError as e:
            print('NIE', e)
    """)
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert "NIE Synapses" in r.stdout and "plasticity" in r.stdout, r.stdout + r.stderr
