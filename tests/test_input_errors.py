"""Issue 23: the undocumented exceptions that tests/test_fuzz.py found, one regression test each.

Before the fixes these raised ``KeyError``-like internals (``unhashable type: 'list'``, ``len() of unsized
object``, ``could not convert string to float``), allocated until memory ran out, or ran forever.
"""
import numpy as np
import pytest

from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor
from spikesim.ann import MLP, McCullochPitts, Perceptron, load_model
from spikesim.ann.layers import ELU, Dense
from spikesim.plasticity import STDP, TripletSTDP
from spikesim.units import ms

X = np.random.default_rng(0).random((12, 4))
Y = np.arange(12) % 3


def test_group_size_fits_32_bit_indices():
    with pytest.raises(ValueError, match=r"N must be <= 2147483647 \(neuron indices are 32-bit integers\), got 2147483648"):
        NeuronGroup(2 ** 31)


def test_state_monitor_variables_and_record_types():
    G = NeuronGroup(3)
    with pytest.raises(TypeError, match="variables must be a variable name or a list of names"):
        StateMonitor(G, None)
    with pytest.raises(TypeError, match="record must be True or a 1-D array of neuron indices"):
        StateMonitor(G, "v", record=[[0, 1], [2]])


def test_rule_choices_must_be_strings():
    with pytest.raises(ValueError, match="name must be one of"):
        TripletSTDP.preset([1.0, 2.0])
    with pytest.raises(ValueError, match="window must be one of"):
        STDP(window=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="bounds must be one of"):
        STDP(bounds=["hard"])


def test_run_refuses_durations_beyond_the_step_counter():
    G = NeuronGroup(1)
    net = Network(G, SpikeMonitor(G), seed=0)
    with pytest.raises(ValueError, match=r"duration must be less than 9.01e\+15 steps of dt=0.0001 s"):
        net.run(1e300, backend="reference", progress=False)
    assert net.step == 0


def test_spike_generator_inputs_are_arrays():
    with pytest.raises(TypeError, match="indices must be a 1-D array of neuron indices, got None"):
        SpikeGeneratorGroup(1, None, [0.0])
    with pytest.raises(TypeError, match="times must be a 1-D array of spike times in seconds, got ''"):
        SpikeGeneratorGroup(1, [0], "")


@pytest.mark.parametrize("param, value, message", [
    ("loss", [1.0], "loss must be one of"),
    ("activation", [1.0], "activation must be one of"),
    ("optimizer", np.array([1.0]), "optimizer must be 'sgd' or 'adam'"),
])
def test_mlp_choices_name_the_parameter(param, value, message):
    with pytest.raises(ValueError, match=message):
        MLP(hidden=(3,), epochs=1, validation_fraction=0.0, **{param: value}).fit(X, Y)


def test_classes_and_non_numeric_X():
    with pytest.raises(ValueError, match="classes must be a non-empty 1-D array of every label"):
        Perceptron().partial_fit(X, Y, classes="")
    with pytest.raises(ValueError, match="Input classes contains NaN"):
        Perceptron().partial_fit(X, Y, classes=[0.0, np.nan])
    with pytest.raises(ValueError, match="X must hold numbers, got an array of dtype <U1"):
        Perceptron().fit(np.array([["a", "b"]] * 12), Y)
    with pytest.raises(ValueError, match=r"Found input variables with inconsistent numbers of samples: \[12, 5\] "
                                         r"\(X has 12 samples, y has 5 labels\)"):
        MLP(epochs=1).fit(X, Y[:5])


def test_units_and_layers_check_their_arguments():
    with pytest.raises(TypeError, match="weights must be a 1-D array of numbers, got None"):
        McCullochPitts(None, 1)
    with pytest.raises(TypeError, match="threshold must be a real number"):
        McCullochPitts([1.0], None)
    with pytest.raises(ValueError, match="weights must be finite"):
        McCullochPitts([np.nan], 1)
    with pytest.raises(ValueError, match=r"x must have shape \(1,\) or \(n, 1\), got shape \(\)"):
        McCullochPitts.NOT()(5)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        ELU(None)
    with pytest.raises(ValueError, match=r"out_features must be an integer in \[1, 2147483647\], got 2147483648"):
        Dense(2 ** 31)


def test_model_loader_names_random_bytes_and_network_states(tmp_path):
    (tmp_path / "random.npz").write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match=r"random.npz: not a readable spikesim model file \(not an .npz archive"):
        load_model(tmp_path / "random.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.npz: .*an empty file"):
        load_model(tmp_path / "empty.npz")
    net = Network(NeuronGroup(2), dt=0.1 * ms, seed=0)
    net.save(tmp_path / "state.npz")
    with pytest.raises(ValueError, match="state.npz: not a spikesim model file: it is the state of a spiking Network"):
        load_model(tmp_path / "state.npz")


def test_connect_flags_are_booleans():
    from spikesim import Synapses
    G = NeuronGroup(3)
    with pytest.raises(TypeError, match=r"one_to_one must be True or False, got array\("):
        Synapses(G, G, "ge").connect(one_to_one=np.array([np.nan, 1.0, 2.0]))
    with pytest.raises(TypeError, match="autapses must be True or False, got 'no'"):
        Synapses(G, G, "ge").connect(p=0.5, autapses="no")


def test_synapse_arguments_are_checked_before_use():
    from spikesim import Synapses
    G = NeuronGroup(3)
    with pytest.raises(TypeError, match="target must be the name of a variable"):
        Synapses(G, G, target=np.array([]))
    with pytest.raises(TypeError, match="shared_traces must be True or False"):
        Synapses(G, G, "ge", shared_traces=np.array([]))
    with pytest.raises(TypeError, match=r"delay must be a number, a 1-D array or a callable f\(rng, n\), got \{\}"):
        Synapses(G, G, "ge", delay={})


def test_code_that_does_not_parse_names_its_argument():
    from spikesim import Synapses
    with pytest.raises(ValueError, match=r"threshold: '/' does not parse"):
        NeuronGroup(1, "adex", threshold="/")
    with pytest.raises(ValueError, match=r"reset: 'v =' does not parse"):
        NeuronGroup(1, "lif_cuba", reset="v = ")
    G = NeuronGroup(2)
    with pytest.raises(ValueError, match=r"on_pre: 'v_post \+= \)' does not parse"):
        Synapses(G, G, "w : volt", on_pre="v_post += )")
