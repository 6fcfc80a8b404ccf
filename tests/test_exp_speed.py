"""experiments/benchmarks/exp_speed.py runs and finds spikesim's exp equal to the C library's."""
import pathlib
import runpy


def test_exp_speed_benchmark_runs_and_checks_the_bits(capsys):
    path = pathlib.Path(__file__).resolve().parents[1] / "experiments" / "benchmarks" / "exp_speed.py"
    mod = runpy.run_path(str(path))
    mod["_best"].__defaults__ = (200, 1)          # a short timing: this is not the benchmark
    assert mod["main"]() == 0
    out = capsys.readouterr().out
    assert "same bits as the C library on 4,000,000 arguments: True" in out
    assert out.count("ns per value") == 3
