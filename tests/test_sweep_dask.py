"""spikesim.sweep on a Dask LocalCluster: same table as serial, a killed worker, an interrupted command."""
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
distributed = pytest.importorskip("distributed")

import sweep_nets  # noqa: E402  (tests/ is on sys.path; the workers inherit it)
from spikesim.sweep import load_results, sweep  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
GRID = {"rate": [40, 80], "w": [2.0, 3.0]}
TIMING = ["wall_s", "worker"]          # where and how fast a run ran: the only columns allowed to differ


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes (1 thread each), shared by this module's tests."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c, \
            distributed.Client(c) as cl:
        yield cl


def test_cluster_table_equals_serial_table(client, tmp_path):
    """2 x 2 grid x 2 seeds of a short CUBA network: every value as in the serial run."""
    kw = dict(seeds=2, sweep_seed=11, args=["--n", "300", "--duration", "0.1"], progress=False)
    grid = {"we": [1.62, 3.0], "wi": [-9, -5]}
    par = sweep("cuba", grid, out=tmp_path / "dask", scheduler=client, **kw)
    ser = sweep("cuba", grid, out=tmp_path / "serial", scheduler="serial", **kw)
    assert len(par) == 8 and (par["status"] == "ok").all()
    assert set(par["worker"]) == set(client.scheduler_info()["workers"])   # both workers ran some
    assert set(ser["worker"]) == {"local"}
    pd.testing.assert_frame_equal(par.drop(columns=TIMING + ["sim_wall_s"]),
                                  ser.drop(columns=TIMING + ["sim_wall_s"]))
    assert par["n_spikes"].nunique() == 8
    for out in par["out"]:
        assert (tmp_path / "dask" / out / "spikes.npz").exists() and (tmp_path / "dask" / out / "raster.png").exists()


def test_killed_worker_loses_nothing_and_duplicates_nothing(client, tmp_path):
    """The first run at rate 60 SIGKILLs its worker process; Dask reruns it elsewhere, the sweep completes."""
    log = tmp_path / "log"
    log.mkdir()
    grid = {"rate": [40, 60, 80], "w": [2.0, 3.0]}
    pids = set(client.run(os.getpid).values())
    table = sweep(sweep_nets.killing_network, grid, seeds=2, out=tmp_path / "sweep", scheduler=client,
                  kwargs={"log_dir": str(log), "kill_at": 60}, progress=False)
    killed = int((log / "killed").read_text())
    assert killed in pids                                             # a worker process of the cluster died
    assert killed not in set(client.run(os.getpid).values())          # and the nanny replaced it
    assert list(table["run"]) == list(range(12)) and (table["status"] == "ok").all()
    calls = set((log / "calls.log").read_text().splitlines())
    assert calls == {f"{r.rate} {r.w} {r.seed}" for r in table.itertuples()}   # every run ran (some maybe twice:
    # Dask recomputes the finished results a dead worker held; the table and the folders keep one of each)
    folders = sorted(p.name for p in (tmp_path / "sweep" / "runs").iterdir() if not p.name.startswith("."))
    assert folders == sorted(o.split("/")[1] for o in table["out"])
    for row in table.itertuples():
        assert np.load(tmp_path / "sweep" / row.out / "spikes.npz")["i"].size == row.n_spikes
    ref = sweep(sweep_nets.short_network, grid, seeds=2, out=tmp_path / "ref", scheduler="serial", progress=False)
    pd.testing.assert_frame_equal(table.drop(columns=TIMING), ref.drop(columns=TIMING))


def test_interrupted_command_resumes_only_the_missing_runs(tmp_path):
    """Ctrl-C (SIGINT) to ``spikesim sweep`` mid-way; the same command again runs only what is missing."""
    out = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "spikesim.cli", "sweep", "cuba", "--param", "we=1.0,1.62",
           "--param", "wi=-9,-6,-3", "--seeds", "2", "--workers", "2", "--out", str(out),
           "--n", "300", "--duration", "0.2"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while len(list((out / "rows").glob("[!.]*.parquet"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "sweep interrupted" in err and "runs the rest" in err
    done = load_results(out)
    assert 3 <= len(done) < 12 and (done["status"] == "ok").all()
    inodes = {o: (out / o).stat().st_ino for o in done["out"]}
    proc = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    table = load_results(out)
    assert list(table["run"]) == list(range(12)) and (table["status"] == "ok").all()
    assert {o: (out / o).stat().st_ino for o in done["out"]} == inodes     # recorded runs did not run again
    rerun = table[~table["out"].isin(done["out"])]
    assert len(rerun) == 12 - len(done)
    pd.testing.assert_frame_equal(table[table["out"].isin(done["out"])].reset_index(drop=True),
                                  done.reset_index(drop=True))


def test_brian2_imports_first_in_a_worker_thread():
    """A Dask worker runs tasks in threads: a model never seen before imports Brian2 there (fresh process)."""
    code = ("import signal, sys, threading\n"
            "from spikesim.equations.sandbox import import_brian2\n"
            "before, install = signal.getsignal(signal.SIGINT), signal.signal\n"
            "err = []\n"
            "def f():\n"
            "    try:\n"
            "        import_brian2()\n"
            "    except Exception as exc:\n"
            "        err.append(repr(exc))\n"
            "t = threading.Thread(target=f); t.start(); t.join()\n"
            "assert not err, err\n"
            "assert 'brian2' in sys.modules and signal.getsignal(signal.SIGINT) is before\n"
            "assert signal.signal is install        # restored after the import\n"
            "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ,
                       PYTHONPATH=str(REPO)), timeout=120)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="local workers are forked on Linux only")
def test_local_cluster_workers_are_forked_after_the_warm_up(tmp_path, monkeypatch):
    """The sweep's own cluster forks its workers: they start with this process's modules (and kernels)."""
    import types
    monkeypatch.setitem(sys.modules, "_spikesim_test_fork_marker", types.ModuleType("_spikesim_test_fork_marker"))
    forked = "torch" not in sys.modules          # with PyTorch loaded (by earlier tests) the default is spawn
    table = sweep(sweep_nets.inherited, {"x": [1, 2, 3, 4, 5, 6]}, out=tmp_path / "s", workers=2, progress=False)
    on_workers = table["worker"].str.startswith("tcp://")
    assert (table["status"] == "ok").all() and list(table["x2"]) == [2, 4, 6, 8, 10, 12]
    assert on_workers.sum() >= 4                                        # the runs after the warm-up ran on workers
    assert set(table.loc[on_workers, "inherited"]) == {forked}
    assert set(table.loc[on_workers, "profiler"]) == {False}           # WORKER_CONFIG: Dask's profiler off
    monkeypatch.setenv("SPIKESIM_SWEEP_START_METHOD", "fork")
    table = sweep(sweep_nets.inherited, {"x": [1, 2, 3, 4]}, out=tmp_path / "f", workers=2, progress=False)
    assert (table["status"] == "ok").all() and table["inherited"].all()


def test_start_method_can_be_chosen(tmp_path, monkeypatch):
    """SPIKESIM_SWEEP_START_METHOD=spawn: the workers start fresh (without this process's modules)."""
    import types
    monkeypatch.setitem(sys.modules, "_spikesim_test_fork_marker", types.ModuleType("_spikesim_test_fork_marker"))
    monkeypatch.setenv("SPIKESIM_SWEEP_START_METHOD", "spawn")
    table = sweep(sweep_nets.inherited, {"x": [1, 2, 3, 4]}, out=tmp_path / "s", workers=2, progress=False)
    on_workers = table["worker"].str.startswith("tcp://")
    assert (table["status"] == "ok").all() and on_workers.sum() >= 2
    assert not table.loc[on_workers, "inherited"].any() and table.loc[~on_workers, "inherited"].all()
    assert set(table.loc[on_workers, "profiler"]) == {False}           # the setting reaches spawned workers too
    monkeypatch.setenv("SPIKESIM_SWEEP_START_METHOD", "vfork")
    with pytest.raises(ValueError, match="expected fork, spawn or forkserver"):
        sweep(sweep_nets.inherited, {"x": [1, 2]}, out=tmp_path / "t", workers=2, progress=False)


def test_workers_that_cannot_start_stop_the_sweep_with_an_error(tmp_path, monkeypatch):
    """A local worker that fails to start (here: a preload that does not import) ends the sweep at once with a
    clear error; the warm-up run done before stays recorded, and the same call resumes from it."""
    from spikesim.sweep import run as sweep_run
    monkeypatch.setattr(sweep_run, "WORKER_PRELOAD", ("spikesim.sweep.worker_setup", "_no_such_module_for_spikesim"))
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="worker processes failed to start"):
        sweep(sweep_nets.inherited, {"x": [1, 2, 3]}, out=tmp_path / "s", workers=2, progress=False)
    assert time.monotonic() - t0 < 120
    assert list(load_results(tmp_path / "s")["x2"]) == [2]
