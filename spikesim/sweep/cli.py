"""``spikesim sweep`` and ``spikesim sweep-plot``.

    spikesim sweep EXPERIMENT --param NAME=V1,V2,... [--param ...] [--seeds N] [--out DIR]
                   [--scheduler ADDR | --workers N] [--sweep-seed N] [--retry-failed] [--no-warmup]
                   [--quiet] [options of EXPERIMENT, e.g. --duration 20]
    spikesim sweep-plot DIR --field FIELD --x PARAM [--y PARAM] [--where PARAM=VALUE ...] [--out FILE]

A bad argument prints one line on stderr and exits with status 2; an interrupted sweep exits with 130
and resumes when the same command is given again.
"""
from __future__ import annotations

import argparse
import pathlib
import sys


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors."""

    def error(self, message):
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _fail(prog, message):
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def _need_libraries(prog, dask=True):
    """Whether the sweep's libraries are installed: found, not imported (importing Dask takes 1-2 s, which
    a serial sweep or a figure of a finished one does not need)."""
    import importlib.util
    needed = ("distributed", "pandas", "pyarrow") if dask else ("pandas", "pyarrow")
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        print(f"{prog}: needs {', '.join(missing)} (not installed); pip install -e \".[sweep]\"", file=sys.stderr)
        return False
    return True


def sweep_main(argv):
    prog = "spikesim sweep"
    p = _Parser(prog=prog, allow_abbrev=False,
                description="Run an experiment over a parameter grid and seeds on a Dask cluster. Options not "
                            "listed here go to the experiment for every run (e.g. --duration 20).")
    p.add_argument("experiment", help="an experiment in experiments/ (see 'spikesim list')")
    p.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="a swept parameter and its values (repeat for a grid)")
    p.add_argument("--seeds", type=int, default=1, help="runs per grid point, each with its own seed (default 1)")
    p.add_argument("--sweep-seed", type=int, default=0, help="the seed the runs' seeds derive from (default 0)")
    p.add_argument("--out", type=pathlib.Path, default=None, help="sweep folder (default out/sweep_EXPERIMENT)")
    p.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="an existing Dask scheduler (tcp://host:8786); default: a local cluster")
    p.add_argument("--workers", type=int, default=None, help="local cluster's worker processes (default: cores)")
    p.add_argument("--serial", action="store_true", help="no Dask: the runs one after another in this process")
    p.add_argument("--retry-failed", action="store_true", help="rerun the runs recorded as failed")
    p.add_argument("--no-warmup", action="store_true", help="no warm-up run before the fan-out")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no messages")
    try:
        args, rest = p.parse_known_args(argv)
        if not args.param:
            raise _UsageError("give at least one --param NAME=V1,V2,...")
        if args.seeds < 1:
            raise _UsageError(f"--seeds must be >= 1, got {args.seeds}")
        if args.sweep_seed < 0:
            raise _UsageError(f"--sweep-seed must be >= 0, got {args.sweep_seed}")
        if args.workers is not None and args.workers < 1:
            raise _UsageError(f"--workers must be >= 1, got {args.workers}")
        if args.serial and (args.scheduler or args.workers):
            raise _UsageError("--serial runs without Dask; leave out --scheduler and --workers")
        if args.scheduler and args.workers:
            raise _UsageError("--workers sizes the local cluster; an existing --scheduler has its own workers")
        from .grid import parse_param
        grid = {}
        for spec in args.param:
            name, values = parse_param(spec)
            if name in grid:
                raise _UsageError(f"--param {name} given twice")
            grid[name] = values
    except (_UsageError, ValueError) as exc:
        return _fail(prog, exc)
    if not _need_libraries(prog, dask=not args.serial):
        return 1
    from .grid import expand
    from .run import sweep
    from .target import ExperimentTarget
    try:
        target = ExperimentTarget(args.experiment, rest)
        target.check(expand(grid, args.seeds, args.sweep_seed))
    except ValueError as exc:
        return _fail(prog, exc)
    out = args.out or pathlib.Path("out") / f"sweep_{args.experiment}"
    try:
        sweep(target, grid, seeds=args.seeds, sweep_seed=args.sweep_seed, out=out,
              scheduler="serial" if args.serial else args.scheduler, workers=args.workers,
              warmup=not args.no_warmup, retry_failed=args.retry_failed, progress=not args.quiet)
    except KeyboardInterrupt:
        return 130
    except (ValueError, RuntimeError) as exc:
        return _fail(prog, exc)
    return 0


def sweep_plot_main(argv):
    prog = "spikesim sweep-plot"
    p = _Parser(prog=prog, allow_abbrev=False, description="A summary field over a sweep's grid (heat map or line).")
    p.add_argument("folder", type=pathlib.Path, help="a sweep folder")
    p.add_argument("--field", required=True, help="a numeric field of the table, e.g. frac_above_0.9_wmax")
    p.add_argument("--x", required=True, help="parameter on the x axis")
    p.add_argument("--y", default=None, help="parameter on the y axis (heat map); without it, a line")
    p.add_argument("--where", action="append", default=[], metavar="PARAM=VALUE",
                   help="fix another swept parameter")
    p.add_argument("--out", type=pathlib.Path, default=None, help="image file (default DIR/FIELD_by_X[_Y].png)")
    try:
        args = p.parse_args(argv)
        from .grid import parse_value
        where = {}
        for spec in args.where:
            name, sep, value = spec.partition("=")
            if not sep or not name:
                raise _UsageError(f"--where must look like PARAM=VALUE, got {spec!r}")
            where[name.replace("-", "_")] = parse_value(value)
    except (_UsageError, ValueError) as exc:
        return _fail(prog, exc)
    if not _need_libraries(prog, dask=False):
        return 1
    from .plot import sweep_figure
    from .table import load_results
    try:
        table = load_results(args.folder)
        if not len(table):
            raise ValueError(f"{args.folder} holds no finished run yet")
        params = _params(args.folder)
        others = [q for q in params if q not in (args.x, args.y) and q not in where and table[q].nunique() > 1]
        if others:
            raise ValueError(f"the grid also varies {', '.join(others)}; fix it with --where "
                             f"{others[0]}=VALUE (values: {', '.join(map(str, sorted(table[others[0]].unique())))})")
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from ..plot import lecture_style, savefig
        with lecture_style():
            art = sweep_figure(table, args.field, args.x, args.y, where=where)
            fig = art.axes.figure if hasattr(art, "axes") else art.lines[0].axes.figure
            fig.tight_layout()
            safe = args.field.replace("/", "_")
            path = args.out or args.folder / f"{safe}_by_{args.x}{'_' + args.y if args.y else ''}.png"
            savefig(fig, path)
            plt.close(fig)
    except (ValueError, FileNotFoundError) as exc:
        return _fail(prog, exc)
    print(f"wrote {path}")
    return 0


def _params(folder):
    import json
    return list(json.loads((pathlib.Path(folder) / "sweep.json").read_text())["grid"])
