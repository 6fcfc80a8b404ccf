"""NeuronGroup: a population of one built-in neuron model."""
from __future__ import annotations

import numpy as np

from .._validate import check_array
from .groups import Group, resolve_value
from .neuron_models import MODELS, NeuronModel


class NeuronGroup(Group):
    """A population of ``N`` neurons of one built-in model.

    Parameters
    ----------
    N : int
        Number of neurons (>= 1).
    model : str or NeuronModel
        ``"lif_cuba"``, ``"lif_coba"``, ``"izhikevich"`` or ``"adex"``; each
        model's equations are in ``spikesim.model.neuron_models`` and in
        ``NeuronGroup.model.doc``.
    method : str, optional
        Integration method: ``"exact"`` for the linear LIF_CUBA model,
        ``"euler"`` (default), ``"rk2"`` or ``"rk4"`` for the others.
    refractory : float or array of shape (N,)
        Refractory period in seconds; the model's ``frozen`` variables do
        not change while ``step - lastspike_step < round(refractory/dt)``.
    current : InjectedCurrent, optional
        Time-sampled input added to the model's ``I`` term.
    adaptive_threshold : spikesim.plasticity.homeostasis.AdaptiveThreshold, optional
        Threshold ``v_th + theta`` with ``theta`` growing at each spike and
        decaying slowly; ``group.theta`` (volts, shape (N,)) holds it.
    name : str, optional
    **values
        Model parameters (e.g. ``tau_m=20*ms``) and initial values of state
        variables (e.g. ``v=-60*mV``): a scalar, an array of shape (N,), or a
        callable ``f(rng, N)`` drawing from the network's seeded generator.

    Examples
    --------
    >>> from spikesim import NeuronGroup
    >>> from spikesim.units import ms, mV
    >>> P = NeuronGroup(10, "lif_cuba", tau_m=20*ms, v=-60*mV, refractory=5*ms)
    >>> P.v[:3]
    array([-0.06, -0.06, -0.06])
    """

    def __init__(self, N, model="lif_cuba", *, method=None, refractory=0.0, current=None,
                 adaptive_threshold=None, name=None, **values):
        super().__init__(N, name)
        if isinstance(model, str):
            if model not in MODELS:
                raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
            model = MODELS[model]
        elif not isinstance(model, NeuronModel):
            raise TypeError(f"model must be a model name or NeuronModel, got {model!r}")
        self.model = model
        if method is None:
            method = model.methods[0]
        if method not in model.methods:
            raise ValueError(f"method for model {model.name!r} must be one of {list(model.methods)}, got {method!r}")
        self.method = method
        unknown = set(values) - set(model.params) - set(model.variables)
        if unknown:
            raise ValueError(f"unknown name(s) {sorted(unknown)} for model {model.name!r}: parameters are "
                             f"{list(model.params)}, state variables {list(model.variables)}")
        self._params = np.empty((len(model.params), self.N))
        for k, p in enumerate(model.params):
            self._params[k] = self._check_param(p, values.get(p, model.defaults[p]))
        self._state = np.zeros((len(model.variables), self.N))
        self._pending = {}
        for k, var in enumerate(model.variables):
            if var in values:
                init = values[var]
                if isinstance(init, str):
                    raise TypeError(f"{var} must be a number, an array of {self.N} numbers or a callable "
                                    f"f(rng, N), got {init!r}")
            else:
                init = model.initial[var]
            if isinstance(init, str):  # default tied to a parameter
                init = self._params[model.params.index(init)].copy()
            if init is None and model.name == "izhikevich":
                init = self._params[model.params.index("b")] * self._state[0]
            if callable(init):
                self._pending[var] = init
            else:
                self._state[k] = check_array(var, init, self.N)
        self.refractory = refractory
        if current is not None:
            from .inputs import InjectedCurrent
            if not isinstance(current, InjectedCurrent):
                raise TypeError(f"current must be an InjectedCurrent, got {type(current).__name__}")
            current._check_size(self.N)
        self.current = current
        from ..plasticity.homeostasis import AdaptiveThreshold
        if adaptive_threshold is not None and not isinstance(adaptive_threshold, AdaptiveThreshold):
            raise TypeError(f"adaptive_threshold must be an AdaptiveThreshold, got {type(adaptive_threshold).__name__}")
        self.adaptive_threshold = adaptive_threshold
        self.theta = np.zeros(self.N if adaptive_threshold is not None else 0)

    def _check_param(self, p, value):
        return check_array(p, value, self.N, positive=p in self.model.positive)

    # --- refractory period
    @property
    def refractory(self):
        """Refractory period in seconds, array of shape (N,)."""
        return self._refractory

    @refractory.setter
    def refractory(self, value):
        self._refractory = check_array("refractory", value, self.N, nonnegative=True, unit="s")

    # --- attribute access to variables and parameters
    def __getattr__(self, name):
        model = self.__dict__.get("model")
        if model is not None:
            if name in model.variables:
                if name in self.__dict__["_pending"]:
                    raise RuntimeError(f"{name} is drawn from the network's RNG; run the network (or call "
                                       f"Network.build()) before reading it")
                return self.__dict__["_state"][model.variables.index(name)]
            if name in model.params:
                return self.__dict__["_params"][model.params.index(name)]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name, value):
        model = self.__dict__.get("model")
        if model is not None and name in model.variables:
            k = model.variables.index(name)
            if callable(value):
                self._pending[name] = value
            else:
                self._state[k] = check_array(name, value, self.N)
                self._pending.pop(name, None)
        elif model is not None and name in model.params:
            self._params[model.params.index(name)] = self._check_param(name, value)
        else:
            super().__setattr__(name, value)

    def _resolve(self, rng, dt):
        for var, f in list(self._pending.items()):
            self._state[self.model.variables.index(var)] = resolve_value(var, f, self.N, rng)
            del self._pending[var]

    def _state_arrays(self):
        d = super()._state_arrays()
        d.update(state=self._state, params=self._params, refractory=self._refractory, theta=self.theta)
        return d
