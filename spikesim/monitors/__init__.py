from .spikes import SpikeMonitor
from .state import StateMonitor
from .rate import PopulationRateMonitor
from .weights import WeightMonitor

__all__ = ["SpikeMonitor", "StateMonitor", "PopulationRateMonitor", "WeightMonitor"]
