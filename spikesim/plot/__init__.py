"""Lecture figures: each function takes an optional ``ax``, returns the artist, never calls ``show()``."""
from .raster import raster
from .rate import population_rate
from .style import lecture_style, savefig
from .traces import traces

__all__ = ["raster", "traces", "population_rate", "lecture_style", "savefig"]
