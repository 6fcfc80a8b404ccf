"""Run the cuda-vs-cpu check scripts of ``tests/test_cuda.py`` on a real GPU.

In CI those scripts run under numba's CUDA simulator. Here they run without it,
so that the compiled kernels and the CUDA-graph replay are checked on the
hardware. The assertions are the tests' own: float64 cuda must give the cpu
backend's spike trains, with states and weights within 1e-12.

The scripts are read from the test file's source (its ``SCRIPT`` and ``PLASTIC``
constants), so pytest need not be installed on the GPU machine.

Usage: ``python experiments/benchmarks/gpu_test_scripts.py [--only SCRIPT,PLASTIC] [--simulator]``.
Exit status 0 when every script printed its OK marker.
"""
import argparse
import ast
import os
import pathlib
import subprocess
import sys
import textwrap
import time

TESTS = pathlib.Path(__file__).resolve().parents[2] / "tests"
MARKERS = {"SCRIPT": "CUDA-OK", "PLASTIC": "PLASTIC-OK"}


def read_scripts(path=TESTS / "test_cuda.py"):
    """The string constants ``NAME = textwrap.dedent(\"\"\"...\"\"\")`` of the test file, dedented.

    Returns
    -------
    dict of str to str
        Script source by constant name.
    """
    out = {}
    for node in ast.parse(path.read_text()).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and node.value.args
                and isinstance(node.value.args[0], ast.Constant) and isinstance(node.value.args[0].value, str)):
            out[node.targets[0].id] = textwrap.dedent(node.value.args[0].value)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(MARKERS), help="comma-separated script names")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per script")
    ap.add_argument("--simulator", action="store_true", help="run under numba's CUDA simulator (to try it here)")
    args = ap.parse_args(argv)
    names = [x for x in args.only.split(",") if x]
    unknown = set(names) - set(MARKERS)
    if unknown:
        ap.error(f"--only: unknown script(s) {sorted(unknown)}; choose from {sorted(MARKERS)}")
    if not args.timeout > 0:
        ap.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    scripts = read_scripts()
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_ENABLE_CUDASIM", "NUMBA_DISABLE_JIT")}
    if args.simulator:
        env.update(NUMBA_ENABLE_CUDASIM="1", NUMBA_DISABLE_JIT="1")
    ok_all = True
    for name in names:
        code = scripts[name].format(tests=str(TESTS)) if name == "SCRIPT" else scripts[name]
        t0 = time.perf_counter()
        try:
            r = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True,
                               env=env, timeout=args.timeout)
            out, err, rc = r.stdout, r.stderr, r.returncode
        except subprocess.TimeoutExpired as exc:
            out, err, rc = exc.stdout or "", f"timed out after {args.timeout:g} s", None
            out = out.decode() if isinstance(out, bytes) else out
        ok = rc == 0 and MARKERS[name] in out
        ok_all &= ok
        line = next((x for x in out.splitlines() if x.startswith(MARKERS[name])), "no marker")
        where = "the simulator" if args.simulator else "the GPU"
        print(f"[{'PASS' if ok else 'FAIL'}] {name} on {where} ({time.perf_counter() - t0:.1f} s, compiling "
              f"included): {line}", flush=True)
        if not ok:
            print(out[-2000:], err[-4000:], sep="\n", flush=True)
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
