"""Simulation backends.

``reference`` is a slow, obviously correct numpy stepper (the test oracle);
``cpu`` runs the same schedule in numba-compiled loops.  Both share the
per-element physics in :mod:`spikesim.backends._scalar`.
"""

BACKENDS = ("reference", "cpu", "cuda")
