"""What a fresh ``spikesim`` process spends outside the simulation: compiling, and exiting.

1. **Compile.** The experiment runs once in a new process with an empty numba cache, with a listener
   on numba's ``numba:compile`` events: the total compile time and the functions that take longest
   (inclusive: with the functions they call compiled for them; exclusive: their own part).
2. **Exit.** The experiment runs in a new process (warm cache) through :func:`spikesim.cli.main`;
   the process writes the time at which ``main`` returned, and this script takes the time at which
   the process ended.  That is the interpreter's teardown, once as the console script does it
   (``gc.freeze()`` first, :func:`spikesim.cli.command`) and once without, alternated.

    python experiments/benchmarks/startup_costs.py [NAME] [--duration S] [--repeats N]

Prints one line per measurement; figures in docs/benchmarks.md.
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

COMPILE_CHILD = r"""
import json, sys, time
from numba.core import event
stack, rows = [], []

class Listener(event.Listener):
    def on_start(self, ev):
        f = ev.data["dispatcher"].py_func
        stack.append([time.perf_counter(), 0.0, f"{f.__module__}.{f.__qualname__}"])

    def on_end(self, ev):
        if not stack:
            return
        t0, inner, name = stack.pop()
        took = time.perf_counter() - t0
        if stack:
            stack[-1][1] += took
        rows.append((name, took, took - inner, len(stack)))

event.register("numba:compile", Listener())
from spikesim.cli import main
t0 = time.perf_counter()
main(sys.argv[1:])
print(json.dumps(dict(wall=time.perf_counter() - t0, rows=rows)))
"""

EXIT_CHILD = r"""
import gc, sys, time
from spikesim.cli import main
main(sys.argv[2:])
if sys.argv[1] == "freeze":
    gc.freeze()
sys.stderr.write(f"MAIN_RETURNED {time.time()!r}\n")
"""


def compile_times(argv, env):
    """(process wall, total compile time, rows (name, inclusive, exclusive, depth)) of one cold run."""
    import json
    with tempfile.TemporaryDirectory(prefix="spikesim-cold-") as cache:
        r = subprocess.run([sys.executable, "-c", COMPILE_CHILD, *argv], capture_output=True, text=True,
                           env=dict(env, NUMBA_CACHE_DIR=cache))
    if r.returncode != 0:
        sys.exit(f"the cold run failed:\n{r.stderr[-3000:]}")
    data = json.loads(r.stdout.strip().splitlines()[-1])
    rows = data["rows"]
    return data["wall"], sum(inc for _, inc, _, depth in rows if depth == 0), rows


def exit_time(mode, argv, env):
    """Seconds from ``main`` returning to the end of the process."""
    r = subprocess.Popen([sys.executable, "-c", EXIT_CHILD, mode, *argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=env)
    _, err = r.communicate()
    ended = time.time()
    if r.returncode != 0:
        sys.exit(f"the run failed:\n{err[-3000:]}")
    returned = float(next(ln for ln in err.splitlines() if ln.startswith("MAIN_RETURNED")).split()[1])
    return ended - returned


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", nargs="?", default="song2000", help="experiment (default song2000)")
    p.add_argument("--duration", type=float, default=20.0, help="biological time of a run, s (default 20)")
    p.add_argument("--repeats", type=int, default=3, help="exit timings per mode (default 3)")
    args = p.parse_args(argv)
    if args.duration <= 0 or args.repeats < 1:
        p.error("--duration must be > 0 and --repeats >= 1")
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="spikesim-startup-") as tmp:
        run = ["run", args.name, "--duration", str(args.duration), "--quiet", "--out", str(pathlib.Path(tmp) / "o")]
        wall, total, rows = compile_times(run, env)
        print(f"{args.name}, {args.duration:g} s, empty numba cache: main() {wall:.1f} s, of it compiling "
              f"{total:.1f} s ({len(rows)} functions)")
        for name, inc, exc, depth in sorted(rows, key=lambda r: -r[1])[:8]:
            print(f"  {inc:6.2f} s inclusive {exc:6.2f} s own  (depth {depth})  {name}")
        warm = dict(env, NUMBA_CACHE_DIR=str(pathlib.Path(tmp) / "warm"))
        exit_time("plain", run, warm)              # fills the cache
        times = {"plain": [], "freeze": []}
        for _ in range(args.repeats):
            for mode in times:
                times[mode].append(exit_time(mode, run, warm))
        for mode, label in (("plain", "without gc.freeze"), ("freeze", "with gc.freeze (the console script)")):
            print(f"exit after main(), {label}: median {statistics.median(times[mode]):.2f} s "
                  f"({', '.join(f'{t:.2f}' for t in times[mode])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
