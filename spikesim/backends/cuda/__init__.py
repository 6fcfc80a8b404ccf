"""CUDA backend (``backend="cuda"``) through numba-cuda; needs ``pip install spikesim[cuda]``.

Runs on a GPU, or on numba's CUDA simulator when ``NUMBA_ENABLE_CUDASIM=1``
and ``NUMBA_DISABLE_JIT=1`` (how the test suite checks it without a GPU).
"""


def cuda_engine(cn, dtype="float64"):
    """A :class:`.run.CudaEngine` for ``cn``, or a clear error saying what is missing."""
    try:
        from numba import cuda
    except ImportError as exc:  # pragma: no cover
        raise RuntimeError("backend='cuda' needs numba with CUDA support: pip install 'spikesim[cuda]'") from exc
    try:
        ok = cuda.is_available()
    except Exception:  # pragma: no cover - driver errors
        ok = False
    if not ok:
        raise RuntimeError("backend='cuda' found no usable NVIDIA GPU (and NUMBA_ENABLE_CUDASIM is not set); "
                           "install the NVIDIA driver and 'spikesim[cuda]', or use backend='cpu'")
    import numba
    if numba.config.ENABLE_CUDASIM and not numba.config.DISABLE_JIT:
        raise RuntimeError("numba's CUDA simulator runs the kernels as Python, which cannot call the compiled "
                           "per-element functions: set NUMBA_DISABLE_JIT=1 together with NUMBA_ENABLE_CUDASIM=1")
    from .run import CudaEngine
    return CudaEngine(cn, dtype=dtype)
