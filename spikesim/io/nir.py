"""spikesim networks to and from NIR, the Neuromorphic Intermediate Representation.

NIR (``pip install nir``) is a graph of nodes, each a neuron model or a
projection, written to an HDF5 file; snnTorch, Norse, sinabs, SpikingJelly,
Lava and Rockpool read and write it.  :func:`to_nir` describes a converted
network (:func:`spikesim.bridges.ann_to_snn`) or a spike-driven
:class:`~spikesim.Network` as a ``nir.NIRGraph``; :func:`from_nir` builds a
spikesim network from a graph (or a ``.nir`` file) and runs it on the
engine.

What maps, in both directions:

============================  =======================================================
spikesim                      NIR
============================  =======================================================
``if`` neurons (reset to      ``IF(r, v_threshold, v_reset)``
v_reset)
the NIR LIF equations below   ``LIF(tau, r, v_leak, v_threshold, v_reset)``
(made by :func:`from_nir`)
(import only)                 ``CubaLIF(tau_syn, tau_mem, r, v_leak, v_threshold,
                              v_reset, w_in)``
Dense stage / Synapses onto   ``Affine(weight, bias)`` or ``Linear(weight)``
``v`` without delay
Conv2d stage                  ``Conv2d`` (stride 1, dilation 1, one group)
average-pooling stage         ``AvgPool2d`` (window = stride, no padding) into ``IF``
Flatten                       ``Flatten`` (neurons are numbered in C order)
(import only)                 ``SumPool2d``, ``Scale``
inputs                        ``Input``: a constant (analog) value per step, or the
                              spikes of a SpikeGeneratorGroup/PoissonGroup
============================  =======================================================

What does not map, with the error raised (:class:`NIRUnsupportedError`):

* **reset by subtraction** (``if_subtract``, the converter's default
  ``reset="subtract"``): NIR 1.0's ``IF`` and ``LIF`` set ``v = v_reset``
  after a spike; no node keeps the surplus ``v - v_threshold``.  Convert with
  ``reset="zero"`` to export.
* **spiking max-pool** (the ``maxpool`` neuron model, ``pooling="max"``):
  the gate passes the spikes of the input with the largest running count; it
  has state of its own and NIR has no node for it.  Convert with
  ``pooling="average"`` to export.
* Other neuron models (``lif_cuba``, ``lif_coba``, Izhikevich, AdEx, HH, your
  own equations), synapses onto variables other than ``v``, transmission
  delays, plasticity; on import: ``Delay``, ``Threshold``, ``I``, ``LI``,
  ``CubaLI``, ``Conv1d``, sub-graphs, strides other than the pooling window.

Time.  NIR states its neurons as differential equations and leaves the
discretisation to the simulator.  spikesim runs a graph with time step
``dt`` (the graph's ``metadata["dt"]`` if present, else the argument) and
reads it as snnTorch does: a spike is the value 1 in the step it is
emitted, a projection's output in a step is ``W s + b``, and

* ``IF``: ``v <- v + r * input`` each step;
* ``LIF``: ``v <- v + dt/tau * (v_leak - v + r * input)`` (forward Euler);
* ``CubaLIF``: ``I <- I + dt/tau_syn * (w_in * input - I)``, ``v <- v +
  dt/tau_mem * (v_leak - v + r * I)`` (forward Euler);

a neuron spikes when ``v > v_threshold`` and then ``v <- v_reset``.  The
engine's schedule (DESIGN.md section 3, Brian2's) applies: spikes of step
``n`` are delivered after the thresholds of step ``n``, so each layer of a
feed-forward graph lags its input by one step (snnTorch passes a spike
through a whole sequential network within a step), and input that arrives
in the step a neuron fires is cleared by its reset.
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

import numpy as np

try:
    import nir
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("spikesim.io.nir needs the 'nir' package: pip install 'spikesim[io]' (or pip install nir)") \
        from exc

from .. import Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses
from ..ann.layers import AvgPool2d, Conv2d, Dense, Flatten
from ..bridges.ann_to_snn import DT, SpikingClassifier, conv_connections, dense_connections, pool_connections

#: equations of the NIR LIF neuron as spikesim runs it (forward Euler, see the module doc)
LIF_EQUATIONS = "dv/dt = (v_leak - v + r*I)/tau : 1"
#: equations of the NIR CubaLIF neuron (forward Euler)
CUBA_LIF_EQUATIONS = """dv/dt = (v_leak - v + r*I_syn)/tau_mem : 1
dI_syn/dt = (w_in*I - I_syn)/tau_syn : 1"""

NEURON_NODES = (nir.IF, nir.LIF, nir.CubaLIF)
WEIGHTED_NODES = (nir.Affine, nir.Linear, nir.Conv2d, nir.AvgPool2d, nir.SumPool2d, nir.Scale)


class NIRUnsupportedError(ValueError):
    """A part of a network or a graph that has no counterpart on the other side; the message names it."""


# ====================================================================== export
def to_nir(model: SpikingClassifier | Network, *, dt: float | None = None) -> "nir.NIRGraph":
    """Describe a converted network or a spike-driven Network as a NIR graph.

    Parameters
    ----------
    model : SpikingClassifier or Network
        A network converted by :func:`spikesim.bridges.ann_to_snn` (one copy:
        an ``Input`` of the ANN's input shape, then per stage a projection
        node named after the layer and an ``IF`` node ``<layer>_if``); or a
        :class:`~spikesim.Network` whose neuron groups are ``if`` neurons or
        NIR LIF neurons made by :func:`from_nir`, driven by
        SpikeGeneratorGroups/PoissonGroups (``Input`` nodes) through
        Synapses onto ``v`` without delay (``Affine``/``Linear`` nodes named
        after the Synapses; a group's constant drive ``I`` becomes the bias
        of its first projection).  Groups with a SpikeMonitor (or, without
        any, groups with no outgoing synapses) get an ``Output`` node.
    dt : float, optional
        Time step in seconds stored in ``metadata["dt"]`` (default: the
        network's, 0.1 ms for a converted network); needed to express LIF
        synaptic weights.

    Returns
    -------
    nir.NIRGraph

    Raises
    ------
    NIRUnsupportedError
        For what NIR cannot describe: reset by subtraction, spiking max-pool,
        other neuron models, delays, plasticity (see the module doc).
    """
    if isinstance(model, SpikingClassifier):
        return _classifier_graph(model, DT if dt is None else float(dt))
    if isinstance(model, Network):
        return _network_graph(model, model.dt if dt is None else float(dt))
    raise TypeError(f"model must be a SpikingClassifier (from ann_to_snn) or a Network, got {type(model).__name__}")


def write_nir(model: SpikingClassifier | Network, path: str | pathlib.Path, *, dt: float | None = None) \
        -> "nir.NIRGraph":
    """Write ``to_nir(model)`` to ``path`` (HDF5, by ``nir.write``) and return the graph.

    Parameters
    ----------
    model : SpikingClassifier or Network
        What :func:`to_nir` accepts.
    path : path
        The file to write (conventionally ``*.nir``).
    dt : float, optional
        Time step in seconds recorded in the graph's metadata (default: the model's).

    Returns
    -------
    nir.NIRGraph
        The graph written.

    Raises
    ------
    NIRUnsupportedError
        A part of ``model`` that NIR cannot describe (see :func:`to_nir`).
    """
    graph = to_nir(model, dt=dt)
    nir.write(str(path), graph)
    return graph


def _if_node(shape, v_threshold=1.0, v_reset=0.0, r=1.0):
    shape = tuple(int(s) for s in shape)
    return nir.IF(r=np.full(shape, r, dtype=np.float64), v_threshold=np.full(shape, v_threshold, dtype=np.float64),
                  v_reset=np.full(shape, v_reset, dtype=np.float64))


def _classifier_graph(clf, dt):
    if clf.reset == "subtract":
        raise NIRUnsupportedError("reset by subtraction (the 'if_subtract' neurons of reset='subtract') does not map "
                                  "to NIR: its IF and LIF nodes reset to v_reset; convert with reset='zero' to export")
    net = clf.network
    shape = tuple(net.input_shape)
    nodes = {"input": nir.Input(input_type={"input": np.array(shape)})}
    edges = []
    prev = "input"
    layers = list(net)
    pos = 0
    for stage in clf.stages:
        for k, layer in enumerate(layers[pos:stage.index], start=pos):
            if isinstance(layer, Flatten) and len(shape) > 1:
                name = f"flatten{k}"
                nodes[name] = nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0, end_dim=-1)
                edges.append((prev, name))
                prev, shape = name, (int(np.prod(shape)),)
        layer = stage.layer
        if stage.kind == "linear":
            W = np.asarray(layer.weight, dtype=np.float64)
            b = np.asarray(layer.bias, dtype=np.float64) if layer.has_bias else None
            if isinstance(layer, Dense):
                proj = nir.Affine(weight=W, bias=b) if b is not None else nir.Linear(weight=W)
            else:
                proj = nir.Conv2d(input_shape=tuple(int(s) for s in stage.in_shape[1:]), weight=W, stride=1,
                                  padding=int(layer.padding), dilation=1, groups=1,
                                  bias=b if b is not None else np.zeros(W.shape[0]))
        elif stage.kind == "avgpool" or clf.pooling == "average":
            k = int(layer.kernel_size)
            proj = nir.AvgPool2d(kernel_size=np.array([k, k]), stride=np.array([k, k]), padding=np.array([0, 0]))
        else:
            raise NIRUnsupportedError(f"spiking max-pool (stage {stage.name!r}, the 'maxpool' neuron model) does not "
                                      f"map to NIR: the gate that passes the spikes of the input with the largest "
                                      f"running count has no NIR node; convert with pooling='average' to export")
        nodes[stage.name] = proj
        nodes[f"{stage.name}_if"] = _if_node(stage.out_shape)
        edges += [(prev, stage.name), (stage.name, f"{stage.name}_if")]
        prev, shape, pos = f"{stage.name}_if", tuple(stage.out_shape), stage.index + 1
    nodes["output"] = nir.Output(output_type={"output": np.array(shape)})
    edges.append((prev, "output"))
    meta = {"dt": dt, "generator": "spikesim", "input": clf.input,
            "lambdas": np.asarray(clf.lambdas, dtype=np.float64)}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def _group_model(g):
    """'if' or 'lif' for a group NIR can describe, else NIRUnsupportedError naming the model."""
    if g.preset is not None and g.preset.name == "if":
        return "if"
    if g.preset is None and g._spec["equations"].strip() == LIF_EQUATIONS and g._spec["reset"] == "v = v_reset" \
            and g._spec["threshold"] == "v > v_th":
        return "lif"
    what = g.model_name
    if what == "if_subtract":
        raise NIRUnsupportedError(f"NeuronGroup {g.name!r}: reset by subtraction ('if_subtract') does not map to NIR, "
                                  f"whose IF and LIF nodes reset to v_reset; use the 'if' model")
    if what == "maxpool":
        raise NIRUnsupportedError(f"NeuronGroup {g.name!r}: spiking max-pool (the 'maxpool' model) has no NIR node; "
                                  f"use average pooling")
    raise NIRUnsupportedError(f"NeuronGroup {g.name!r}: model {what!r} has no NIR node here; NIR export takes 'if' "
                              f"neurons and the LIF neurons made by spikesim.io.nir.from_nir")


def _param(g, name):
    return np.array(getattr(g, name), dtype=np.float64)


def _network_graph(net, dt):
    from ..monitors._base import Monitor
    from ..plasticity.homeostasis import Normalization
    net.build()
    groups = [o for o in net.objects if isinstance(o, (NeuronGroup, SpikeGeneratorGroup, PoissonGroup))]
    others = [o for o in net.objects if not isinstance(o, (NeuronGroup, SpikeGeneratorGroup, PoissonGroup, Synapses,
                                                            Monitor))]
    if others:
        o = others[0]
        kind = "weight normalisation" if isinstance(o, Normalization) else type(o).__name__
        raise NIRUnsupportedError(f"{kind} ({o.name!r}) has no NIR node")
    nodes, edges, neuron_shape = {}, [], {}
    for g in groups:
        if isinstance(g, NeuronGroup):
            model = _group_model(g)
            n = (g.N,)
            if model == "if":
                nodes[g.name] = nir.IF(r=np.ones(n), v_threshold=_param(g, "v_th"), v_reset=_param(g, "v_reset"))
            else:
                nodes[g.name] = nir.LIF(tau=_param(g, "tau"), r=_param(g, "r"), v_leak=_param(g, "v_leak"),
                                        v_threshold=_param(g, "v_th"), v_reset=_param(g, "v_reset"))
            neuron_shape[g.name] = n
        else:
            nodes[g.name] = nir.Input(input_type={"input": np.array([g.N])})
    biased = set()
    for s in (o for o in net.objects if isinstance(o, Synapses)):
        what = f"Synapses {s.name!r}"
        if s.plasticity is not None or s.target is None:
            raise NIRUnsupportedError(f"{what}: plasticity and synapse equations have no NIR node; NIR projections "
                                      f"are static weights onto v")
        if s.target != "v":
            raise NIRUnsupportedError(f"{what}: synapses onto {s.target!r} have no NIR node; NIR projections add to v")
        if np.any(s.udelay != 0):
            raise NIRUnsupportedError(f"{what}: transmission delays do not map (NIR's Delay node is not supported "
                                      f"here); use zero delays")
        post = s.post
        W = np.zeros((post.N, s.pre.N))
        np.add.at(W, (s.j, s.i), np.asarray(s.w, dtype=np.float64))
        if _group_model(post) == "lif":          # the jump r*dt/tau*W of the Euler step (module doc)
            W = W / (_param(post, "r") * dt / _param(post, "tau"))[:, None]
        if post.name not in biased:              # the group's constant drive is the bias of its first projection
            biased.add(post.name)
            nodes[s.name] = nir.Affine(weight=W, bias=np.array(post.I, dtype=np.float64))
        else:
            nodes[s.name] = nir.Linear(weight=W)
        edges += [(s.pre.name, s.name), (s.name, post.name)]
    for g in groups:
        if isinstance(g, NeuronGroup) and g.name not in biased and np.any(np.asarray(g.I) != 0):
            raise NIRUnsupportedError(f"NeuronGroup {g.name!r}: a constant drive I without an incoming projection "
                                      f"has no NIR node (NIR adds biases in Affine projections)")
    monitored = {m.group.name for m in net.objects if isinstance(m, SpikeMonitor)} & set(neuron_shape)
    if not monitored:
        sources = {e[0] for e in edges}
        monitored = {name for name in neuron_shape if name not in sources}
    for name in sorted(monitored):
        out = f"{name}_output"
        nodes[out] = nir.Output(output_type={"output": np.array(neuron_shape[name])})
        edges.append((name, out))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"dt": dt, "generator": "spikesim"})


# ====================================================================== import
@dataclass
class NIRNetwork:
    """A spikesim network built from a NIR graph by :func:`from_nir`.

    Attributes
    ----------
    network : Network
        The groups, synapses and monitors, ready to run.
    groups : dict of str to NeuronGroup
        One group per neuron node (IF, LIF, CubaLIF), named after it;
        neuron ``k`` is element ``k`` of the node's shape in C order.
    monitors : dict of str to SpikeMonitor
        A spike monitor on every neuron node.
    inputs : dict of str to Group or ndarray
        What drives each ``Input`` node: a spike source, or the constant
        value given for it.
    outputs : dict of str to str
        Each ``Output`` node and the neuron node it reads.
    dt : float
        The time step in seconds.
    """
    network: Network
    groups: dict = field(default_factory=dict)
    monitors: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    dt: float = DT

    def run(self, steps: int, *, backend: str = "cpu") -> None:
        """Simulate ``steps`` time steps (continuing from the last run).

        Parameters
        ----------
        steps : int
            Number of time steps of ``dt`` seconds.
        backend : {"cpu", "reference", "cuda"}
            The engine's backend.
        """
        self.network.run(int(steps) * self.dt, backend=backend, progress=False)

    def spike_counts(self, node: str | None = None) -> np.ndarray:
        """Spikes per neuron of a neuron node since the network was built.

        Parameters
        ----------
        node : str, optional
            A neuron node or an ``Output`` node (default: the node of the graph's only Output).

        Returns
        -------
        ndarray of int, shape of the node (e.g. ``(C, H, W)``)
            Spike counts.

        Raises
        ------
        ValueError
            No such node, or no ``node`` given for a graph with several outputs.
        """
        if node is None:
            if len(self.outputs) != 1:
                raise ValueError(f"the graph has {len(self.outputs)} outputs; name the node ({sorted(self.groups)})")
            node = next(iter(self.outputs.values()))
        if node in self.outputs:
            node = self.outputs[node]
        if node not in self.monitors:
            raise ValueError(f"node must be a neuron node or an output of the graph ({sorted(self.groups)}), "
                             f"got {node!r}")
        g = self.groups[node]
        return self.monitors[node].count.reshape(g._nir_shape)


def from_nir(graph: "nir.NIRGraph | str | pathlib.Path", inputs=None, *, dt: float | None = None,
             seed: int = 0) -> NIRNetwork:
    """Build a spikesim network from a NIR graph (or a ``.nir`` file).

    Parameters
    ----------
    graph : nir.NIRGraph, str or path
    inputs : array, Group, or dict of str to array or Group
        What drives each ``Input`` node (one value when the graph has one
        input): an array of the input's shape is a constant (analog) input,
        applied every step as the current ``W x + b`` of the first projection
        (the converted networks' ``input="constant"``); a
        SpikeGeneratorGroup or PoissonGroup with one neuron per input element
        (C order) sends spikes through the projections.
    dt : float, optional
        Time step in seconds (default: the graph's ``metadata["dt"]``, else
        0.1 ms).  Used by LIF and CubaLIF nodes; IF nodes work per step.
    seed : int
        The Network's seed (Poisson inputs).

    Returns
    -------
    NIRNetwork

    Raises
    ------
    NIRUnsupportedError
        For a node or a combination the engine cannot run (see the module doc).
    """
    if isinstance(graph, (str, pathlib.Path)):
        graph = nir.read(str(graph))
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"graph must be a nir.NIRGraph or the path of a .nir file, got {type(graph).__name__}")
    meta = graph.metadata if isinstance(graph.metadata, dict) else {}
    dt = float(dt if dt is not None else meta.get("dt", DT))
    if not dt > 0:
        raise ValueError(f"dt must be > 0 s, got {dt}")
    nodes, edges = graph.nodes, [tuple(e) for e in graph.edges]
    for name, node in nodes.items():
        if not isinstance(node, NEURON_NODES + WEIGHTED_NODES + (nir.Input, nir.Output, nir.Flatten)):
            raise NIRUnsupportedError(f"node {name!r}: {type(node).__name__} is not supported by spikesim's NIR import "
                                      f"(supported: IF, LIF, CubaLIF, Affine, Linear, Conv2d, AvgPool2d, SumPool2d, "
                                      f"Scale, Flatten, Input, Output)")
    preds = {name: [a for a, b in edges if b == name] for name in nodes}
    input_names = [n for n, node in nodes.items() if isinstance(node, nir.Input)]
    drive = _input_values(inputs, input_names, nodes)
    shapes = _shapes(nodes, preds)
    net = Network(dt=dt, seed=seed)
    out = NIRNetwork(network=net, dt=dt)
    groups = {}
    for name, value in drive.items():
        out.inputs[name] = value
        if not isinstance(value, np.ndarray):
            groups[name] = value
            net.add(value)
    neuron_names = [n for n in _topological(nodes, preds) if isinstance(nodes[n], NEURON_NODES)]
    pending = []
    for name in neuron_names:
        node, shape = nodes[name], shapes[name]
        current = np.zeros(int(np.prod(shape)))
        conns = []
        used_bias = set()
        for path in _paths_into(name, nodes, preds):
            src, ops = path[0], path[1:-1]
            weighted = [o for o in ops if isinstance(nodes[o], WEIGHTED_NODES)]
            if len(weighted) > 1:
                raise NIRUnsupportedError(f"nodes {weighted[0]!r} and {weighted[1]!r} are projections one after the "
                                          f"other with no neuron node between them; spikesim builds one projection "
                                          f"per pair of neuron layers")
            op = weighted[0] if weighted else None
            in_shape = shapes[path[path.index(op) - 1]] if op else shapes[src]
            bias = op is not None and isinstance(nodes[op], (nir.Affine, nir.Conv2d)) and op not in used_bias
            if bias:
                used_bias.add(op)
            if isinstance(drive.get(src), np.ndarray):
                current += _analog_current(nodes[op] if op else None, op, drive[src], in_shape, bias)
            else:
                i, j, w = _connections(nodes[op] if op else None, op, in_shape, shapes[name])
                if bias:
                    current += _bias_per_unit(nodes[op], int(np.prod(shape)))
                conns.append((src, op or src, i, j, w))
        G = _neuron_group(_object_name(name), node, shape, current, dt)
        groups[name] = G
        out.groups[name] = G
        net.add(G)
        pending.append((name, conns))
    for name, conns in pending:
        for src, via, i, j, w in conns:
            target, w = _synaptic_scale(nodes[name], w, j, dt)
            label = _object_name(f"{via}_to_{name}" if via != src else f"{src}_to_{name}")
            net.add(Synapses(groups[src], groups[name], target, weight=w, name=label).connect(i=i, j=j))
    for name, G in out.groups.items():
        M = SpikeMonitor(G, name=_object_name(f"{name}_spikes"))
        out.monitors[name] = M
        net.add(M)
    for name, node in nodes.items():
        if isinstance(node, nir.Output):
            src = _source_neuron(name, nodes, preds)
            out.outputs[name] = src
    return out


def _object_name(name):
    """A spikesim object name for a node name (letters, digits and underscores)."""
    return re.sub(r"\W", "_", str(name))


def _input_values(inputs, names, nodes):
    if isinstance(inputs, dict):
        unknown = set(inputs) - set(names)
        if unknown:
            raise ValueError(f"inputs names unknown Input nodes {sorted(unknown)}; the graph's inputs are {names}")
        given = dict(inputs)
    elif inputs is None:
        given = {}
    elif len(names) == 1:
        given = {names[0]: inputs}
    else:
        raise ValueError(f"the graph has {len(names)} Input nodes {names}: give inputs as a dict by node name")
    missing = [n for n in names if n not in given]
    if missing:
        raise ValueError(f"inputs must give a value (constant array) or a spike source group for the Input node(s) "
                         f"{missing}")
    out = {}
    for name, value in given.items():
        shape = tuple(int(s) for s in nodes[name].input_type["input"])
        if isinstance(value, (SpikeGeneratorGroup, PoissonGroup)):
            if value.N != int(np.prod(shape)):
                raise ValueError(f"inputs[{name!r}] has {value.N} neurons; Input {name!r} has shape {shape} "
                                 f"({int(np.prod(shape))} elements)")
            out[name] = value
        else:
            x = np.asarray(value, dtype=np.float64)
            if x.size != int(np.prod(shape)):
                raise ValueError(f"inputs[{name!r}] must have {int(np.prod(shape))} values (shape {shape}), "
                                 f"got shape {x.shape}")
            out[name] = x.reshape(shape)
    return out


def _topological(nodes, preds):
    order, seen, active = [], set(), set()

    def visit(n):
        if n in seen:
            return
        if n in active:           # a cycle: fine through a neuron node, its input comes from the last step
            return
        active.add(n)
        for p in preds[n]:
            visit(p)
        active.discard(n)
        seen.add(n)
        order.append(n)
    for n in nodes:
        visit(n)
    return order


def _conv_out(node, in_shape):
    C, H, W = in_shape
    k = np.asarray(node.weight).shape[2:]
    pad = _conv_padding(node, "?")
    return (int(node.weight.shape[0]), H + 2 * pad - int(k[0]) + 1, W + 2 * pad - int(k[1]) + 1)


def _conv_padding(node, name):
    k = np.asarray(node.weight).shape[2:]
    pad = node.padding
    if isinstance(pad, str):
        if pad == "valid":
            return 0
        if k[0] % 2 == 1 and k[0] == k[1]:
            return int(k[0] // 2)
        raise NIRUnsupportedError(f"node {name!r}: padding 'same' with an even kernel is not supported")
    pad = np.atleast_1d(np.asarray(pad)).astype(int)
    if pad.size == 2 and pad[0] != pad[1]:
        raise NIRUnsupportedError(f"node {name!r}: Conv2d padding {tuple(pad)} differs between the axes; spikesim "
                                  f"pads both sides of both axes equally")
    return int(pad[0])


def _pool_k(node, name):
    k = np.atleast_1d(np.asarray(node.kernel_size)).astype(int)
    s = np.atleast_1d(np.asarray(node.stride)).astype(int)
    p = np.atleast_1d(np.asarray(node.padding)).astype(int)
    k = np.resize(k, 2)
    s = np.resize(s, 2)
    if k[0] != k[1] or not np.array_equal(k, s) or np.any(p != 0):
        raise NIRUnsupportedError(f"node {name!r}: {type(node).__name__} with kernel {tuple(k)}, stride {tuple(s)} "
                                  f"and padding {tuple(np.resize(p, 2))}; spikesim pools square windows that do not "
                                  f"overlap (stride = kernel) without padding")
    return int(k[0])


def _shapes(nodes, preds):
    shapes = {}
    order = _topological(nodes, preds)
    for name in order:
        node = nodes[name]
        if isinstance(node, nir.Input):
            shapes[name] = tuple(int(s) for s in node.input_type["input"])
        elif isinstance(node, NEURON_NODES):
            shapes[name] = tuple(np.asarray(node.v_threshold).shape)
        else:
            ins = [shapes[p] for p in preds[name] if p in shapes]
            if not ins:
                raise NIRUnsupportedError(f"node {name!r} has no input: connect it to an Input or a neuron node")
            s = ins[0]
            if isinstance(node, (nir.Affine, nir.Linear)):
                shapes[name] = (int(np.asarray(node.weight).shape[0]),)
            elif isinstance(node, nir.Conv2d):
                if len(s) != 3:
                    raise NIRUnsupportedError(f"node {name!r}: Conv2d needs an input of shape (C, H, W), got {s}")
                shapes[name] = _conv_out(node, s)
            elif isinstance(node, (nir.AvgPool2d, nir.SumPool2d)):
                k = _pool_k(node, name)
                shapes[name] = (s[0], s[1] // k, s[2] // k)
            elif isinstance(node, nir.Flatten):
                shapes[name] = (int(np.prod(s)),)
            else:                   # Scale, Output
                shapes[name] = s
    return shapes


def _paths_into(name, nodes, preds):
    """Every chain source -> (projection nodes) -> ``name``, the source an Input or a neuron node."""
    paths = []

    def back(n, tail, depth):
        if depth > len(nodes):
            raise NIRUnsupportedError(f"node {name!r}: a cycle of projection nodes with no neuron node in it")
        for p in preds[n]:
            node = nodes[p]
            if isinstance(node, (nir.Input,) + NEURON_NODES):
                paths.append([p] + tail)
            elif isinstance(node, nir.Output):
                raise NIRUnsupportedError(f"node {p!r}: an Output node cannot feed other nodes")
            else:
                back(p, [p] + tail, depth + 1)
    back(name, [name], 0)
    return paths


def _source_neuron(name, nodes, preds):
    ps = preds[name]
    if len(ps) != 1 or not isinstance(nodes[ps[0]], NEURON_NODES):
        raise NIRUnsupportedError(f"Output {name!r} must read one neuron node (spikes), got {ps}; spikesim records "
                                  f"spikes, not the values of projections")
    return ps[0]


def _connections(node, name, in_shape, out_shape):
    """(i, j, w) of one projection from a population of ``in_shape`` to one of ``out_shape`` (flat C order)."""
    n_in, n_out = int(np.prod(in_shape)), int(np.prod(out_shape))
    if node is None:                          # only Flatten nodes: one to one
        if n_in != n_out:
            raise NIRUnsupportedError(f"a direct connection from {n_in} to {n_out} neurons")
        k = np.arange(n_in, dtype=np.int64)
        return k, k.copy(), np.ones(n_in)
    if isinstance(node, (nir.Affine, nir.Linear)):
        W = np.asarray(node.weight, dtype=np.float64)
        if W.ndim != 2 or W.shape != (n_out, n_in):
            raise NIRUnsupportedError(f"node {name!r}: weight of shape {W.shape} between {n_in} inputs and {n_out} "
                                      f"neurons")
        return dense_connections(W)
    if isinstance(node, nir.Conv2d):
        W = np.asarray(node.weight, dtype=np.float64)
        stride = np.resize(np.atleast_1d(np.asarray(node.stride)).astype(int), 2)
        dil = np.resize(np.atleast_1d(np.asarray(node.dilation)).astype(int), 2)
        if np.any(stride != 1) or np.any(dil != 1) or int(node.groups) != 1 or W.shape[2] != W.shape[3]:
            raise NIRUnsupportedError(f"node {name!r}: Conv2d with stride {tuple(stride)}, dilation {tuple(dil)}, "
                                      f"{int(node.groups)} groups and a {W.shape[2]}x{W.shape[3]} kernel; spikesim "
                                      f"convolves square kernels with stride 1, dilation 1, one group")
        i, j, w, shape = conv_connections(tuple(in_shape), W, _conv_padding(node, name))
        if int(np.prod(shape)) != n_out:
            raise NIRUnsupportedError(f"node {name!r}: the convolution gives {shape}, its neuron node has {out_shape}")
        return i, j, w
    if isinstance(node, (nir.AvgPool2d, nir.SumPool2d)):
        k = _pool_k(node, name)
        sets, shape = pool_connections(tuple(in_shape), k)
        w = 1.0 / (k * k) if isinstance(node, nir.AvgPool2d) else 1.0
        i = np.concatenate([s[0] for s in sets])
        j = np.concatenate([s[1] for s in sets])
        return i, j, np.full(i.size, w)
    if isinstance(node, nir.Scale):
        s = np.asarray(node.scale, dtype=np.float64).ravel()
        k = np.arange(n_in, dtype=np.int64)
        return k, k.copy(), np.broadcast_to(s, (n_in,)).copy()
    raise NIRUnsupportedError(f"node {name!r}: {type(node).__name__} cannot carry spikes here")


def _bias_per_unit(node, n_out):
    b = np.asarray(node.bias, dtype=np.float64).ravel()
    return np.repeat(b, n_out // b.size)          # a convolution's bias per output pixel


def _analog_current(node, name, x, in_shape, bias):
    """The constant current ``W x (+ b)`` per step of a projection of a constant input (flat)."""
    x = x.reshape(in_shape)
    if node is None:
        return x.ravel().copy()
    if isinstance(node, (nir.Affine, nir.Linear)):
        b = np.asarray(node.bias, dtype=np.float64) if bias else None
        layer = Dense.from_arrays(np.asarray(node.weight, dtype=np.float64), b)
        return layer.forward(x.reshape(1, -1))[0]
    if isinstance(node, nir.Conv2d):
        W = np.asarray(node.weight, dtype=np.float64)
        _connections(node, name, in_shape, _conv_out(node, in_shape))        # the same checks as for spikes
        layer = Conv2d.from_arrays(W, np.asarray(node.bias, dtype=np.float64) if bias else None,
                                   padding=_conv_padding(node, name))
        return layer.forward(x[None])[0].ravel()
    if isinstance(node, (nir.AvgPool2d, nir.SumPool2d)):
        k = _pool_k(node, name)
        y = AvgPool2d(k).forward(x[None])[0].ravel()
        return y if isinstance(node, nir.AvgPool2d) else y * (k * k)
    if isinstance(node, nir.Scale):
        return (x.ravel() * np.asarray(node.scale, dtype=np.float64).ravel())
    raise NIRUnsupportedError(f"node {name!r}: {type(node).__name__} cannot take a constant input")


def _flat(a, n):
    a = np.asarray(a, dtype=np.float64).ravel()
    a = np.broadcast_to(a, (n,)) if a.size == 1 else a
    if a.size != n:
        raise NIRUnsupportedError(f"a parameter has {a.size} values for {n} neurons")
    return float(a[0]) if np.all(a == a[0]) else a.copy()


def _neuron_group(name, node, shape, current, dt):
    n = int(np.prod(shape))
    if isinstance(node, nir.IF):
        r = np.asarray(node.r, dtype=np.float64).ravel()
        G = NeuronGroup(n, "if", I=current * r if r.size > 1 else current * float(r[0]),
                        v_th=_flat(node.v_threshold, n), v_reset=_flat(node.v_reset, n), name=name)
    elif isinstance(node, nir.LIF):
        G = NeuronGroup(n, LIF_EQUATIONS, threshold="v > v_th", reset="v = v_reset", method="euler",
                        tau=_flat(node.tau, n), r=_flat(node.r, n), v_leak=_flat(node.v_leak, n),
                        v_th=_flat(node.v_threshold, n), v_reset=_flat(node.v_reset, n), I=current,
                        v=0.0, name=name)
    else:
        G = NeuronGroup(n, CUBA_LIF_EQUATIONS, threshold="v > v_th", reset="v = v_reset", method="euler",
                        tau_mem=_flat(node.tau_mem, n), tau_syn=_flat(node.tau_syn, n), r=_flat(node.r, n),
                        v_leak=_flat(node.v_leak, n), w_in=_flat(node.w_in, n), v_th=_flat(node.v_threshold, n),
                        v_reset=_flat(node.v_reset, n), I=current, v=0.0, I_syn=0.0, name=name)
    G._nir_shape = tuple(shape)
    return G


def _synaptic_scale(node, w, j, dt):
    """(target variable, weights) of spikes arriving at a neuron node (the jumps of the discretisation)."""
    w = np.asarray(w, dtype=np.float64)
    if isinstance(node, nir.IF):
        r = np.asarray(node.r, dtype=np.float64).ravel()
        return "v", (w * r[j] if r.size > 1 else w * float(r[0]))
    if isinstance(node, nir.LIF):
        tau, r = np.asarray(node.tau, dtype=np.float64).ravel(), np.asarray(node.r, dtype=np.float64).ravel()
        scale = np.broadcast_to(r * dt / tau, (max(r.size, tau.size),))
        return "v", w * (scale[j] if scale.size > 1 else scale[0])
    tau, w_in = np.asarray(node.tau_syn, dtype=np.float64).ravel(), np.asarray(node.w_in, dtype=np.float64).ravel()
    scale = np.broadcast_to(w_in * dt / tau, (max(w_in.size, tau.size),))
    return "I_syn", w * (scale[j] if scale.size > 1 else scale[0])
