import matplotlib.pyplot as plt
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, PopulationRateMonitor, SpikeMonitor, StateMonitor
from spikesim import plot
from spikesim.units import mV, ms


@pytest.fixture(scope="module")
def recorded():
    A = NeuronGroup(20, "lif_cuba", I=np.linspace(5, 20, 20) * mV, El=-60 * mV, v_th=-50 * mV, name="exc")
    B = NeuronGroup(10, "lif_cuba", I=15 * mV, El=-60 * mV, v_th=-50 * mV, name="inh")
    Ma, Mb, S, R = SpikeMonitor(A), SpikeMonitor(B), StateMonitor(A, "v", record=[0, 19]), PopulationRateMonitor(A)
    Network(A, B, Ma, Mb, S, R).run(200 * ms, progress=False)
    return Ma, Mb, S, R


def test_raster_two_populations_with_rate(recorded, tmp_path):
    Ma, Mb, S, R = recorded
    fig, ax = plt.subplots()
    art = plot.raster([Ma, Mb], ax=ax, with_rate=True)
    offsets = art.get_offsets()
    assert offsets.shape[0] == Ma.num_spikes + Mb.num_spikes
    assert offsets[:, 1].max() >= 20          # second population stacked above the first
    assert ax.rate_axes is not None and len(ax.rate_axes.patches) == 1  # one filled stairs patch
    assert len(set(map(tuple, art.get_facecolors()))) == 2
    for fmt in ("png", "pdf", "svg"):
        plot.savefig(fig, tmp_path / f"r.{fmt}")
        assert (tmp_path / f"r.{fmt}").stat().st_size > 1000
    plt.close(fig)


def test_raster_from_arrays_and_bad_input():
    art = plot.raster((np.array([0, 1, 1]), np.array([0.001, 0.002, 0.003])))
    assert art.get_offsets().shape == (3, 2)
    np.testing.assert_allclose(art.get_offsets()[:, 0], [1, 2, 3])
    with pytest.raises(TypeError, match="spikes must be"):
        plot.raster(["nope"])
    plt.close("all")


def test_traces_and_rate(recorded):
    Ma, Mb, S, R = recorded
    lines = plot.traces(S, "v", spikes=Ma, threshold=-50 * mV)
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), S.v[0] / mV)
    ln = plot.population_rate(R, smooth=10 * ms)
    assert ln.get_ydata().size == R.t.size and ln.get_ydata().mean() > 0
    with pytest.raises(TypeError, match="monitor must be a StateMonitor"):
        plot.traces(R)
    plt.close("all")


def test_no_show_called(recorded, monkeypatch):
    called = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: called.append(1))
    plot.raster(recorded[0])
    plot.traces(recorded[2])
    plot.population_rate(recorded[3])
    assert not called
    plt.close("all")
