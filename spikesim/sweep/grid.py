"""The runs of a sweep: every point of a parameter grid times a number of seeds, in one fixed order.

Runs are numbered grid point by grid point (the first parameter varies slowest), replicates innermost.
Run ``k`` gets the seed ``SeedSequence(sweep_seed).spawn(n_runs)[k]``, drawn as one 32-bit integer, so a
run's seed depends only on the sweep seed and its place in the grid, never on which worker runs it or when.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Run:
    """One run of a sweep.

    Attributes
    ----------
    index : int
        Place in the sweep (0 .. n_runs-1).
    params : dict
        The grid point: parameter name -> value.
    replicate : int
        Which of the point's seeds (0 .. seeds-1).
    seed : int
        The run's own seed, from ``SeedSequence(sweep_seed).spawn``.
    """

    index: int
    params: dict
    replicate: int
    seed: int

    def folder_name(self, width=4):
        """``0007_rate=10_a_minus_ratio=1.05_r1``: readable, unique, safe as a file name."""
        parts = [f"{self.index:0{width}d}"] + [f"{k}={v}" for k, v in self.params.items()] + [f"r{self.replicate}"]
        name = re.sub(r"[^A-Za-z0-9_.=+-]", "-", "_".join(parts))
        return name[:120]


def parse_value(text):
    """``"5"`` -> 5, ``"1.05"`` -> 1.05, anything else stays a string."""
    text = text.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_param(spec):
    """``"rate=5,10,15"`` -> ``("rate", [5, 10, 15])``; a list mixing ints and floats becomes all floats."""
    name, sep, values = spec.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not _NAME.match(name) or not values.strip():
        raise ValueError(f"--param must look like NAME=V1,V2,... (e.g. rate=5,10,15), got {spec!r}")
    items = [parse_value(v) for v in values.split(",")]
    if any(v == "" for v in items):
        raise ValueError(f"--param {name}: empty value in {values!r}")
    if any(isinstance(v, float) for v in items) and all(isinstance(v, (int, float)) for v in items):
        items = [float(v) for v in items]
    return name, items


def check_grid(grid):
    """A validated copy of ``grid``: parameter name -> list of distinct scalar values."""
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"grid must be a non-empty dict of parameter name -> values, got {grid!r}")
    out = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"grid parameter names must be Python identifiers, got {name!r}")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ValueError(f"grid[{name!r}] must be a list of values, got {values!r}")
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
        if not values:
            raise ValueError(f"grid[{name!r}] is empty")
        for v in values:
            if not isinstance(v, (bool, int, float, str)):
                raise ValueError(f"grid[{name!r}] values must be numbers or strings, got {v!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"grid[{name!r}] lists a value twice: {values!r}")
        out[name] = values
    return out


def run_seeds(n_runs, sweep_seed):
    """The per-run seeds: one 32-bit integer from each of ``SeedSequence(sweep_seed).spawn(n_runs)``."""
    children = np.random.SeedSequence(sweep_seed).spawn(n_runs)
    return [int(c.generate_state(1, np.uint32)[0]) for c in children]


def expand(grid, seeds=1, sweep_seed=0):
    """The runs of ``grid`` x ``seeds`` replicates, in sweep order (list of :class:`Run`)."""
    grid = check_grid(grid)
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer (replicates per grid point), got {seeds!r}")
    if isinstance(sweep_seed, bool) or not isinstance(sweep_seed, (int, np.integer)) or sweep_seed < 0:
        raise ValueError(f"sweep_seed must be an integer >= 0, got {sweep_seed!r}")
    names = list(grid)
    points = [dict(zip(names, combo)) for combo in itertools.product(*grid.values())]
    n = len(points) * int(seeds)
    seed_list = run_seeds(n, int(sweep_seed))
    return [Run(index=k, params=points[k // seeds], replicate=k % seeds, seed=seed_list[k]) for k in range(n)]
