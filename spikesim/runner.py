"""The harness shared by the scripts in ``experiments/``.

Each experiment script builds its network, calls :func:`experiment_parser`
for the common options and :func:`finish` to write the standard outputs:
``summary.json``, ``spikes.npz`` (arrays ``i``, ``t``, ``population``) and
``raster.png``, and to print a one-paragraph summary.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import pathlib
import sys
import time

import numpy as np

from .argtypes import ArgumentParser, output_dir, positive_float, positive_int, seed as seed_type

_renderer = None


def _render_raster(spike_monitors, title, path, raster_kw):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from .plot import lecture_style, raster, savefig
    with lecture_style():
        fig = Figure(figsize=(10, 6))
        ax = fig.subplots()
        raster(spike_monitors, ax=ax, with_rate=True, **(raster_kw or {}))
        ax.set_title(title)
        savefig(fig, path)


def _renderer_main(conn):
    import matplotlib  # the slow import overlaps with the parent's simulation
    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: F401
    job = conn.recv()
    if job is None:
        return
    try:
        _render_raster(*job)
        conn.send(None)
    except Exception as exc:  # pragma: no cover - reported by the parent
        conn.send(repr(exc))


class _Renderer:
    """A forked process that imports matplotlib while the parent simulates, then draws the raster."""

    def __init__(self):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_renderer_main, args=(child,), daemon=True)
        self.proc.start()

    def render(self, *job):
        self.conn.send(job)
        err = self.conn.recv()
        self.proc.join()
        if err is not None:
            raise RuntimeError(f"drawing the raster failed: {err}")


def start_background_renderer():
    """Start importing matplotlib in a child process (POSIX only); :func:`finish` uses it.

    Not where matplotlib is imported already (nothing left to overlap: a sweep worker's later runs), nor in
    a daemonic process, which may not start children (a Dask worker).
    """
    global _renderer
    if "matplotlib.figure" in sys.modules or multiprocessing.current_process().daemon:
        return
    if _renderer is None and "fork" in multiprocessing.get_all_start_methods():
        try:
            _renderer = _Renderer()
        except OSError:  # pragma: no cover
            _renderer = None


def experiment_parser(name: str, description: str, *, duration: float | None = 1.0,
                      seed: int = 1) -> argparse.ArgumentParser:
    """The parser of an experiment script, with ``--duration --seed --out --backend --quiet``.

    Every option is checked where it is read (a positive duration, a seed in
    [0, 2**63 - 1], an output folder that can be created); a bad value ends
    the command with one line on standard error and exit status 2, before
    anything runs (:mod:`spikesim.argtypes`).

    Parameters
    ----------
    name : str
        The experiment's name (``spikesim run NAME``).
    description : str
        One line for ``--help``.
    duration : float or None
        Default of ``--duration`` in seconds; None: the experiment fixes its
        own duration and has no ``--duration`` option.
    seed : int
        Default of ``--seed``.

    Returns
    -------
    argparse.ArgumentParser
        A :class:`spikesim.argtypes.ArgumentParser`; add the experiment's own options to it.
    """
    start_background_renderer()
    p = ArgumentParser(prog=f"spikesim run {name}", description=description)
    if duration is not None:
        p.add_argument("--duration", type=positive_float, default=duration,
                       help=f"biological time in seconds, > 0 (default {duration:g})")
    p.add_argument("--seed", type=seed_type, default=seed, help=f"random seed, >= 0 (default {seed})")
    p.add_argument("--out", type=output_dir, default=pathlib.Path("out") / name,
                   help=f"output directory (default out/{name})")
    p.add_argument("--backend", default="cpu", choices=["cpu", "reference", "cuda"])
    p.add_argument("--quiet", action="store_true", help="no progress bar and no printed summary")
    return p


def timed_run(net, duration, args):
    """Run ``net`` and return the wall time of the simulation itself in seconds."""
    t0 = time.perf_counter()
    net.run(duration, backend=args.backend, progress=False if args.quiet else None)
    return time.perf_counter() - t0


def finish(name, net, spike_monitors, args, sim_wall_s, extra=None, raster_kw=None):
    """Write the standard outputs of an experiment and return its summary dict.

    Parameters
    ----------
    name : str
    net : Network
    spike_monitors : list of SpikeMonitor
        Populations, stacked in this order in ``spikes.npz`` and the raster.
    args : argparse.Namespace
        From :func:`experiment_parser` (``out``, ``seed``, ``duration``, ...).
    sim_wall_s : float
        Wall time of the simulation.
    extra : dict, optional
        More entries for ``summary.json``.
    """
    global _renderer
    from .model.neurons import NeuronGroup
    from .model.synapses import Synapses

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    groups = [o for o in net.objects if isinstance(o, NeuronGroup)]
    n_neurons = sum(g.N for g in groups)
    n_syn = sum(len(s) for s in net.objects if isinstance(s, Synapses))
    i_all, t_all, pop, offset = [], [], [], 0
    for k, m in enumerate(spike_monitors):
        i_all.append(m.i + offset)
        t_all.append(m.t)
        pop.append(np.full(m.num_spikes, k, dtype=np.int16))
        offset += m.group.N
    i_all = np.concatenate(i_all) if i_all else np.zeros(0, np.int64)
    t_all = np.concatenate(t_all) if t_all else np.zeros(0)
    np.savez(out / "spikes.npz", i=i_all, t=t_all, population=np.concatenate(pop) if pop else np.zeros(0, np.int16))
    neuron_spikes = sum(m.num_spikes for m in spike_monitors if isinstance(m.group, NeuronGroup))
    summary = dict(
        experiment=name, n_neurons=int(n_neurons), n_synapses=int(n_syn), n_spikes=int(neuron_spikes),
        mean_rate_hz=float(neuron_spikes / max(n_neurons, 1) / net.t) if net.t > 0 else 0.0,
        duration_s=float(net.t), sim_wall_s=float(sim_wall_s), seed=int(net.seed), backend=args.backend,
        dt_s=float(net.dt),
    )
    summary.update(extra or {})
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    pops = [(m.i, m.t, m.group.N, m.group.name) for m in spike_monitors]      # plain arrays: sent to the renderer
    job = (pops, f"{name}: {n_neurons} neurons, {summary['mean_rate_hz']:.1f} Hz mean rate",
           out / "raster.png", raster_kw)
    if _renderer is not None:
        renderer, _renderer = _renderer, None
        renderer.render(*job)
    else:
        _render_raster(*job)
    if not args.quiet:
        print(f"{name}: simulated {summary['duration_s']:g} s of a network of {n_neurons} neurons and {n_syn} "
              f"synapses (seed {summary['seed']}, dt {net.dt * 1e3:g} ms, {args.backend} backend) in "
              f"{sim_wall_s:.3f} s of wall time; {neuron_spikes} spikes, mean rate {summary['mean_rate_hz']:.2f} Hz. "
              f"Wrote summary.json, spikes.npz and raster.png to {out}/.")
    return summary


def network_experiment_main(name, doc, build, argv=None, n=4000):
    """``main()`` of an experiment that builds one population with ``build(n, seed)``, runs it and reports.

    Adds ``--n`` (network size) to the common options.
    """
    parser = experiment_parser(name, doc.splitlines()[0])
    parser.add_argument("--n", type=positive_int, default=n, help=f"number of neurons, >= 1 (default {n})")
    args = parser.parse_args(argv)
    net, P, M = build(args.n, args.seed)
    net.build()
    wall = timed_run(net, args.duration, args)
    return finish(name, net, [M], args, wall)
