"""StateMonitor: chosen state variables of chosen neurons over time."""
from __future__ import annotations

import numpy as np

from .._validate import MAX_STEPS, check_int
from ..model.neurons import NeuronGroup
from ._base import Monitor


class StateMonitor(Monitor):
    """Record state variables of some neurons every ``every`` steps.

    Values are recorded at the start of a step (before integration), at
    steps ``n`` with ``n % every == 0``, as Brian2's StateMonitor does.

    Parameters
    ----------
    group : NeuronGroup
    variables : str or sequence of str
        State variable names of the group's model (e.g. ``"v"``).
    record : True or array of int
        All neurons, or the indices to record.
    every : int
        Record every this many steps (>= 1).

    Notes
    -----
    After a run, ``mon.t`` has shape (n_times,) and ``mon.v`` shape
    (n_recorded, n_times): ``mon.v[k]`` is the trace of ``record[k]``.
    """

    def __init__(self, group, variables, record=True, every=1, name=None):
        super().__init__(group, name)
        if not isinstance(group, NeuronGroup):
            raise TypeError(f"group must be a NeuronGroup, got {type(group).__name__}")
        if isinstance(variables, str):
            variables = (variables,)
        if not isinstance(variables, (list, tuple)) or not all(isinstance(v, str) for v in variables):
            raise TypeError(f"variables must be a variable name or a list of names (of {list(group.variables)}), "
                            f"got {variables!r}")
        variables = tuple(variables)
        for v in variables:
            if v not in group.variables:
                raise ValueError(f"variables must be variables of the group's model ({list(group.variables)}), "
                                 f"got {v!r}")
        if not variables:
            raise ValueError("variables must name at least one state variable")
        self.variables = variables
        if record is True:
            idx = np.arange(group.N, dtype=np.int64)
        else:
            try:
                idx = np.atleast_1d(np.asarray(record))
            except ValueError:          # ragged nested lists
                raise TypeError(f"record must be True or a 1-D array of neuron indices, got {record!r}") from None
            if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
                raise TypeError(f"record must be True or a 1-D array of neuron indices, got {record!r}")
            if idx.size and (idx.min() < 0 or idx.max() >= group.N):
                raise ValueError(f"record indices must be in [0, {group.N}), got {idx[(idx < 0) | (idx >= group.N)][0]}")
            idx = idx.astype(np.int64)
        self.record = idx
        self.every = check_int("every", every, minimum=1, maximum=MAX_STEPS)

    def values(self, variable):
        """Recorded values of ``variable``, shape (n_recorded, n_times)."""
        if variable not in self.variables:
            raise ValueError(f"variable must be one of {list(self.variables)}, got {variable!r}")
        data = self._field("data", np.zeros((0, len(self.variables), self.record.size)))
        return data[:, self.variables.index(variable), :].T

    def __getattr__(self, name):
        if name in self.__dict__.get("variables", ()):
            return self.values(name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
