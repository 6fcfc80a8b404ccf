"""Data sets and spike encoders."""
from .mnist import load_mnist, load_protocol, read_idx

__all__ = ["read_idx", "load_mnist", "load_protocol"]
