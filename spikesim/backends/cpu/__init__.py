"""numba-compiled CPU backend (``backend="cpu"``)."""
from .run import CpuEngine

__all__ = ["CpuEngine"]
