"""Bridges between artificial and spiking networks."""
from .ann_to_snn import SpikingClassifier, ann_to_snn, dense_layers, normalise, normalise_layers, plan_stages
from .snn_to_ann import recover_layers, snn_to_ann, weight_matrix

__all__ = ["ann_to_snn", "SpikingClassifier", "normalise", "plan_stages", "dense_layers", "normalise_layers",
           "snn_to_ann", "weight_matrix", "recover_layers"]
