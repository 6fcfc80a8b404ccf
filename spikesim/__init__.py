"""spikesim: an event-driven spiking neural network simulator with a numba core.

The public API: build a network from :class:`NeuronGroup`, inputs and
:class:`Synapses`, add monitors, and :meth:`Network.run` it.
"""
from . import units
from .model import (InjectedCurrent, Network, NeuronGroup, PoissonGroup, SimulationError, SpikeGeneratorGroup,
                    Synapses)
from . import plasticity
from .monitors import PopulationRateMonitor, SpikeMonitor, StateMonitor, WeightMonitor

__version__ = "0.1.0"

__all__ = ["units", "NeuronGroup", "PoissonGroup", "SpikeGeneratorGroup", "InjectedCurrent", "Synapses",
           "Network", "SimulationError", "SpikeMonitor", "StateMonitor", "PopulationRateMonitor", "WeightMonitor",
           "plasticity"]
