"""Where the experiment scripts are, and how one is imported (``spikesim run NAME`` and its users).

The command line, the documentation gallery and parameter sweeps all run
the scripts of ``experiments/`` by name; they find and import them here.
"""
from __future__ import annotations

import importlib.util
import pathlib
import sys


def experiments_dir() -> pathlib.Path:
    """The experiments folder: $SPIKESIM_EXPERIMENTS, ./experiments, or the one beside the package."""
    candidates = [pathlib.Path.cwd() / "experiments", pathlib.Path(__file__).resolve().parents[1] / "experiments"]
    for c in candidates:
        if (c / "cuba.py").exists():
            return c
    raise SystemExit("spikesim: cannot find the experiments/ folder; run from the spikesim repository")


def load_experiment(path: pathlib.Path):
    """Import an experiment script by path and return its module (it must define ``main(argv)``).

    Experiments may import each other (delays.py reuses cuba.py's constants), so the
    script's folder goes on ``sys.path``.
    """
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"spikesim_experiment_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not hasattr(mod, "main"):
        raise SystemExit(f"spikesim: {path} has no main() function")
    return mod


def available(folder: pathlib.Path) -> list[str]:
    """Names of the scripts in ``folder`` (experiments or benchmarks), sorted."""
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
