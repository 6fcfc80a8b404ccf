"""SNN -> ANN: the weights of a spiking network as dense layers.

``weight_matrix(S)`` gathers a Synapses object's weights into a dense
(n_pre, n_post) matrix (parallel synapses add up).  ``snn_to_ann(S)`` turns
learned input weights into a ``(W, b)`` dense layer, with the post-synaptic
thresholds as negative biases where that is meaningful (a neuron responds
when ``x W > v_th``).  ``recover_layers(classifier)`` reads a converted
network's synapses back and undoes the normalisation: the round trip
ANN -> SNN -> ANN returns the original weights.
"""
from __future__ import annotations

import numpy as np

from .. import NeuronGroup, Synapses


def weight_matrix(synapses):
    """Dense weights of shape (pre.N, post.N); requires a built network."""
    if not isinstance(synapses, Synapses):
        raise TypeError(f"synapses must be a Synapses object, got {type(synapses).__name__}")
    W = np.zeros((synapses.pre.N, synapses.post.N))
    np.add.at(W, (synapses.i, synapses.j), synapses.w)
    return W


def snn_to_ann(synapses, bias="threshold"):
    """A dense layer ``(W, b)`` from learned synapses: W of shape (n_pre, n_post), b of shape (n_post,).

    ``bias="threshold"`` uses ``-(v_th + theta)`` of the post-synaptic neurons
    (theta: adaptive threshold, if any); ``"none"`` gives zeros.
    """
    if bias not in ("threshold", "none"):
        raise ValueError(f"bias must be 'threshold' or 'none', got {bias!r}")
    W = weight_matrix(synapses)
    post = synapses.post
    b = np.zeros(post.N)
    if bias == "threshold" and isinstance(post, NeuronGroup):
        b = -np.asarray(post.v_th, dtype=float).copy()
        if post.theta.size:
            b -= post.theta
    return W, b


def recover_layers(classifier):
    """Original dense layers ``[(W, b), ...]`` (W of shape (n_in, n_out)) read back from a converted network.

    The network must be made of Dense stages (a converted Perceptron or MLP);
    one copy is built with Poisson input, so that the first layer has synapses too.
    """
    from .ann_to_snn import SpikingClassifier
    from ..ann.layers import Dense
    if not isinstance(classifier, SpikingClassifier):
        raise TypeError(f"classifier must be a SpikingClassifier, got {type(classifier).__name__}")
    if any(s.kind != "linear" or not isinstance(s.layer, Dense) for s in classifier.stages):
        raise ValueError(f"recover_layers reads networks of Dense stages, got {classifier.stages}")
    probe = SpikingClassifier(classifier.network, classifier.lambdas, input="poisson", reset=classifier.reset,
                              batch_size=1)
    net, *_ = probe._network(np.zeros((1,) + classifier.network.input_shape))
    net.build()
    syn = {o.name: o for o in net.objects if isinstance(o, Synapses)}
    groups = {o.name: o for o in net.objects if isinstance(o, NeuronGroup)}
    out, prev = [], 1.0
    for stage, lam in zip(classifier.stages, classifier.lambdas):
        W = weight_matrix(syn[f"{stage.name}_in"])
        b = np.asarray(groups[stage.name].I, dtype=float).copy()
        out.append((W * lam / prev, b * lam))
        prev = lam
    return out
