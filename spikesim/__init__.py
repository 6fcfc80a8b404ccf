"""spikesim: an event-driven spiking neural network simulator with a numba core.

The public API: build a network from :class:`NeuronGroup`, inputs and
:class:`Synapses`, add monitors, and :meth:`Network.run` it.
"""
from . import _jitcache

_jitcache.configure()       # before any numba kernel is defined

from . import units  # noqa: E402
from .model import (Network, NeuronGroup, PoissonGroup, Presentation, SimulationError,  # noqa: E402
                    SpikeGeneratorGroup, Synapses, TimedArray)
from . import plasticity  # noqa: E402
from .monitors import PopulationRateMonitor, SpikeMonitor, StateMonitor, WeightMonitor  # noqa: E402

__version__ = "0.1.0"

__all__ = ["units", "NeuronGroup", "PoissonGroup", "SpikeGeneratorGroup", "TimedArray", "Synapses",
           "Network", "Presentation", "SimulationError", "SpikeMonitor", "StateMonitor", "PopulationRateMonitor", "WeightMonitor",
           "plasticity"]
