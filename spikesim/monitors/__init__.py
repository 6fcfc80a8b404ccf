from .spikes import SpikeMonitor
from .state import StateMonitor
from .rate import PopulationRateMonitor

__all__ = ["SpikeMonitor", "StateMonitor", "PopulationRateMonitor"]
