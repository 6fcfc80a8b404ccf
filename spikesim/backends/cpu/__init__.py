"""numba-compiled CPU backend (``backend="cpu"``): :class:`.run.CpuEngine`, the step-loop generator
:mod:`.loop`, and the fixed kernels of inputs, monitors and weight normalisation."""
