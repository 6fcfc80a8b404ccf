"""What a sweep runs, and the task that runs one of its runs on a worker.

Two kinds of target:

* :class:`FunctionTarget` -- a Python function called as ``fn(**params, seed=seed, out=folder, **kwargs)``
  (``out`` only if the function takes it) that returns its summary as a dict;
* :class:`ExperimentTarget` -- ``experiments/NAME.py``, whose ``main(argv)`` gets the run's parameters as
  options (``a_minus_ratio`` -> ``--a-minus-ratio 1.05``) plus ``--seed``, ``--out`` and ``--quiet``, and
  writes ``summary.json`` through :func:`spikesim.runner.finish`.

:func:`execute` runs one run into a fresh temporary folder, which the driver renames to the run's folder
when it records the row (:meth:`spikesim.sweep.table.SweepFolder.commit`): a run killed half way leaves
no half-written folder under its name, and a run executed twice (Dask recomputes the finished results of
a worker that died) leaves one folder, the one of its row.  It never raises for a failing run: the error
becomes part of the returned row.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import pathlib
import sys
import time
import traceback
import uuid
from unittest import mock

import numpy as np

#: options of an experiment that the sweep sets for every run
RESERVED = ("seed", "out", "quiet", "help")


class FunctionTarget:
    """Run ``fn(**params, seed=..., [out=...], **kwargs)`` for every run."""

    kind = "function"

    def __init__(self, fn, kwargs=None):
        if not callable(fn):
            raise TypeError(f"target must be a function or an experiment name, got {fn!r}")
        self.fn = fn
        self.kwargs = dict(kwargs or {})
        sig = inspect.signature(fn)
        self._any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
        self._names = {name for name, p in sig.parameters.items()
                       if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        self.takes_out = "out" in self._names or self._any
        self.label = f"function:{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"

    def check(self, runs):
        """Raise ValueError if the function cannot take the sweep's parameters."""
        names = list(runs[0].params) + list(self.kwargs) + ["seed"]
        clash = set(runs[0].params) & (set(self.kwargs) | {"seed", "out"})
        if clash:
            raise ValueError(f"{sorted(clash)} cannot be both swept and fixed (seed and out are set per run)")
        missing = [n for n in names if n not in self._names and not self._any]
        if missing:
            raise ValueError(f"{self.label} takes no parameter {', '.join(map(repr, missing))}")

    def prepare(self):
        """Import what the runs need (the function itself came with the task)."""
        import spikesim  # noqa: F401

    def call(self, run, out):
        kw = {**self.kwargs, **run.params, "seed": run.seed}
        if self.takes_out:
            kw["out"] = out
        result = self.fn(**kw)
        if result is None and (out / "summary.json").exists():
            result = json.loads((out / "summary.json").read_text())
        if result is None:
            return {}
        if not isinstance(result, dict):
            raise TypeError(f"{self.label} returned {type(result).__name__}, expected a dict (the run's summary)")
        return result


class ExperimentTarget:
    """Run ``experiments/NAME.py``'s ``main(argv)`` for every run."""

    kind = "experiment"

    def __init__(self, name, args=()):
        from ..catalog import available, experiments_dir
        folder = experiments_dir()
        path = folder / f"{name}.py"
        if not path.exists():
            raise ValueError(f"no experiment named {name!r}; choose from {', '.join(available(folder))}")
        self.name = name
        self.path = str(path)
        self.args = [str(a) for a in args]
        self.label = f"experiment:{name}"
        parser = experiment_parser_of(load_experiment(self.path))
        self._parser = parser
        self._actions = {a.dest: a for a in parser._actions}
        #: parameter -> (option string, whether it is a flag); what the workers need to write the options
        self.options = {d: (a.option_strings[-1], a.nargs == 0) for d, a in self._actions.items() if a.option_strings}
        fixed = self._parse(self.args, probe=True)
        given = [d for d in RESERVED if getattr(fixed, d) is not _UNSET]
        if given:
            raise ValueError(f"{name}: --{given[0]} is set by the sweep for every run; leave it out")
        self._fixed = fixed

    def __getstate__(self):             # the parser stays on the driver
        return {k: v for k, v in self.__dict__.items() if k not in ("_parser", "_actions", "_fixed")}

    def _parse(self, argv, probe=False):
        def error(message):
            raise ValueError(f"{self.name}: {message}")
        self._parser.error = error
        ns = argparse.Namespace(**{d: _UNSET for d in self._actions}) if probe else None
        return self._parser.parse_args(argv, namespace=ns)

    def check(self, runs):
        """Raise ValueError unless every run's options parse (names, types, choices)."""
        for name in runs[0].params:
            if name in RESERVED:
                raise ValueError(f"{self.name}: {name} is set by the sweep for every run and cannot be swept"
                                 + (" (use --seeds for replicates)" if name == "seed" else ""))
            if name not in self.options:
                known = sorted(d for d in self.options if d not in RESERVED)
                raise ValueError(f"{self.name} has no option for parameter {name!r}; its options: "
                                 + ", ".join(known))
            if getattr(self._fixed, name) is not _UNSET:
                raise ValueError(f"{self.name}: {name} is both swept and given as a fixed option")
        for run in runs:
            self._parse(self.argv(run, "OUT"))

    def argv(self, run, out):
        argv = list(self.args)
        for name, value in run.params.items():
            option, flag = self.options[name]
            if flag:
                if _truthy(value):
                    argv.append(option)
            else:
                argv += [option, str(value)]
        return argv + ["--seed", str(run.seed), "--out", str(out), "--quiet"]

    def prepare(self):
        """Import the experiment and matplotlib (it draws in this process: no renderer forked per run)."""
        path = self.path
        if not os.path.exists(path):            # a worker whose copy of the repository lives elsewhere
            from ..catalog import experiments_dir
            path = str(experiments_dir() / f"{self.name}.py")
        import matplotlib.figure  # noqa: F401
        return load_experiment(path)

    def call(self, run, out):
        module = self.prepare()
        result = module.main(self.argv(run, out))
        if not isinstance(result, dict):
            summary = out / "summary.json"
            if not summary.exists():
                raise RuntimeError(f"{self.name}.main() returned no summary and wrote no summary.json")
            result = json.loads(summary.read_text())
        return result


class _Unset:
    def __repr__(self):
        return "<unset>"


_UNSET = _Unset()


def _truthy(value):
    if isinstance(value, str):
        if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"a flag takes true/false, got {value!r}")
        return value.lower() in ("true", "1", "yes")
    return bool(value)


class _Parsed(Exception):
    pass


def experiment_parser_of(module):
    """The ArgumentParser that ``module.main()`` builds, read without running the experiment.

    ``main`` is called with ``parse_known_args`` replaced by a function that hands back the parser and
    stops; the background renderer of :mod:`spikesim.runner` is not started.
    """
    found = []

    def grab(parser, args=None, namespace=None):
        found.append(parser)
        raise _Parsed

    with mock.patch.object(argparse.ArgumentParser, "parse_known_args", grab), \
            mock.patch("spikesim.runner.start_background_renderer", lambda: None):
        try:
            module.main([])
        except _Parsed:
            pass
    if not found:
        raise ValueError(f"{module.__file__}: main() builds no argparse parser, so it cannot be swept")
    return found[0]


_modules = {}     # experiment path -> module, once per process (the worker's import cache)


def load_experiment(path):
    if path not in _modules:
        from ..catalog import load_experiment
        _modules[path] = load_experiment(pathlib.Path(path))
    return _modules[path]


def plain(value):
    """A value a Parquet column can hold: numbers, strings, booleans, None; anything else as JSON."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, pathlib.PurePath):
        return str(value)
    return json.dumps(value, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))


def worker_address():
    """The Dask worker running this task, or ``"local"`` outside Dask.

    A process that has not imported Dask is not one of its workers: a serial sweep does not pay the
    import (1-2 s) for its first row.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return "local"
    try:
        return distributed.get_worker().address
    except ValueError:
        return "local"


def execute(target, run, folder, width=4):
    """Run ``run`` of ``target`` into a new temporary folder under ``folder/runs``; return its row (a dict).

    The row holds the parameters, ``replicate``, ``seed``, ``status`` ("ok" or "error"), ``error`` (the
    exception, None if ok), every field of the run's summary, ``wall_s``, ``worker``, ``out`` (the run's
    folder, relative to ``folder``) and ``_tmp``, where the outputs are until the driver records the row
    and moves them to ``out`` (:meth:`SweepFolder.commit`).  A failing run writes its traceback to
    ``error.txt``.
    """
    folder = pathlib.Path(folder)
    runs = folder / "runs"
    name = run.folder_name(width)
    tmp = runs / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    t0 = time.perf_counter()
    summary, error = {}, None
    try:
        summary = target.call(run, tmp)
    except (Exception, SystemExit) as exc:      # SystemExit: an experiment's argparse or sys.exit
        error = f"{type(exc).__name__}: {exc}".strip()
        (tmp / "error.txt").write_text(traceback.format_exc())
    wall = time.perf_counter() - t0
    row = {"run": run.index, **run.params, "replicate": run.replicate, "seed": run.seed,
           "status": "ok" if error is None else "error", "error": error}
    for key, value in summary.items():
        if key not in row:
            row[str(key)] = plain(value)
    row.update(wall_s=wall, worker=worker_address(), out=f"runs/{name}", _tmp=f"runs/{tmp.name}")
    return row


def prepare(target):
    """Import what ``target`` needs, compiling nothing (while another worker of the host warms up)."""
    t0 = time.perf_counter()
    target.prepare()
    return time.perf_counter() - t0
