"""A 16-point song2000 sweep on a local Dask cluster against the same points one after another.

Both sides are the ``spikesim sweep`` command, each timed as a whole fresh process (imports, cluster
start, warm-up, compiling or loading the numba cache, every run with its figures, the table):

* serial: ``spikesim sweep song2000 ... --serial`` (each point's ``main()`` in turn, in one process);
* dask:   ``spikesim sweep song2000 ... --workers 2`` (a LocalCluster of 2 worker processes).

The grid is input rate 10, 15, 20, 25 Hz x A-/A+ ratio 1.0, 1.05, 1.1, 1.15, one seed, 20 s of
biological time per point.  ``--cache cold`` gives each command an empty numba cache folder (so both
compile everything once); ``--cache warm`` lets both use one folder filled beforehand, as after a first
run of the installed package.  The runs alternate serial, dask, serial, dask, ... and the script prints
each time, the medians and their ratio, and checks that both tables hold the same values.

The machine's cores are shared, so before each pair the script also measures how much parallel CPU it
actually gets: a pure-Python loop in one process, then in two at once; ``cores`` = 2 x t(one) / t(two)
(2.0: two free cores; 1.0: two processes run no faster than one).  No sweep can beat 1/cores.
The last columns give the bound of :func:`split_bound`: the time of a perfect split of the serial
command's work over the cores, without any cost for Dask, from the serial command's own timings.

    python experiments/benchmarks/sweep_song2000.py [--cache cold,warm] [--repeats 2] [--workers 2]
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
GRID = ["--param", "rate=10,15,20,25", "--param", "a_minus_ratio=1.0,1.05,1.1,1.15"]


def _spin(n=15_000_000):
    s = 0
    for i in range(n):
        s += i
    return s


def cores_available():
    """2 x (time of one spinning process) / (time of two at once)."""
    import multiprocessing
    ctx = multiprocessing.get_context("spawn")
    times = []
    for k in (1, 2):
        procs = [ctx.Process(target=_spin) for _ in range(k)]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        times.append(time.perf_counter() - t0)
    return 2 * times[0] / times[1]


def split_bound(total, walls, cores):
    """The shortest time in which any scheme could run the serial command's work on ``cores`` cores.

    ``total`` is the serial command's wall time (s) and ``walls`` its runs' own times (the table's
    ``wall_s``, in the order they ran).  What is not a run (imports, the table, the exit) happens once;
    the first run also loads the kernels (or compiles them) and draws matplotlib's first figure, which
    every process that runs points must do too, so it counts whole; the other runs share the cores.
    Dask's own costs (its import, the scheduler, the dashboard, the transfers) come on top of this.
    """
    walls = list(walls)
    return (total - sum(walls)) + walls[0] + sum(walls[1:]) / cores


def timed(cmd, env):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-3000:]}")
    return wall


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cache", default="cold,warm", help="cold, warm or both (default cold,warm)")
    p.add_argument("--repeats", type=int, default=2, help="timings per side and cache state (default 2)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--duration", type=float, default=20.0)
    args = p.parse_args(argv)
    modes = [m for m in args.cache.split(",") if m]
    if not modes or set(modes) - {"cold", "warm"} or args.repeats < 1:
        p.error("--cache takes cold, warm or cold,warm; --repeats >= 1")
    import pandas as pd

    sys.path.insert(0, str(REPO))       # this checkout's spikesim, as in the timed commands (PYTHONPATH below)
    from spikesim.sweep import load_results
    base = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    common = [sys.executable, "-m", "spikesim.cli", "sweep", "song2000", *GRID, "--seeds", "1", "--quiet",
              "--duration", str(args.duration)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        warm_cache = tmp / "cache-warm"
        if "warm" in modes:       # fill the shared cache once, outside the timings
            timed([sys.executable, "-m", "spikesim.cli", "run", "song2000", "--duration", "0.1", "--quiet",
                   "--out", str(tmp / "fill")], dict(base, NUMBA_CACHE_DIR=str(warm_cache)))
        for mode in modes:
            for k in range(args.repeats):
                cores = cores_available()
                results.setdefault((mode, "cores"), []).append(cores)
                print(f"{mode:4s} cache  cores available: {cores:.2f}", flush=True)
                for side in ("serial", "dask"):
                    cache = warm_cache if mode == "warm" else tmp / f"cache-{mode}-{side}-{k}"
                    out = tmp / f"{mode}-{side}-{k}"
                    extra = ["--serial"] if side == "serial" else ["--workers", str(args.workers)]
                    wall = timed(common + extra + ["--out", str(out)], dict(base, NUMBA_CACHE_DIR=str(cache)))
                    results.setdefault((mode, side), []).append(wall)
                    print(f"{mode:4s} cache  {side:6s}  run {k + 1}: {wall:7.2f} s", flush=True)
        tables = {d.name: load_results(d) for d in tmp.iterdir() if (d / "sweep.json").exists()}
    bounds = {}
    for mode in modes:                  # the best any split of the serial command's work over the workers can do
        for k, (total, cores) in enumerate(zip(results[(mode, "serial")], results[(mode, "cores")])):
            bounds.setdefault(mode, []).append(split_bound(total, tables[f"{mode}-serial-{k}"]["wall_s"],
                                                           min(cores, args.workers)))
    timing = ["wall_s", "worker", "sim_wall_s"]
    ref = next(iter(tables.values())).drop(columns=timing)
    for name, t in tables.items():
        pd.testing.assert_frame_equal(t.drop(columns=timing), ref)
        assert len(t) == 16 and (t["status"] == "ok").all(), name
    print(f"\nall {len(tables)} tables hold the same values (16 rows each)\n")
    print("| numba cache | serial, one process (s) | dask, %d workers (s) | dask / serial | cores available "
          "| bound for any split (s) | bound / serial |" % args.workers)
    print("|---|---|---|---|---|---|---|")
    for mode in modes:
        s, d = statistics.median(results[(mode, "serial")]), statistics.median(results[(mode, "dask")])
        c, b = statistics.median(results[(mode, "cores")]), statistics.median(bounds[mode])
        print(f"| {mode} | {s:.1f} | {d:.1f} | {d / s:.2f} | {c:.2f} | {b:.1f} | {b / s:.2f} |")
    print("\nevery timing (s): " + "; ".join(f"{m} {side}: " + ", ".join(f"{t:.1f}" for t in v)
                                          for (m, side), v in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
