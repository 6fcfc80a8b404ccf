"""The ``spikesim`` command.

    spikesim run NAME [--duration S] [--seed N] [--out DIR] [options of NAME]
    spikesim bench NAME [options]        (experiments/benchmarks/NAME_vs_brian2.py or NAME.py)
    spikesim list

``run`` executes ``experiments/NAME.py``'s ``main(argv)``; ``spikesim run
NAME --help`` lists that experiment's options.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import sys


def experiments_dir():
    """The experiments folder: $SPIKESIM_EXPERIMENTS, ./experiments, or the one beside the package."""
    candidates = [pathlib.Path.cwd() / "experiments", pathlib.Path(__file__).resolve().parents[1] / "experiments"]
    for c in candidates:
        if (c / "cuba.py").exists():
            return c
    raise SystemExit("spikesim: cannot find the experiments/ folder; run from the spikesim repository")


def _load(path):
    spec = importlib.util.spec_from_file_location(f"spikesim_experiment_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not hasattr(mod, "main"):
        raise SystemExit(f"spikesim: {path} has no main() function")
    return mod


def _available(folder):
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="spikesim", description="spikesim: spiking network simulator")
    parser.add_argument("command", choices=["run", "bench", "list"])
    parser.add_argument("name", nargs="?")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    args, rest = parser.parse_known_args(argv[:2])
    rest = argv[2:]
    folder = experiments_dir()
    if args.command == "list":
        print("experiments:", ", ".join(_available(folder)))
        print("benchmarks: ", ", ".join(_available(folder / "benchmarks")))
        return 0
    if not args.name:
        parser.error(f"{args.command} needs a NAME (see 'spikesim list')")
    if args.command == "run":
        path = folder / f"{args.name}.py"
        choices = _available(folder)
    else:
        path = folder / "benchmarks" / f"{args.name}_vs_brian2.py"
        if not path.exists():
            path = folder / "benchmarks" / f"{args.name}.py"
        choices = _available(folder / "benchmarks")
    if not path.exists():
        parser.error(f"no {args.command} named {args.name!r}; choose from {', '.join(choices)}")
    _load(path).main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
