from .inputs import PoissonGroup, SpikeGeneratorGroup
from .network import Network, SimulationError
from .neurons import NeuronGroup
from .presentation import Presentation
from .synapses import Synapses

from .timed import TimedArray

__all__ = ["NeuronGroup", "PoissonGroup", "SpikeGeneratorGroup", "TimedArray", "Synapses", "Network",
           "Presentation", "SimulationError"]
