"""experiments/benchmarks/startup_costs.py measures a cold run's compile and the exit, with and without gc.freeze."""
import pathlib
import re
import runpy

import pytest


@pytest.mark.slow
def test_startup_costs_benchmark_reports_compile_and_exit(capsys):
    path = pathlib.Path(__file__).resolve().parents[1] / "experiments" / "benchmarks" / "startup_costs.py"
    mod = runpy.run_path(str(path))
    assert mod["main"](["cuba", "--duration", "0.02", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    m = re.search(r"main\(\) ([\d.]+) s, of it compiling ([\d.]+) s \((\d+) functions\)", out)
    assert m, out
    wall, compiling, n = float(m[1]), float(m[2]), int(m[3])
    assert 0 < compiling <= wall and n > 3
    assert "run_steps" in out                         # the network's step loop is among the longest
    assert len(re.findall(r"exit after main\(\), with(out)? gc.freeze.*: median [\d.]+ s", out)) == 2
