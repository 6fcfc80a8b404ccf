"""spikesim.sweep without a cluster: the grid and its seeds, the table, resuming, failures, the commands."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import sweep_nets  # noqa: E402  (tests/ is on sys.path)
from spikesim.cli import main  # noqa: E402
from spikesim.sweep import expand, load_results, parse_param, run_seeds, sweep, sweep_figure  # noqa: E402

GRID = {"rate": [40, 80], "w": [2.0, 3.0]}
REPO = pathlib.Path(__file__).resolve().parents[1]


def test_runs_in_grid_order_with_spawned_seeds():
    runs = expand(GRID, seeds=3, sweep_seed=7)
    assert len(runs) == 12
    assert [r.params for r in runs[:4]] == [{"rate": 40, "w": 2.0}] * 3 + [{"rate": 40, "w": 3.0}]
    assert [r.replicate for r in runs[:4]] == [0, 1, 2, 0]
    children = np.random.SeedSequence(7).spawn(12)
    assert [r.seed for r in runs] == [int(c.generate_state(1, np.uint32)[0]) for c in children]
    assert len({r.seed for r in runs}) == 12
    assert run_seeds(12, 7) == [r.seed for r in runs] != run_seeds(12, 8)
    assert runs[5].folder_name() == "0005_rate=40_w=3.0_r2"


def test_parse_param():
    assert parse_param("rate=5,10,15") == ("rate", [5, 10, 15])
    assert parse_param("a-minus-ratio=1,1.05") == ("a_minus_ratio", [1.0, 1.05])
    assert parse_param("mode=a,b") == ("mode", ["a", "b"])
    for bad in ["rate", "rate=", "=1,2", "rate=1,,2", "1x=3"]:
        with pytest.raises(ValueError):
            parse_param(bad)


@pytest.mark.parametrize("grid, seeds, message", [
    ({}, 1, "non-empty"), ({"rate": []}, 1, "empty"), ({"rate": [1, 1]}, 1, "twice"),
    ({"rate": [1, [2]]}, 1, "numbers or strings"), ({"rate": [1]}, 0, "seeds"), ({"rate": 5}, 1, "list")])
def test_bad_grids(grid, seeds, message):
    with pytest.raises(ValueError, match=message):
        expand(grid, seeds)


def test_serial_sweep_writes_table_and_run_folders(tmp_path):
    table = sweep(sweep_nets.short_network, GRID, seeds=2, sweep_seed=3, out=tmp_path, scheduler="serial",
                  progress=False)
    assert list(table["run"]) == list(range(8))
    assert list(table.columns[:6]) == ["run", "rate", "w", "replicate", "seed", "status"]
    assert list(table.columns[-3:]) == ["wall_s", "worker", "out"]
    assert (table["status"] == "ok").all() and table["error"].isna().all()
    assert list(table["seed"]) == run_seeds(8, 3)
    for row in table.itertuples():
        ref = sweep_nets.short_network(row.rate, row.w, row.seed)
        assert row.n_spikes == ref["n_spikes"] and row.mean_v_mV == ref["mean_v_mV"]
        spikes = np.load(tmp_path / row.out / "spikes.npz")
        assert spikes["i"].size == row.n_spikes
    assert table["n_spikes"].nunique() > 1
    manifest = json.loads((tmp_path / "sweep.json").read_text())
    assert manifest["grid"] == {"rate": [40, 80], "w": [2.0, 3.0]} and manifest["seeds"] == 2
    assert not list((tmp_path / "rows").glob("*.parquet"))          # consolidated into results.parquet
    pd.testing.assert_frame_equal(load_results(tmp_path), table)
    again = sweep(sweep_nets.short_network, GRID, seeds=2, sweep_seed=3, out=tmp_path, scheduler="serial",
                  progress=False)                                    # everything recorded: nothing runs
    pd.testing.assert_frame_equal(again, table)


def test_failing_run_is_recorded_and_the_others_go_on(tmp_path):
    table = sweep(sweep_nets.failing_network, {"rate": [80], "w": [-1.0, 3.0]}, seeds=2, out=tmp_path,
                  scheduler="serial", progress=False)
    assert list(table["status"]) == ["error", "error", "ok", "ok"]
    assert table["error"][0] == "ValueError: w must be >= 0 mV, got -1.0"
    assert "Traceback" in (tmp_path / table["out"][0] / "error.txt").read_text()
    assert np.isnan(table["n_spikes"][0]) and table["n_spikes"][2] >= 0
    stamp = lambda: [(tmp_path / out).stat().st_ino for out in table["out"]]     # noqa: E731 - a new folder per run
    before = stamp()
    again = sweep(sweep_nets.failing_network, {"rate": [80], "w": [-1.0, 3.0]}, seeds=2, out=tmp_path,
                  scheduler="serial", progress=False)
    assert stamp() == before                                    # failed runs are results too: not rerun
    pd.testing.assert_frame_equal(again, table)
    retried = sweep(sweep_nets.failing_network, {"rate": [80], "w": [-1.0, 3.0]}, seeds=2, out=tmp_path,
                    scheduler="serial", progress=False, retry_failed=True)
    after = stamp()
    assert [a != b for a, b in zip(after, before)] == [True, True, False, False]   # only the failed ones ran
    assert list(retried["status"]) == ["error", "error", "ok", "ok"]


def test_interrupted_sweep_resumes_only_the_missing_runs(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    grid = {"rate": [40, 60, 80], "w": [2.0, 3.0]}
    kw = dict(seeds=2, out=tmp_path / "sweep", scheduler="serial", progress=False)
    with pytest.raises(KeyboardInterrupt):
        sweep(sweep_nets.interrupting_network, grid, kwargs={"log_dir": str(log), "stop_at": 60}, **kw)
    first = (log / "calls.log").read_text().splitlines()
    assert len(first) == 4                                            # rate 40: 2 weights x 2 seeds
    assert len(load_results(tmp_path / "sweep")) == 4
    table = sweep(sweep_nets.interrupting_network, grid, kwargs={"log_dir": str(log), "stop_at": 60}, **kw)
    calls = (log / "calls.log").read_text().splitlines()
    assert calls[:4] == first and len(calls) == 12                    # the 8 missing runs, once each
    assert len(set(calls)) == 12
    assert list(table["run"]) == list(range(12)) and (table["status"] == "ok").all()
    ref = sweep(sweep_nets.short_network, grid, seeds=2, out=tmp_path / "ref", scheduler="serial", progress=False)
    timing = ["wall_s", "out"]
    pd.testing.assert_frame_equal(table.drop(columns=timing), ref.drop(columns=timing))


def test_another_sweep_in_the_same_folder_is_refused(tmp_path):
    sweep(sweep_nets.short_network, {"rate": [40], "w": [2.0]}, out=tmp_path, scheduler="serial", progress=False)
    with pytest.raises(ValueError, match="holds another sweep"):
        sweep(sweep_nets.short_network, {"rate": [40, 80], "w": [2.0]}, out=tmp_path, scheduler="serial",
              progress=False)
    with pytest.raises(ValueError, match="sweep_seed"):
        sweep(sweep_nets.short_network, {"rate": [40], "w": [2.0]}, sweep_seed=1, out=tmp_path,
              scheduler="serial", progress=False)


def test_function_parameters_are_checked(tmp_path):
    with pytest.raises(ValueError, match="takes no parameter 'tau'"):
        sweep(sweep_nets.short_network, {"rate": [40], "tau": [1.0]}, out=tmp_path, scheduler="serial")
    with pytest.raises(ValueError, match="both swept and fixed"):
        sweep(sweep_nets.short_network, {"rate": [40], "seed": [1]}, out=tmp_path, scheduler="serial")


def test_experiment_options_are_checked_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="cuba has no option for parameter 'rate'.*we, wi"):
        sweep("cuba", {"rate": [5]}, out=tmp_path, scheduler="serial")
    with pytest.raises(ValueError, match="--n: must be an integer >= 1, got 'many'"):
        sweep("cuba", {"n": [100, "many"]}, out=tmp_path, scheduler="serial")
    with pytest.raises(ValueError, match="--seed is set by the sweep"):
        sweep("cuba", {"we": [1.0]}, args=["--seed", "3"], out=tmp_path, scheduler="serial")
    with pytest.raises(ValueError, match="both swept and given"):
        sweep("cuba", {"we": [1.0]}, args=["--we", "2"], out=tmp_path, scheduler="serial")
    with pytest.raises(ValueError, match="no experiment named"):
        sweep("no_such", {"we": [1.0]}, out=tmp_path, scheduler="serial")
    assert not (tmp_path / "sweep.json").exists()


def test_experiment_sweep_matches_spikesim_run(tmp_path):
    table = sweep("cuba", {"we": [1.62, 3.0]}, args=["--n", "200", "--duration", "0.05"], out=tmp_path / "s",
                  scheduler="serial", progress=False)
    row = table.iloc[1]
    main(["run", "cuba", "--n", "200", "--duration", "0.05", "--we", "3.0", "--seed", str(row.seed),
          "--out", str(tmp_path / "run"), "--quiet"])
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert row.n_spikes == summary["n_spikes"] and row.synchrony_chi == summary["synchrony_chi"]
    assert row.we_mV == 3.0 and (tmp_path / "s" / row.out / "raster.png").exists()


def _table_for_plot():
    rows = [dict(run=k, rate=r, w=w, replicate=s, seed=k, status="ok", error=None, field=r * w + s,
                 wall_s=0.1, worker="local", out="x") for k, (r, w, s) in
            enumerate((r, w, s) for r in [5, 10, 15] for w in [1.0, 1.1] for s in range(2))]
    rows[0]["status"], rows[0]["field"] = "error", None
    return pd.DataFrame(rows)


def test_sweep_figure_heat_map_and_line():
    import matplotlib.pyplot as plt
    from spikesim.sweep import grid_means
    table = _table_for_plot()
    xs, ys, mean, std, count = grid_means(table, "field", "rate", "w")
    assert xs == [5, 10, 15] and ys == [1.0, 1.1]
    assert mean[0, 0] == 5 * 1.0 + 1 and count[0, 0] == 1        # the failed replicate does not count
    assert mean[1, 2] == pytest.approx(15 * 1.1 + 0.5) and std[1, 2] == pytest.approx(np.std([0, 1], ddof=1))
    im = sweep_figure(table, "field", "rate", "w")
    assert im.get_array().shape == (2, 3)
    line = sweep_figure(table, "field", "rate", where={"w": 1.1})
    assert np.allclose(line.lines[0].get_ydata(), [5.5 + 0.5, 11 + 0.5, 16.5 + 0.5])
    dots = np.concatenate([ln.get_ydata() for ln in line.lines[0].axes.lines[:3]])   # the replicates, w = 1.1 only
    assert np.allclose(np.sort(dots), np.sort([5.5, 6.5, 11, 12, 16.5, 17.5]))
    plt.close("all")
    with pytest.raises(ValueError, match="numeric fields: .*field"):
        grid_means(table, "nope", "rate", "w")


def _cli(*args, cwd=None):
    """``python -m spikesim.cli ARGS`` in a subprocess that imports this checkout's spikesim."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "spikesim.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env)


def test_sweep_commands_end_to_end_serial(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", "cuba", "--param", "we=1.62,3", "--param", "wi=-9,-5", "--seeds", "1", "--serial",
                 "--out", str(out), "--n", "200", "--duration", "0.05", "--quiet"]) == 0
    table = load_results(out)
    assert len(table) == 4 and set(table["wi"]) == {-9, -5}
    assert main(["sweep-plot", str(out), "--x", "we", "--y", "wi", "--field", "mean_rate_hz"]) == 0
    assert (out / "mean_rate_hz_by_we_wi.png").stat().st_size > 5000
    assert main(["sweep-plot", str(out), "--x", "we", "--where", "wi=-9", "--field", "synchrony_chi",
                 "--out", str(tmp_path / "line.png")]) == 0
    assert (tmp_path / "line.png").exists()
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["sweep", "cuba", "--out", "X"], "at least one --param"),
    (["sweep", "cuba", "--param", "we"], "NAME=V1,V2"),
    (["sweep", "cuba", "--param", "we=1", "--seeds", "0"], "--seeds must be >= 1"),
    (["sweep", "cuba", "--param", "we=1", "--seeds", "x"], "invalid int value"),
    (["sweep", "cuba", "--param", "we=1", "--workers", "2", "--scheduler", "tcp://h:8786"], "--workers"),
    (["sweep", "cuba", "--param", "rate=1"], "no option for parameter 'rate'"),
    (["sweep", "cuba", "--param", "we=1", "--bogus", "3"], "unrecognized arguments: --bogus 3"),
    (["sweep", "cuba", "--param", "we=1", "--seed", "3"], "--seed is set by the sweep"),
    (["sweep", "nope", "--param", "we=1"], "no experiment named 'nope'"),
    (["sweep-plot", "NOFOLDER", "--x", "we", "--field", "f"], "not a sweep folder"),
    (["sweep-plot", "X", "--x", "we"], "the following arguments are required: --field"),
])
def test_bad_arguments_one_line_exit_2(tmp_path, args, message):
    r = _cli(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and message in r.stderr and r.stderr.startswith("spikesim sweep"), r.stderr


def test_sweep_plot_needs_the_other_parameters_fixed(tmp_path, capsys):
    sweep(sweep_nets.short_network, GRID, out=tmp_path, scheduler="serial", progress=False)
    assert main(["sweep-plot", str(tmp_path), "--x", "rate", "--field", "n_spikes"]) == 2
    assert "the grid also varies w; fix it with --where w=VALUE" in capsys.readouterr().err
    assert main(["sweep-plot", str(tmp_path), "--x", "rate", "--y", "w", "--field", "worker"]) == 2
    assert "no numeric value" in capsys.readouterr().err


def test_cuba_synchrony_chi_closed_forms():
    """chi = 1 when every neuron fires in the same bins; about 1/sqrt(n) for independent Poisson neurons."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("cuba_for_chi", REPO / "experiments" / "cuba.py")
    cuba = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cuba)
    n, T = 50, 1.0
    times = np.arange(0.0125, T, 0.04)
    i = np.repeat(np.arange(n), times.size)
    assert cuba.synchrony_chi(i, np.tile(times, n), n, T) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    n, T = 400, 10.0
    counts = rng.poisson(20 * T, n)
    i = np.repeat(np.arange(n), counts)
    t = rng.uniform(0, T, counts.sum())
    assert cuba.synchrony_chi(i, t, n, T) == pytest.approx(1 / np.sqrt(n), rel=0.3)
    assert cuba.synchrony_chi(np.zeros(0, int), np.zeros(0), n, T) == 0.0
