"""spikesim.compare.brian2 on small networks (Brian2 numpy target)."""
import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest

from spikesim import Network, NeuronGroup, PoissonGroup, StateMonitor, Synapses
from spikesim.plasticity import STDP, Hebb, TripletSTDP
from spikesim.plasticity.homeostasis import AdaptiveThreshold, Normalization
from spikesim.units import mV, ms, nA

pytestmark = pytest.mark.brian2
pytest.importorskip("brian2")

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[1] / "experiments"
sys.path.insert(0, str(EXPERIMENTS))

from spikesim.compare.brian2 import compare, to_brian2, van_rossum  # noqa: E402


def _exp(name):
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name, n, duration", [("cuba", 300, 0.1), ("coba", 300, 0.1), ("delays", 300, 0.1)])
def test_small_acceptance_networks_identical(name, n, duration):
    net, P, M = _exp(name).build(n=n, seed=3)
    net.add(StateMonitor(P, P.variables, record=[0, 5, 9]))
    r = compare(net, duration)
    assert r.identical_spikes and r.n_spikes_spikesim > 20
    assert r.first_divergence_s is None and r.n_differing_spikes == 0
    assert r.max_state_rel_err <= 1e-12


def test_song2000_short_identical():
    song = _exp("song2000")
    net = song.build(seed=5)[0]
    r = compare(net, 0.5)
    assert r.identical_spikes and r.n_spikes_spikesim > 5
    assert r.max_weight_abs_err <= 1e-12 * song.G_MAX


def test_changed_weight_is_reported_with_its_divergence_time():
    cuba = _exp("cuba")
    net, P, M = cuba.build(n=300, seed=4)
    net.build()
    ref_net, *_ = cuba.build(n=300, seed=4)
    ref_net.run(0.1, progress=False)
    t_ref = {tuple(x) for x in zip(ref_net.objects[-1].step.tolist(), ref_net.objects[-1].i.tolist())}
    # change one excitatory weight in spikesim only, after the Brian2 copy is taken: emulate by
    # exporting, then changing spikesim's weight before its own run
    from spikesim.compare import brian2 as cmp
    Ce = net.objects[1]
    original = Ce.w
    changed = original.copy()
    changed[0] *= 3.0
    src = int(Ce.i[0])
    real_to_brian2 = cmp.to_brian2

    def patched(n, **kw):
        Ce.w = original                       # Brian2 gets the original weight
        try:
            return real_to_brian2(n, **kw)
        finally:
            Ce.w = changed
    Ce.w = changed
    cmp.to_brian2 = patched
    try:
        r = cmp.compare(net, 0.1)
    finally:
        cmp.to_brian2 = real_to_brian2
    assert not r.identical_spikes and r.n_differing_spikes > 0
    # the first difference can only come after the source's first spike reaches the target
    first_src_spike = min(s for s, i in t_ref if i == src) * 1e-4
    assert r.first_divergence_s > first_src_spike
    ours = {tuple(x) for x in r.details["spikes_spikesim"][:, [0, 2]].tolist()}
    theirs = {tuple(x) for x in r.details["spikes_brian2"][:, [0, 2]].tolist()}
    first_diff = min(s for s, _ in ours ^ theirs) * 1e-4
    assert r.first_divergence_s == pytest.approx(first_diff)


def test_plastic_rules_and_models_translate():
    inp = PoissonGroup(40, rates=40.0)
    izh = NeuronGroup(5, "izhikevich", I=10 * mV)
    adex = NeuronGroup(5, "adex", method="rk2", I=0.7 * nA, refractory=2 * ms)
    cuba = NeuronGroup(6, "lif_cuba", El=-49.5 * mV, tau_m=np.linspace(15, 25, 6) * ms,
                       adaptive_threshold=AdaptiveThreshold(1 * mV, 50 * ms), refractory=[1 * ms] * 3 + [2 * ms] * 3)
    S1 = Synapses(inp, cuba, "ge", weight=lambda r, n: r.uniform(0, 1, n) * mV,
                  plasticity=STDP(A_plus=0.05 * mV, A_minus=-0.05 * mV, w_max=1 * mV, pairing="nearest",
                                  bounds="soft", mu=0.5), delay=lambda r, n: r.uniform(0, 2, n) * ms).connect(p=0.5)
    S2 = Synapses(inp, izh, "v", weight=lambda r, n: r.uniform(0, 2, n) * mV,
                  plasticity=TripletSTDP.preset("visual_nearest", w_max=2 * mV)).connect(p=0.5)
    S3 = Synapses(cuba, adex, "v", weight=2 * mV).connect()
    V = StateMonitor(cuba, ("v", "ge"), record=[0, 3])
    net = Network(inp, izh, adex, cuba, S1, S2, S3, V, seed=8)
    r = compare(net, 0.1)
    assert r.identical_spikes, str(r)
    assert r.n_spikes_spikesim > 30
    assert r.max_weight_abs_err < 1e-12
    assert r.max_state_rel_err < 1e-9


def test_untranslatable_objects_raise():
    G = NeuronGroup(3)
    S = Synapses(G, G, plasticity=STDP(window="rectangular")).connect()
    net = Network(G, S)
    net.build()
    with pytest.raises(NotImplementedError, match="spike-window rules"):
        to_brian2(net)
    H = NeuronGroup(3)
    S2 = Synapses(H, H, plasticity=Hebb(eta=1.0)).connect()
    with pytest.raises(NotImplementedError, match="Hebb"):
        to_brian2(Network(H, S2))
    K = NeuronGroup(3)
    S3 = Synapses(K, K).connect()
    with pytest.raises(NotImplementedError, match="Normalization"):
        to_brian2(Network(K, S3, Normalization(S3, 1.0, 1 * ms)))
    with pytest.raises(ValueError, match="mode must be"):
        to_brian2(net, mode="fuzzy")
    with pytest.raises(ValueError, match="has not been run"):
        n2 = Network(NeuronGroup(2))
        n2.run(1 * ms, progress=False)
        compare(n2, 0.01)


def test_van_rossum_distance():
    assert van_rossum([0.1, 0.2], [0.1, 0.2], 0.01) == 0.0
    # one extra spike: D^2 = 1/2 (one kernel of unit energy... times tau normalisation)
    assert van_rossum([0.1], [], 0.01) == pytest.approx(np.sqrt(0.5))
    assert van_rossum([0.1], [0.1005], 0.01) < van_rossum([0.1], [0.11], 0.01)


def test_compare_cli_writes_report(tmp_path):
    from spikesim.cli import main
    main(["compare", "cuba", "--n", "200", "--duration", "0.05", "--out", str(tmp_path)])
    rep = json.loads((tmp_path / "report.json").read_text())
    for key in ("identical_spikes", "n_spikes_spikesim", "n_spikes_brian2", "first_divergence_s",
                "max_state_abs_err", "max_state_rel_err", "max_weight_abs_err", "spikesim_sim_s", "brian2_sim_s"):
        assert key in rep
    assert rep["identical_spikes"] is True and rep["max_state_abs_err"] == 0.0
    assert (tmp_path / "comparison.png").stat().st_size > 5000


def test_coba_exponential_euler_matches_brian2_with_large_conductances():
    """Brian2's exponential_euler; conductances large enough that forward Euler would blow up."""
    inp = PoissonGroup(30, rates=200.0)
    G = NeuronGroup(8, "lif_coba", method="exponential_euler", El=-65 * mV, Ee=0.0, Ei=-100 * mV, gl=1.0,
                    Cm=100 * ms, tau_e=1 * ms, tau_i=2 * ms, v_th=-52 * mV, v_reset=-65 * mV, refractory=5 * ms)
    inh = PoissonGroup(2, rates=20.0)
    Se = Synapses(inp, G, "ge", weight=lambda r, n: r.uniform(0, 1.0, n)).connect(p=0.7)
    Si = Synapses(inh, G, "gi", weight=600.0).connect()
    V = StateMonitor(G, ("v", "ge", "gi"), record=[0, 5])
    net = Network(inp, inh, G, Se, Si, V, dt=0.5 * ms, seed=4)
    r = compare(net, 0.2)
    assert r.identical_spikes, str(r)
    assert r.n_spikes_spikesim > 10
    assert r.max_state_rel_err < 1e-9
