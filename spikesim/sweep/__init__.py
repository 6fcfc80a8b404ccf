"""Parameter sweeps: many runs of a function or an experiment, on a Dask cluster.

>>> from spikesim.sweep import sweep, load_results, sweep_figure
>>> table = sweep("song2000", {"rate": [5, 10, 15, 20], "a_minus_ratio": [1.0, 1.05, 1.1]}, seeds=4,
...               args=["--duration", "20"], out="out/sweep_song2000")                 # doctest: +SKIP

Every grid point runs ``seeds`` times, each run with its own seed from
``numpy.random.SeedSequence(sweep_seed).spawn``; one row per run goes into the table
(``out/results.parquet``) as soon as the run is reported, and each run writes its own outputs into
``out/runs/<run>/``.  A second call with the same folder runs only the runs without a row.  By default
the runs go to a ``LocalCluster`` with one worker process per core; ``scheduler="tcp://host:8786"`` or a
``distributed.Client`` sends them to an existing cluster.  See docs/sweeps.md.

Needs the ``sweep`` extra (``pip install -e ".[sweep]"``: dask[distributed], pandas, pyarrow, bokeh).
"""
from .grid import Run, expand, parse_param, run_seeds
from .plot import grid_means, sweep_figure
from .run import sweep
from .table import load_results

__all__ = ["sweep", "load_results", "sweep_figure", "grid_means", "expand", "run_seeds", "parse_param", "Run"]
