"""Input populations and injected currents.

* :class:`PoissonGroup` — independent Poisson spike trains.
* :class:`SpikeGeneratorGroup` — spikes at given times.
* :class:`InjectedCurrent` — a time-sampled current added to a NeuronGroup's ``I``.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_float, timestep
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

    def __init__(self, N, rates, name=None):
        super().__init__(N, name)
        self.rates = rates
        self.next_step = np.zeros(self.N, dtype=np.int64)
        self.draws = np.zeros(self.N, dtype=np.int64)
        self._rates_used = None  # rates the pending next_step were drawn with

    @property
    def rates(self):
        """Rates in Hz, array of shape (N,)."""
        return self._rates

    @rates.setter
    def rates(self, value):
        self._rates = check_array("rates", value, self.N, nonnegative=True, unit="Hz")

    def _state_arrays(self):
        d = super()._state_arrays()
        d.update(next_step=self.next_step, draws=self.draws, rates=self._rates)
        return d


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
        indices = np.asarray(indices)
        times = np.asarray(times, dtype=np.float64)
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
        """(steps, indices) sorted by step then index, checked for duplicates."""
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


class InjectedCurrent:
    """A time-sampled input added to a NeuronGroup's ``I`` term.

    At simulation step ``n`` the value is ``values[min(n // k, n_samples - 1)]``
    with ``k = sample_dt / dt`` (a whole number); the last sample is held.

    Parameters
    ----------
    values : array of shape (n_samples,) or (n_samples, N)
        The input in the model's ``I`` units (volts for ``lif_cuba`` and
        ``izhikevich``, amperes for ``lif_coba`` and ``adex``); one column
        per neuron, or one shared column.
    sample_dt : float
        Time between samples in seconds, a whole multiple of the network dt.
    """

    def __init__(self, values, sample_dt):
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2 or values.shape[0] == 0:
            raise ValueError(f"values must have shape (n_samples,) or (n_samples, N) with n_samples >= 1, "
                             f"got {values.shape}")
        if not np.all(np.isfinite(values)):
            raise ValueError("values must be finite, got NaN or inf")
        self.values = np.ascontiguousarray(values)
        self.sample_dt = check_float("sample_dt", sample_dt, positive=True, unit="s")

    def _check_size(self, N):
        if self.values.shape[1] not in (1, N):
            raise ValueError(f"values must have 1 or {N} columns for a group of {N} neurons, "
                             f"got {self.values.shape[1]}")

    def _steps_per_sample(self, dt):
        k = int(round(self.sample_dt / dt))
        if k < 1 or abs(k * dt - self.sample_dt) > 1e-6 * dt:
            raise ValueError(f"sample_dt must be a whole multiple of the network dt={dt} s, got {self.sample_dt} s")
        return k
