"""Input populations: Poisson spike trains and spikes at given times.

* :class:`PoissonGroup` — independent Poisson spike trains.
* :class:`SpikeGeneratorGroup` — spikes at given times.

Time-varying drive of a model is a :class:`~spikesim.model.timed.TimedArray`
named in its equations.
"""
from __future__ import annotations

import numpy as np

from .._validate import MAX_STEPS, as_array, check_array, timestep
from .groups import Group


class PoissonGroup(Group):
    """``N`` independent Poisson spike trains.

    In each time step of length ``dt`` neuron ``i`` spikes with probability
    ``p_i = min(rates[i] * dt, 1)``, independently of every other step.  The
    engine samples the equivalent geometric waiting times (in steps) from a
    counter-based random stream keyed by the network seed, so the spikes
    are the same on every backend and however a run is split.

    Parameters
    ----------
    N : int
        Number of spike trains.
    rates : float or array of shape (N,)
        Firing rates in Hz (>= 0).  Changing them between runs takes effect
        at the start of the next run.
    name : str, optional
    """

    variables = ("rates",)
    units = {"rates": "hertz"}

    def __init__(self, N, rates, name=None):
        super().__init__(N, name)
        self.rates = rates
        self.next_step = np.zeros(self.N, dtype=np.int64)
        self.draws = np.zeros(self.N, dtype=np.int64)
        self._rates_used = None  # rates the pending next_step were drawn with

    @property
    def rates(self):
        """Rates in Hz, array of shape (N,)."""
        return self._rates[0]

    @rates.setter
    def rates(self, value):
        self._rates = check_array("rates", value, self.N, nonnegative=True, unit="Hz")[None, :].copy()

    def _state_arrays(self):
        d = super()._state_arrays()
        d.update(next_step=self.next_step, draws=self.draws, rates=self._rates)
        return d

    def _check_state(self):
        """Check rates edited in place (``P.rates[:] = ...``) before a run: finite and >= 0 Hz."""
        r = self._rates[0]
        ok = np.isfinite(r) & (r >= 0)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise ValueError(f"PoissonGroup {self.name!r}: rates[{i}] must be finite and >= 0 Hz, got {r[i]} "
                             f"(arrays edited in place are checked at the start of every run)")


class SpikeGeneratorGroup(Group):
    """Spikes of ``N`` neurons at explicitly given times.

    Parameters
    ----------
    N : int
        Number of neurons.
    indices : array of int, shape (n_spikes,)
        Neuron index of each spike, in ``[0, N)``.
    times : array of float, shape (n_spikes,)
        Spike times in seconds (>= 0).  A spike at time ``t`` is emitted in
        the step ``int((t + 1e-3*dt)/dt)`` (Brian2's rounding); two spikes
        of one neuron in the same step are an error, as in Brian2.
    name : str, optional
    """

    def __init__(self, N, indices, times, name=None):
        super().__init__(N, name)
        indices = as_array("indices", indices, "a 1-D array of neuron indices")
        times = as_array("times", times, "a 1-D array of spike times in seconds", dtype=np.float64)
        if indices.ndim != 1 or times.ndim != 1 or indices.shape != times.shape:
            raise ValueError(f"indices and times must be 1-D arrays of the same length, got shapes "
                             f"{indices.shape} and {times.shape}")
        if indices.size and not np.issubdtype(indices.dtype, np.integer):
            raise TypeError(f"indices must be integers, got dtype {indices.dtype}")
        if indices.size and (indices.min() < 0 or indices.max() >= self.N):
            bad = indices[(indices < 0) | (indices >= self.N)][0]
            raise ValueError(f"indices must be in [0, {self.N}), got {bad}")
        if not np.all(np.isfinite(times)) or (times.size and times.min() < 0):
            bad = times[~(np.isfinite(times) & (times >= 0))][0]
            raise ValueError(f"times must be finite and >= 0 s, got {bad}")
        self.indices = indices.astype(np.int64)
        self.times = times
        self.cursor = np.zeros(1, dtype=np.int64)

    def _event_steps(self, dt):
        """(steps, indices) sorted by step then index, checked (again: the arrays are public) and for duplicates."""
        idx, times = np.asarray(self.indices), np.asarray(self.times, dtype=np.float64)
        if idx.shape != times.shape or idx.ndim != 1:
            raise ValueError(f"SpikeGeneratorGroup {self.name!r}: indices and times must be 1-D arrays of the same "
                             f"length, got shapes {idx.shape} and {times.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.N):
            raise ValueError(f"SpikeGeneratorGroup {self.name!r}: indices must be in [0, {self.N}), got "
                             f"{idx[(idx < 0) | (idx >= self.N)][0]}")
        ok = np.isfinite(times) & (times >= 0) & (times / dt < MAX_STEPS)
        if not ok.all():
            raise ValueError(f"SpikeGeneratorGroup {self.name!r}: times must be finite, >= 0 s and below "
                             f"{MAX_STEPS:.3g} steps of dt={dt} s, got {times[~ok][0]}")
        steps = timestep(self.times, dt)
        order = np.lexsort((self.indices, steps))
        steps, idx = steps[order], self.indices[order]
        dup = (steps[1:] == steps[:-1]) & (idx[1:] == idx[:-1])
        if dup.any():
            k = int(np.flatnonzero(dup)[0])
            raise ValueError(f"SpikeGeneratorGroup {self.name!r}: neuron {idx[k]} spikes more than once in the "
                             f"time step {steps[k]} (t={steps[k] * dt} s) with dt={dt} s; use a smaller dt or "
                             f"remove the duplicate")
        return steps.astype(np.int64), idx

    def _state_arrays(self):
        d = super()._state_arrays()
        d.update(cursor=self.cursor)
        return d
