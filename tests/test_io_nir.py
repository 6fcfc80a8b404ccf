"""spikesim <-> NIR: graphs written with nir's own classes run as hand-computed; converted networks round-trip."""
import nir  # the test extra installs nir: missing, it fails the test rather than skip it
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from spikesim.ann import MLP, lenet5_layers
from spikesim.ann.layers import Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential
from spikesim.bridges import ann_to_snn
from spikesim.io.nir import NIRUnsupportedError, from_nir, to_nir, write_nir


def _tiny_graph():
    """Two IF neurons driven by constant currents 0.3 and 0.45 per step, both onto one IF neuron."""
    return nir.NIRGraph(
        nodes={"input": nir.Input(input_type={"input": np.array([2])}),
               "fc1": nir.Affine(weight=np.array([[0.3, 0.0], [0.0, 0.45]]), bias=np.zeros(2)),
               "hidden": nir.IF(r=np.ones(2), v_threshold=np.ones(2), v_reset=np.zeros(2)),
               "fc2": nir.Linear(weight=np.array([[0.6, 0.5]])),
               "out": nir.IF(r=np.ones(1), v_threshold=np.ones(1), v_reset=np.zeros(1)),
               "output": nir.Output(output_type={"output": np.array([1])})},
        edges=[("input", "fc1"), ("fc1", "hidden"), ("hidden", "fc2"), ("fc2", "out"), ("out", "output")])


def test_a_graph_built_with_nir_classes_gives_the_hand_computed_spikes(tmp_path):
    nir.write(str(tmp_path / "tiny.nir"), _tiny_graph())
    m = from_nir(tmp_path / "tiny.nir", inputs=np.array([1.0, 1.0]))
    m.run(12)
    # By hand, steps n = 0..11.  Hidden 0 gains 0.3 a step: v = 0.3, 0.6, 0.9, 1.2 > 1 -> spikes at n = 3, 7, 11.
    # Hidden 1 gains 0.45: 0.45, 0.9, 1.35 -> spikes at n = 2, 5, 8, 11.  A spike of step n reaches the output
    # after the output's threshold of step n: v_out = 0.5 (n=2), 1.1 (n=3) -> spike at n = 4, reset; 0.5 (n=5),
    # 1.1 (n=7) -> spike at n = 8, where hidden 1's spike of that step arrives before the reset and is lost;
    # 1.1 at n = 11, checked at n = 12 (after the run).
    assert m.spike_counts("hidden").tolist() == [3, 4]
    assert m.spike_counts().tolist() == [2]
    assert m.monitors["hidden"].step.tolist() == [2, 3, 5, 7, 8, 11, 11]
    assert m.monitors["out"].step.tolist() == [4, 8]


def test_lif_node_is_the_forward_euler_step(tmp_path):
    g = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([1])}),
                            "w": nir.Linear(weight=np.array([[2.5]])),
                            "lif": nir.LIF(tau=np.array([0.01]), r=np.array([1.0]), v_leak=np.array([0.0]),
                                           v_threshold=np.array([1.0]), v_reset=np.array([0.0])),
                            "output": nir.Output(output_type={"output": np.array([1])})},
                     edges=[("input", "w"), ("w", "lif"), ("lif", "output")], metadata={"dt": 1e-3})
    m = from_nir(g, inputs=[1.0])
    assert m.dt == 1e-3
    m.run(20)
    # v <- v + dt/tau (0 - v + 2.5): 0.25, 0.475, 0.6775, 0.85975, 1.023775 > 1 at n = 4, then every 5 steps
    assert m.monitors["lif"].step.tolist() == [4, 9, 14, 19]


def test_spike_driven_network_exports_and_imports_with_the_same_spikes():
    def build(src):
        a = NeuronGroup(3, "if", v_th=1.0, v_reset=0.0, name="a")
        b = NeuronGroup(2, "if", v_th=0.8, v_reset=0.0, name="b")
        s1 = Synapses(src, a, "v", weight=[0.6, 0.5, 0.7, 0.4], name="s1").connect(i=[0, 1, 1, 0], j=[0, 1, 2, 2])
        s2 = Synapses(a, b, "v", weight=[0.9, 0.5, 0.5], name="s2").connect(i=[0, 1, 2], j=[0, 1, 1])
        return Network(src, a, b, s1, s2, SpikeMonitor(a), SpikeMonitor(b), seed=1), a, b

    times = np.arange(1, 40) * 1e-3
    idx = np.arange(times.size) % 2

    net, a, b = build(SpikeGeneratorGroup(2, idx, times, name="src"))
    Ma, Mb = [o for o in net.objects if isinstance(o, SpikeMonitor)]
    net.run(0.05)
    g = to_nir(net)
    assert isinstance(g.nodes["src"], nir.Input) and isinstance(g.nodes["a"], nir.IF)
    np.testing.assert_array_equal(g.nodes["s1"].weight, [[0.6, 0.0], [0.0, 0.5], [0.4, 0.7]])
    m = from_nir(g, inputs=SpikeGeneratorGroup(2, idx, times))
    m.run(500)
    assert Ma.num_spikes > 0 and Mb.num_spikes > 0
    np.testing.assert_array_equal(m.monitors["a"].i, Ma.i)
    np.testing.assert_array_equal(m.monitors["a"].step, Ma.step)
    np.testing.assert_array_equal(m.monitors["b"].step, Mb.step)


def _mlp():
    rng = np.random.default_rng(0)
    X = rng.random((300, 20))
    y = (X @ rng.standard_normal((20, 3))).argmax(1)
    return MLP(hidden=(16,), epochs=20, random_state=0).fit(X, y), X


def test_mlp_to_nir_to_spikesim_gives_the_spikes_of_the_direct_conversion(tmp_path):
    model, X = _mlp()
    snn = ann_to_snn(model, X[:100], reset="zero")
    g = write_nir(snn, tmp_path / "mlp.nir")
    assert [type(g.nodes[k]).__name__ for k in ("input", "layer0", "layer0_if", "layer2", "layer2_if", "output")] == \
        ["Input", "Affine", "IF", "Affine", "IF", "Output"]
    direct = snn.layer_spikes(X[0], timesteps=60)
    m = from_nir(tmp_path / "mlp.nir", inputs=X[0])
    m.run(60)
    for name, n, i, step in direct:
        assert i.size > 0
        np.testing.assert_array_equal(m.monitors[f"{name}_if"].i, i)
        np.testing.assert_array_equal(m.monitors[f"{name}_if"].step, step)


def _lenet_avg():
    net = Sequential(lenet5_layers()).build((1, 28, 28), rng=np.random.default_rng(1))
    X = np.random.default_rng(0).random((20, 1, 28, 28))
    return net, X


def test_lenet5_with_average_pooling_exports_to_nir(tmp_path):
    net, X = _lenet_avg()
    snn = ann_to_snn(net, X, reset="zero", pooling="average")
    write_nir(snn, tmp_path / "lenet5.nir")
    g = nir.read(str(tmp_path / "lenet5.nir"))
    kinds = {k: type(v).__name__ for k, v in g.nodes.items()}
    assert kinds["conv1"] == kinds["conv2"] == "Conv2d" and kinds["pool1"] == kinds["pool2"] == "AvgPool2d"
    assert kinds["fc3_if"] == "IF" and kinds["flatten6"] == "Flatten"
    np.testing.assert_array_equal(g.nodes["conv1"].weight, snn.network.parameters()["conv1.weight"])
    assert tuple(g.nodes["pool2_if"].v_threshold.shape) == (16, 5, 5)
    assert g.metadata["dt"] == pytest.approx(1e-4)


@pytest.mark.slow
def test_lenet5_average_pooling_round_trip_gives_the_same_spikes(tmp_path):
    net, X = _lenet_avg()
    snn = ann_to_snn(net, X, reset="zero", pooling="average")
    write_nir(snn, tmp_path / "lenet5.nir")
    direct = snn.layer_spikes(X[0], timesteps=20)
    m = from_nir(tmp_path / "lenet5.nir", inputs=X[0])
    m.run(20)
    for name, n, i, step in direct:
        np.testing.assert_array_equal(m.monitors[f"{name}_if"].i, i)
        np.testing.assert_array_equal(m.monitors[f"{name}_if"].step, step)


def test_what_does_not_map_raises_a_clear_error():
    model, X = _mlp()
    with pytest.raises(NIRUnsupportedError, match="reset by subtraction"):
        to_nir(ann_to_snn(model, X[:50]))                        # the default reset="subtract"
    small = Sequential([Conv2d(2, 3), ReLU(), MaxPool2d(2), Flatten(), Dense(2)]).build((1, 6, 6), rng=np.random.default_rng(0))
    with pytest.raises(NIRUnsupportedError, match="spiking max-pool"):
        to_nir(ann_to_snn(small, np.ones((2, 1, 6, 6)), reset="zero"))         # pooling="max"
    G = NeuronGroup(2, "lif_cuba", name="cuba")
    with pytest.raises(NIRUnsupportedError, match="'lif_cuba'"):
        to_nir(Network(G))
    H = NeuronGroup(2, "if_subtract", name="sub")
    with pytest.raises(NIRUnsupportedError, match="reset by subtraction"):
        to_nir(Network(H))
    g = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([1])}),
                            "delay": nir.Delay(delay=np.array([0.002])),
                            "if": nir.IF(r=np.ones(1), v_threshold=np.ones(1)),
                            "output": nir.Output(output_type={"output": np.array([1])})},
                     edges=[("input", "delay"), ("delay", "if"), ("if", "output")])
    with pytest.raises(NIRUnsupportedError, match="'delay': Delay"):
        from_nir(g, inputs=[1.0])
    with pytest.raises(ValueError, match="Input node"):
        from_nir(_tiny_graph())
    strided = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([1, 6, 6])}),
                                  "conv": nir.Conv2d(input_shape=(6, 6), weight=np.ones((1, 1, 3, 3)), stride=2,
                                                     padding=0, dilation=1, groups=1, bias=np.zeros(1)),
                                  "if": nir.IF(r=np.ones((1, 2, 2)), v_threshold=np.ones((1, 2, 2))),
                                  "output": nir.Output(output_type={"output": np.array([1, 2, 2])})},
                           edges=[("input", "conv"), ("conv", "if"), ("if", "output")])
    with pytest.raises(NIRUnsupportedError, match="stride"):
        from_nir(strided, inputs=np.ones((1, 6, 6)))
