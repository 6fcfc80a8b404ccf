"""Bridges between artificial and spiking networks."""
from .ann_to_snn import SpikingClassifier, ann_to_snn, dense_layers, normalise_layers

__all__ = ["ann_to_snn", "SpikingClassifier", "dense_layers", "normalise_layers"]
