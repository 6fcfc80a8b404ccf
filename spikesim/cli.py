"""The ``spikesim`` command.

    spikesim run NAME [--duration S] [--seed N] [--out DIR] [options of NAME]
    spikesim compare NAME [--duration S] [--target T] [--n N] [--out DIR]
    spikesim bench NAME [options]        (experiments/benchmarks/NAME_vs_brian2.py or NAME.py)
    spikesim train perceptron|mlp|lenet5 --data DIR [--epochs N] [--seed N] [--out DIR]
    spikesim convert MODEL.npz --data DIR [--timesteps 10,20,50,100,200] [--out DIR]
    spikesim figure activations [--out FILE]
    spikesim figures [--out DIR] [--quick] [--data DIR] [--only NAMES]   (the documentation's gallery)
    spikesim show-code NAME [--backend cpu|reference|cuda]   (a neuron preset, or an experiment's network)
    spikesim sweep NAME --param P=V1,V2 [--param ...] [--seeds N] [--out DIR] [--scheduler ADDR] [--workers N]
    spikesim sweep-plot DIR --field F --x P [--y Q]
    spikesim list

``run`` executes ``experiments/NAME.py``'s ``main(argv)``; ``spikesim run
NAME --help`` lists that experiment's options.

Errors: a bad argument, a missing file or a value the library refuses (a
``ValueError``, ``TypeError``, ``FileNotFoundError`` or
:class:`~spikesim.SimulationError`) ends the command with one line on
standard error and exit status 2; ``spikesim --debug ...`` shows the
traceback instead.  See docs/errors.md.
"""
from __future__ import annotations

import pathlib
import sys

from .catalog import available as _available, experiments_dir, load_experiment as _load
from .argtypes import ArgumentParser, fail, one_line, output_dir, positive_float, positive_int, seed

#: Exceptions that mean "the user asked for something that cannot be done", not a bug in spikesim:
#: one line and exit status 2 (the traceback with --debug).
USER_ERRORS = (ValueError, TypeError, FileNotFoundError, NotADirectoryError, IsADirectoryError, FileExistsError,
               PermissionError)


def _user_errors():
    from .model.network import SimulationError
    return USER_ERRORS + (SimulationError,)


def main(argv: list[str] | None = None) -> int:
    """Run the ``spikesim`` command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``spikesim`` (default: ``sys.argv[1:]``).  A
        leading ``--debug`` shows the traceback of an error instead of one line.

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    SystemExit
        Status 2, after one line on standard error, for a bad argument or an
        input the library refuses (see :data:`USER_ERRORS`).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    if debug:
        return _dispatch(argv)
    try:
        return _dispatch(argv)
    except _user_errors() as exc:
        words = [a for a in argv[:2] if not a.startswith("-")]
        if words and words[0] not in ("run", "compare", "bench"):
            words = words[:1]
        fail(" ".join(["spikesim", *words]),
             f"{one_line(exc) or type(exc).__name__} (run 'spikesim --debug ...' for the traceback)")


def _dispatch(argv):
    parser = ArgumentParser(prog="spikesim", description="spikesim: spiking network simulator",
                            epilog="spikesim --debug COMMAND ...: show the traceback of an error")
    parser.add_argument("command", choices=["run", "compare", "bench", "train", "convert", "figure", "figures",
                                            "show-code", "sweep", "sweep-plot", "list"])
    parser.add_argument("name", nargs="?")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    if argv[0] == "train":
        from .ann.train import main as train_main
        train_main(argv[1:])
        return 0
    if argv[0] == "convert":
        from .bridges.convert import main as convert_main
        convert_main(argv[1:])
        return 0
    if argv[0] == "figure":
        return figure_main(argv[1:])
    if argv[0] == "figures":
        from .gallery import main as figures_main
        return figures_main(argv[1:])
    if argv[0] == "show-code":
        return show_code_main(argv[1:])
    if argv[0] in ("sweep", "sweep-plot"):           # parameter sweeps on Dask: spikesim/sweep/cli.py
        from .sweep import cli as sweep_cli
        return (sweep_cli.sweep_main if argv[0] == "sweep" else sweep_cli.sweep_plot_main)(argv[1:])
    args, rest = parser.parse_known_args(argv[:2])
    rest = argv[2:]
    folder = experiments_dir()
    if args.command == "list":
        print("experiments:", ", ".join(_available(folder)))
        print("benchmarks: ", ", ".join(_available(folder / "benchmarks")))
        return 0
    if not args.name:
        parser.error(f"{args.command} needs a NAME (see 'spikesim list')")
    if args.command in ("run", "compare"):
        path = folder / f"{args.name}.py"
        choices = _available(folder)
    else:
        path = folder / "benchmarks" / f"{args.name}_vs_brian2.py"
        if not path.exists():
            path = folder / "benchmarks" / f"{args.name}.py"
        choices = _available(folder / "benchmarks")
    if not path.exists():
        parser.error(f"no {args.command} named {args.name!r}; choose from {', '.join(choices)}")
    if args.command == "compare":
        return compare_main(_load(path), args.name, rest)
    _load(path).main(rest)
    return 0


def figure_main(argv):
    """``spikesim figure activations``: the lecture's activation functions and their derivatives."""
    p = ArgumentParser(prog="spikesim figure")
    p.add_argument("name", choices=["activations"])
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/figures/activations.png"))
    args = p.parse_args(argv)
    import matplotlib
    matplotlib.use("Agg")
    from .plot.activations import activation_figure
    from .plot.style import lecture_style, savefig
    with lecture_style():
        fig = activation_figure()
        paths = savefig(fig, args.out)
    print(f"wrote {paths[0]}")
    return 0


def show_code_main(argv):
    """``spikesim show-code NAME``: the generated Python of a neuron preset, or of an experiment's whole network."""
    from .model.presets import PRESETS
    p = ArgumentParser(prog="spikesim show-code",
                                description="print the Python that spikesim generated and runs for a model")
    p.add_argument("name", help=f"a neuron preset ({', '.join(sorted(PRESETS))}) or an experiment with build()")
    p.add_argument("--backend", default="cpu", choices=["cpu", "reference", "cuda"])
    args = p.parse_args(argv)
    if args.name in PRESETS:
        from .model.neurons import NeuronGroup
        print(NeuronGroup(1, args.name).generated_code(args.backend))
        return 0
    path = experiments_dir() / f"{args.name}.py"
    if not path.exists():
        p.error(f"no preset or experiment named {args.name!r}; presets: {', '.join(sorted(PRESETS))}; "
                f"experiments: {', '.join(_available(experiments_dir()))}")
    mod = _load(path)
    if not hasattr(mod, "build"):
        p.error(f"experiment {args.name!r} has no build() function")
    built = mod.build()
    net = built[0] if isinstance(built, tuple) else built
    print(net.generated_code(args.backend))
    return 0


def compare_main(module, name, argv):
    """``spikesim compare NAME``: the experiment's network in spikesim and Brian2, report and figure."""
    import inspect

    from .compare.brian2 import TARGETS, compare
    p = ArgumentParser(prog=f"spikesim compare {name}")
    p.add_argument("--duration", type=positive_float, default=1.0, help="seconds (default 1)")
    p.add_argument("--target", default="numpy", choices=TARGETS, help="Brian2 target (default numpy)")
    p.add_argument("--mode", default="exact", choices=["exact", "statistical"])
    p.add_argument("--no-strict", action="store_true", help="let Brian2 compile with its default (fast-math) flags")
    p.add_argument("--n", type=positive_int, default=None, help="network size, where the experiment has one")
    p.add_argument("--seed", type=seed, default=1)
    p.add_argument("--record", type=positive_int, default=20, help="neurons whose state is compared every step")
    p.add_argument("--out", type=output_dir, default=None, help="default out/compare_NAME")
    args = p.parse_args(argv)
    if not hasattr(module, "build"):
        p.error(f"experiment {name!r} has no build() function to compare")
    kw = {"seed": args.seed}
    if args.n is not None:
        if "n" not in inspect.signature(module.build).parameters:
            p.error(f"experiment {name!r} has no size parameter n")
        kw["n"] = args.n
    built = module.build(**kw)
    net = built[0] if isinstance(built, tuple) else built
    from .model.neurons import NeuronGroup
    from .monitors.state import StateMonitor
    g = next(o for o in net.objects if isinstance(o, NeuronGroup))
    net.add(StateMonitor(g, g.variables, record=list(range(min(g.N, args.record))), name="_cmp_state"))
    report = compare(net, args.duration, target=args.target, strict=not args.no_strict, mode=args.mode)
    out = args.out or pathlib.Path("out") / f"compare_{name}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(report.to_json() + "\n")
    import matplotlib
    matplotlib.use("Agg")
    from .plot.comparison import comparison_figure
    from .plot.style import lecture_style
    with lecture_style():
        fig = comparison_figure(report)
        fig.savefig(out / "comparison.png")
    print(report)
    print(f"wrote {out}/report.json and {out}/comparison.png")
    return 0


def command() -> None:
    """The ``spikesim`` console script: :func:`main` on ``sys.argv``, then a quick exit.

    After a command that ran a network, the interpreter's teardown spends about a second in the garbage
    collector, going over every object that numba, matplotlib and Brian2 created, only to free them as
    the process ends.  Freezing them first (``gc.freeze``: later collections skip them) leaves the exit
    handlers and the module teardown as they are: files are still flushed and closed.
    """
    import gc
    try:
        code = main()
    finally:
        gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    command()
