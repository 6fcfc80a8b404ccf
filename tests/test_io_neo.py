"""Monitors -> Neo -> SpikeGeneratorGroup reproduces the spikes; the Elephant page prints what it shows."""
import contextlib
import io
import pathlib
import re
import sys

import neo  # noqa: F401  (the test extra installs neo and elephant: missing, they fail the test rather than skip it)
import numpy as np
import pytest
import quantities as pq

from spikesim import Network, SpikeMonitor, StateMonitor
from spikesim.io.neo import quantity_unit, spike_generator, to_neo

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def cuba():
    sys.path.insert(0, str(ROOT / "experiments"))
    try:
        import cuba
        yield cuba
    finally:
        sys.path.remove(str(ROOT / "experiments"))


def test_monitors_to_neo_and_back_reproduce_the_spike_trains_exactly(cuba):
    net, P, M = cuba.build(n=400, seed=1)
    V = StateMonitor(P, "v", record=[0, 1, 2])
    net.add(V)
    net.run(0.2, progress=False)
    block = to_neo(net)                     # a segment per run
    net.run(0.1, progress=False)
    to_neo(net, block=block)
    first, second = block.segments
    assert len(first.spiketrains) == len(second.spiketrains) == 400
    st = first.spiketrains[7]
    assert (st.t_start, st.t_stop) == (0 * pq.s, 0.2 * pq.s) and st.units == pq.s
    assert second.spiketrains[7].t_start == 0.2 * pq.s and second.spiketrains[7].t_stop == pytest.approx(0.3 * pq.s)
    assert st.annotations["group"] == "P" and st.annotations["neuron"] == 7 and st.annotations["model"] == "lif_cuba"
    assert st.annotations["parameters"]["tau_m"] == 0.02 and st.annotations["units_of_parameters"]["tau_m"] == "second"
    np.testing.assert_array_equal(st.magnitude, M.t[(M.i == 7) & (M.t < 0.2)])
    v = second.analogsignals[0]
    assert v.units == pq.V and v.shape == (1000, 3) and v.t_start == pytest.approx(0.2 * pq.s)
    assert v.sampling_period == pytest.approx(1e-4 * pq.s)
    np.testing.assert_array_equal(v.array_annotations["neuron"], [0, 1, 2])
    np.testing.assert_array_equal(np.asarray(v.magnitude).T, V.v[:, 2000:])

    G = spike_generator(block, group="P", name="replay")
    assert G.N == 400
    R = SpikeMonitor(G)
    Network(G, R, dt=net.dt).run(0.3, progress=False)
    assert M.num_spikes > 100
    np.testing.assert_array_equal(R.i, M.i)
    np.testing.assert_array_equal(R.t, M.t)
    # one segment replayed from t = 0
    H = spike_generator(second, shift=-0.2)
    assert H.times.min() >= 0 and H.times.size == int(np.sum(M.t >= 0.2))


def test_units_of_brian2_expressions():
    assert quantity_unit("volt") == pq.V
    assert quantity_unit("1") == pq.dimensionless
    assert quantity_unit("siemens") == pq.S
    assert (1 * quantity_unit("amp/metre**2")).simplified == (1 * pq.A / pq.m ** 2).simplified
    # values are stored in SI: a variable declared in mvolt holds volts (Brian2's dimension of the name)
    assert (1 * quantity_unit("mvolt")).simplified == (1 * pq.V).simplified


def test_spike_generator_rejects_bad_input():
    with pytest.raises(ValueError, match="group='X'"):
        spike_generator([neo.SpikeTrain([0.1], units="s", t_stop=1.0, group="P", neuron=0)], group="X")
    with pytest.raises(ValueError, match="N must be at least 3"):
        spike_generator([neo.SpikeTrain([0.1], units="s", t_stop=1.0, neuron=2)], N=2)
    with pytest.raises(TypeError, match="Network"):
        to_neo(object())


def test_the_elephant_page_runs_and_prints_the_numbers_it_shows(monkeypatch):
    text = (ROOT / "docs" / "analysis.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    shown = re.findall(r"It prints:\n\n```text\n(.*?)```", text, flags=re.S)
    assert len(code) == 1 and len(shown) == 1
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code[0], "docs/analysis.md", "exec"), {"__name__": "analysis"})
    assert out.getvalue() == shown[0]
