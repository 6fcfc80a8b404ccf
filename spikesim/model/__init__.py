from .inputs import InjectedCurrent, PoissonGroup, SpikeGeneratorGroup
from .network import Network, SimulationError
from .neurons import NeuronGroup
from .synapses import Synapses

__all__ = ["NeuronGroup", "PoissonGroup", "SpikeGeneratorGroup", "InjectedCurrent", "Synapses", "Network",
           "SimulationError"]
