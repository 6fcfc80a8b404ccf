"""Property: save -> load (into a network built with another seed) -> run equals the uninterrupted run.

Random small networks with plasticity, delays and monitors (hypothesis, derandomised so the suite is
reproducible); more examples under ``-m slow``.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikesim import (Network, NeuronGroup, PoissonGroup, PopulationRateMonitor, SpikeMonitor, StateMonitor,
                      Synapses, WeightMonitor)
from spikesim.plasticity import STDP
from spikesim.units import mV, ms

SPEC = st.fixed_dictionaries({
    "n_in": st.integers(3, 12), "n_out": st.integers(1, 8), "rate": st.floats(20.0, 300.0),
    "p": st.sampled_from([0.1, 0.5, 0.9, 1.0]), "max_delay": st.floats(0.0, 3.0),
    "plastic": st.booleans(), "recurrent": st.booleans(),
    "t1": st.integers(1, 60), "t2": st.integers(1, 60), "seed": st.integers(0, 2 ** 32),
})


def _build(spec, seed):
    P = PoissonGroup(spec["n_in"], rates=spec["rate"], name="inp")
    G = NeuronGroup(spec["n_out"], "lif_cuba", v=lambda r, n: r.uniform(-60, -50, n) * mV, refractory=1 * ms,
                    name="out")
    rule = STDP(A_plus=0.3 * mV, A_minus=-0.3 * mV, w_max=4 * mV) if spec["plastic"] else None
    d = spec["max_delay"]
    S = Synapses(P, G, "ge", weight=lambda r, n: r.uniform(0, 3, n) * mV, plasticity=rule,
                 delay=lambda r, n: r.uniform(0, d, n) * ms, name="ff").connect(p=spec["p"])
    objs = [P, G, S]
    if spec["recurrent"]:
        objs.append(Synapses(G, G, "gi", weight=-1 * mV, delay=0.5 * ms, name="rec").connect(p=0.5, autapses=False))
    mons = [SpikeMonitor(P, name="sp_in"), SpikeMonitor(G, name="sp_out"), StateMonitor(G, "v", name="v"),
            PopulationRateMonitor(G, name="rate"), WeightMonitor(S, every=5, name="w")]
    return Network(*objs, *mons, seed=seed), S, mons


def _outputs(S, mons):
    sp_in, sp_out, v, rate, w = mons
    return [sp_in.i, sp_in.step, sp_out.i, sp_out.step, v.v, rate.rate, w.w, S.w]


def check(spec, tmp_path):
    a, Sa, ma = _build(spec, spec["seed"])
    a.run(spec["t1"] * 0.1 * ms, backend="cpu", progress=False)
    a.save(tmp_path / "state.npz")
    a.run(spec["t2"] * 0.1 * ms, backend="cpu", progress=False)
    b, Sb, mb = _build(spec, spec["seed"] + 1)          # another seed: the file's replaces it
    b.load(tmp_path / "state.npz")
    b.run(spec["t2"] * 0.1 * ms, backend="cpu", progress=False)
    assert b.step == a.step and b.seed == a.seed
    for x, y in zip(_outputs(Sa, ma), _outputs(Sb, mb)):
        np.testing.assert_array_equal(x, y)


@settings(derandomize=True, max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=SPEC)
def test_save_load_continues_like_one_run(spec, tmp_path):
    check(spec, tmp_path)


@pytest.mark.slow
@settings(derandomize=True, max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=SPEC)
def test_save_load_continues_like_one_run_many(spec, tmp_path):
    check(spec, tmp_path)
