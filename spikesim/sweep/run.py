"""Run a sweep: warm the numba cache, fan the runs out over a Dask cluster, record every row as it comes."""
from __future__ import annotations

import os
import pathlib
import sys
import threading
import time
import uuid

from .grid import check_grid, expand
from .table import SweepFolder
from .target import ExperimentTarget, FunctionTarget, execute, prepare


def sweep(target, grid, *, seeds=1, out, sweep_seed=0, args=(), kwargs=None, scheduler=None, workers=None,
          warmup=True, retry_failed=False, progress=True):
    """Run ``target`` at every point of ``grid``, ``seeds`` times each, and return the results table.

    Parameters
    ----------
    target : callable or str
        A function called as ``target(**params, seed=seed, out=folder, **kwargs)`` (``out`` only if it takes
        it) that returns its summary as a dict, or the name of an experiment in ``experiments/``, whose
        ``main(argv)`` gets each parameter as an option (``a_minus_ratio=1.1`` -> ``--a-minus-ratio 1.1``).
    grid : dict
        Parameter name -> list of values; every combination is a grid point.
    seeds : int
        Runs per grid point (replicates), each with its own seed.
    out : path
        The sweep's folder (see :mod:`spikesim.sweep.table`).  Calling again with the same folder and the
        same sweep runs only the runs that have no row yet.
    sweep_seed : int
        Run ``k`` gets the seed ``SeedSequence(sweep_seed).spawn(n_runs)[k]`` (as one 32-bit integer).
    args : sequence of str
        Fixed options for an experiment (``["--duration", "20"]``).
    kwargs : dict
        Fixed keyword arguments for a function.
    scheduler : None, str or distributed.Client
        None: a ``LocalCluster`` with ``workers`` processes (default: one per core), closed at the end;
        ``"tcp://host:8786"``: an existing Dask scheduler; a ``Client``: use it as it is; ``"serial"``: no
        Dask, the runs one after another in this process.
    workers : int, optional
        Worker processes of the local cluster.
    warmup : bool
        Compile once: before the runs fan out, one run per machine fills that machine's numba cache, so
        the workers load the kernels rather than all compiling them into one cache at the same time.  With
        the local cluster this first run runs in this process while the scheduler starts, and the worker
        processes start after it (forked on Linux: they inherit the imports and the loaded kernels); with
        an existing cluster it runs on one worker of each host while the other workers import.  These are
        ordinary runs of the sweep (recorded like the others).  False: every worker starts at once.
    retry_failed : bool
        Also rerun the runs recorded as failed.
    progress : bool
        Show a progress bar (on stderr) and print what the sweep does.

    Returns
    -------
    pandas.DataFrame
        One row per run: ``run``, the parameters, ``replicate``, ``seed``, ``status``, ``error``, every field
        of the run's summary, ``wall_s``, ``worker``, ``out``.

    Examples
    --------
    >>> from spikesim.sweep import sweep
    >>> table = sweep("song2000", {"rate": [10, 20], "a_minus_ratio": [1.0, 1.1]}, seeds=2,
    ...               args=["--duration", "20"], out="out/sweep_song2000")           # doctest: +SKIP
    """
    from .. import _jitcache
    say = _printer(progress)
    if isinstance(target, (ExperimentTarget, FunctionTarget)):
        pass
    elif isinstance(target, str):
        if kwargs:
            raise ValueError("kwargs are for a function target; give an experiment's fixed options as args")
        target = ExperimentTarget(target, args)
    else:
        if args:
            raise ValueError("args are an experiment's fixed options; give a function's as kwargs")
        target = FunctionTarget(target, kwargs)
    runs = expand(grid, seeds, sweep_seed)
    target.check(runs)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if workers is not None and scheduler is not None:
        raise ValueError("workers sets the size of the local cluster (scheduler=None); "
                         f"scheduler={scheduler!r} has its own")
    folder = SweepFolder(pathlib.Path(out).resolve())
    manifest = dict(target=target.label, grid=check_grid(grid), seeds=int(seeds), sweep_seed=int(sweep_seed),
                    args=list(getattr(target, "args", [])), kwargs=getattr(target, "kwargs", {}),
                    n_runs=len(runs), source_hash=_jitcache.source_hash())
    with folder.lock():
        folder.check_manifest(manifest)
        folder.clean()
        done = folder.load()
        keep = done[done["status"] == "ok"] if retry_failed else done
        recorded = set(int(r) for r in keep["run"])
        todo = [r for r in runs if r.index not in recorded]
        n_failed = int((done["status"] == "error").sum())
        say(f"sweep {target.label}: {len(runs)} runs ({len(runs) // seeds} points x {seeds} seeds) into "
            f"{folder.path}; {len(recorded)} recorded already"
            + (f" ({n_failed} failed: --retry-failed / retry_failed=True reruns them)"
               if n_failed and not retry_failed else "")
            + f", {len(todo)} to run")
        width = max(4, len(str(len(runs) - 1)))
        try:
            if todo and scheduler == "serial":
                _run_serial(target, todo, folder, width, progress, say)
            elif todo:
                _run_dask(target, todo, folder, width, scheduler, workers, warmup, progress, say)
        except KeyboardInterrupt:
            n = len(folder.load())
            print(f"sweep interrupted: {n} of {len(runs)} runs recorded in {folder.path}; the same call "
                  f"(or command) runs the rest", file=sys.stderr)
            raise
        folder.consolidate()
        folder.clean()
        table = folder.load()
    n_err = int((table["status"] == "error").sum())
    say(f"sweep {target.label}: {len(table)} of {len(runs)} runs recorded, {n_err} failed; table "
        f"{folder.table}")
    return table


def _printer(progress):
    """``say(message)``: a line on stderr (above the progress bar, if one is shown), unless quiet."""
    def say(msg):
        if progress:
            from tqdm import tqdm
            tqdm.write(msg, file=sys.stderr)
    return say


def _bar(total, progress):
    from tqdm import tqdm
    return tqdm(total=total, unit="run", desc="runs", disable=not progress, file=sys.stderr, dynamic_ncols=True)


def _recorder(folder, bar, say):
    """A function that records one run's row: its folder, its table row, the progress bar."""
    def record(row):
        row = folder.commit(row)
        bar.update()
        if row["status"] != "ok":
            say(f"run {row['run']} failed: {row['error']}")
    return record


def _run_serial(target, todo, folder, width, progress, say):
    with _bar(len(todo), progress) as bar:
        record = _recorder(folder, bar, say)
        for run in todo:
            record(execute(target, run, folder.path, width))


#: modules each worker of the local cluster preloads (see :mod:`spikesim.sweep.worker_setup`)
WORKER_PRELOAD = ("spikesim.sweep.worker_setup",)

#: Dask settings for the workers of the local cluster.  Dask's statistical profiler (the dashboard's
#: Profile page) walks the running task's stack every 10 ms while holding the GIL: with the deep stacks of
#: matplotlib's figures that cost about 3 % of each worker's time.  An existing cluster keeps its own
#: settings.
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}

#: environment variable that chooses how the local cluster starts its workers (fork, spawn, forkserver)
START_METHOD_ENV = "SPIKESIM_SWEEP_START_METHOD"


def _start_method():
    """How the local cluster starts its worker processes: ``fork`` on Linux, else Dask's default.

    A forked worker starts with everything this process has imported and compiled (numba's kernels
    in memory, matplotlib, the experiment), so it runs its first task at once instead of spending
    seconds importing and loading the numba cache.  The cluster is forked only after the warm-up
    run, when no compilation is under way (a fork in the middle of one would copy a held lock).
    Workers are spawned instead on macOS and Windows (forking is unsafe or unavailable there), when
    PyTorch is loaded (its OpenMP thread pool does not survive a fork), and when the environment
    variable ``SPIKESIM_SWEEP_START_METHOD`` names another method.
    """
    method = os.environ.get(START_METHOD_ENV, "").strip()
    if method:
        if method not in ("fork", "spawn", "forkserver"):
            raise ValueError(f"{START_METHOD_ENV}={method!r}: expected fork, spawn or forkserver")
        return method
    if not sys.platform.startswith("linux") or "torch" in sys.modules:
        return None
    return "fork"


class _ClusterStarter(threading.Thread):
    """Starts a LocalCluster in the background; :meth:`add_workers` then starts its worker processes.

    The scheduler starts while this process runs the warm-up; the workers after it (forked, see
    :func:`_start_method`).  Each worker imports what the runs need (:func:`prepare`; nothing compiles).
    """

    def __init__(self, n, target):
        super().__init__(daemon=True)
        self.n, self.target = n, target
        self.cluster = self.client = self.error = None
        self.method = _start_method()
        self.start()

    def run(self):
        try:
            from distributed import Client, LocalCluster
            self.cluster = LocalCluster(n_workers=0, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", preload=list(WORKER_PRELOAD))
            self.client = Client(self.cluster)
        except BaseException as exc:   # noqa: BLE001 - handed to the main thread
            self.error = exc

    def result(self):
        """``[client, cluster]`` (those that started), the cluster's workers started."""
        self.join()
        started = [x for x in (self.client, self.cluster) if x is not None]
        try:
            if self.error is not None:
                raise self.error
            import dask
            from distributed import fire_and_forget
            config = dict(WORKER_CONFIG)
            if self.method:
                config["distributed.worker.multiprocessing-method"] = self.method
            with dask.config.set(config):
                self.cluster.scale(self.n)
                self._wait_for_workers()
            fire_and_forget([self.client.submit(prepare, self.target, workers=[a], pure=False,
                                                key=f"sweep-prepare-{uuid.uuid4().hex[:8]}")
                             for a in self.client.scheduler_info()["workers"]])
        except BaseException:
            for thing in started:
                thing.close()
            raise
        return started

    def _wait_for_workers(self, limit=600.0):
        """Block until the n workers have joined; raise as soon as one fails to start (or after ``limit`` s)."""
        from distributed.core import Status
        deadline = time.monotonic() + limit
        while True:
            try:
                self.client.wait_for_workers(self.n, timeout=0.25)
                return
            except TimeoutError:
                pass
            failed = [w for w in self.cluster.workers.values() if getattr(w, "status", None) == Status.failed]
            if failed:
                raise RuntimeError(f"{len(failed)} of the local cluster's {self.n} worker processes failed to "
                                   f"start (their error is logged above)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the local cluster's {self.n} worker processes did not start within "
                                   f"{limit:.0f} s")


def _row_of(future, run):
    """The row a finished future carries; for a task Dask gave up on (its workers kept dying), an error row."""
    if future.status == "finished":
        return future.result()
    try:
        exc = future.exception()
    except Exception as cancelled:     # noqa: BLE001 - a cancelled future has no exception
        exc = cancelled
    return {"run": run.index, **run.params, "replicate": run.replicate, "seed": run.seed, "status": "error",
            "error": f"{type(exc).__name__}: {exc}", "wall_s": float("nan"), "worker": None, "out": None}


def _run_dask(target, todo, folder, width, scheduler, workers, warmup, progress, say):
    from distributed import Client, as_completed
    to_close, futures, starter = [], [], None
    with _bar(len(todo), progress) as bar:
        record = _recorder(folder, bar, say)
        try:
            if scheduler is None:
                n = workers or os.cpu_count() or 1
                say(f"starting a local Dask cluster: {n} worker processes, 1 thread each")
                starter = _ClusterStarter(n, target)
                if warmup:
                    say(f"warm-up: run {todo[0].index} in this process while the cluster starts (it "
                              f"fills this machine's numba cache once; the workers load from it)")
                    record(execute(target, todo[0], folder.path, width))
                    todo = todo[1:]
                to_close = starter.result()
                client = to_close[0]
            elif isinstance(scheduler, Client):
                client = scheduler
            elif isinstance(scheduler, str):
                client = Client(scheduler)
                to_close = [client]
            else:
                raise TypeError(f"scheduler must be None, 'serial', an address or a distributed.Client, "
                                f"got {scheduler!r}")
            link = client.dashboard_link
            say(f"Dask dashboard: {link}" if link else "Dask dashboard: none (pip install bokeh for one)")
            if not client.scheduler_info()["workers"]:
                say("waiting for a worker to join the scheduler ...")
                client.wait_for_workers(1)
            if warmup and scheduler is not None and todo:
                todo = _warm_up(client, target, todo, folder, width, record, say)
            token = uuid.uuid4().hex[:8]
            futures = [client.submit(execute, target, run, str(folder.path), width, pure=False,
                                     key=f"sweep-run-{run.index}-{token}") for run in todo]
            by_key = {f.key: run for f, run in zip(futures, todo)}
            for future in as_completed(futures):
                record(_row_of(future, by_key[future.key]))
                future.release()
        finally:
            if futures:
                client.cancel([f for f in futures if not f.done()])
            if starter is not None and not to_close:      # interrupted while the cluster was starting
                starter.join()
                to_close = [x for x in (starter.client, starter.cluster) if x is not None]
            for thing in to_close:
                thing.close()


def _warm_up(client, target, todo, folder, width, record, say):
    """Run the first runs one per host, on one worker each, while the other workers import; the rest after."""
    from distributed import fire_and_forget, wait
    workers = client.scheduler_info()["workers"]
    hosts = {}
    for address, info in workers.items():
        hosts.setdefault(info["host"], address)
    fire_and_forget([client.submit(prepare, target, workers=[a], allow_other_workers=True, pure=False,
                                   key=f"sweep-prepare-{uuid.uuid4().hex[:8]}")
                     for a in workers if a not in hosts.values()])
    first = todo[:len(hosts)]
    say(f"warm-up: run{'s' if len(first) > 1 else ''} {', '.join(str(r.index) for r in first)} on one "
              f"worker of each of {len(first)} host(s) (each fills its machine's numba cache once)")
    token = uuid.uuid4().hex[:8]
    futures = [client.submit(execute, target, run, str(folder.path), width, workers=[a], allow_other_workers=True,
                             pure=False, key=f"sweep-warmup-{run.index}-{token}")
               for run, a in zip(first, hosts.values())]
    for future, run in zip(futures, first):
        wait(future)                    # an error is not raised here: it becomes the run's row
        record(_row_of(future, run))
    return todo[len(first):]
