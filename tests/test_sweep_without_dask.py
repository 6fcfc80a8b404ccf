"""Without the sweep extra: ``spikesim run`` does not need Dask, ``spikesim sweep`` says what to install."""
import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
# a Python in which dask, distributed, pandas and pyarrow cannot be imported (as after a plain `pip install -e .`)
BLOCK = "import sys; [sys.modules.__setitem__(m, None) for m in ('dask', 'distributed', 'pandas', 'pyarrow')]; "


def _python(code, cwd):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, cwd=cwd, env=env)


def test_run_needs_no_dask(tmp_path):
    r = _python("from spikesim.cli import main; main(['run', 'cuba', '--n', '200', '--duration', '0.05', "
                "'--quiet', '--out', 'o']); import spikesim.sweep; "
                "print(sorted(m for m in ('dask', 'distributed', 'pandas') if sys.modules.get(m)))", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_neurons"] == 200


def test_sweep_without_dask_says_what_to_install(tmp_path):
    r = _python("from spikesim.cli import main; sys.exit(main(['sweep', 'cuba', '--param', 'we=1,2']))", tmp_path)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and 'pip install -e ".[sweep]"' in r.stderr, r.stderr


def test_serial_sweep_needs_no_dask(tmp_path):
    """``--serial`` runs the points in this process: pandas and pyarrow for the table, Dask not even imported."""
    block = "import sys; [sys.modules.__setitem__(m, None) for m in ('dask', 'distributed')]; "
    code = ("import sys; from spikesim.cli import main; code = main(['sweep', 'cuba', '--param', 'we=1,2', '--serial', "
            "'--quiet', '--n', '100', '--duration', '0.02', '--out', 's']); "
            "import pandas; t = pandas.read_parquet('s/results.parquet'); "
            "print(code, len(t), sorted(set(t['status'])), sorted(set(t['worker'])))")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-c", block + code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "0 2 ['ok'] ['local']"
    # with Dask installed, a serial sweep still does not import it (1-2 s)
    code = code.replace("'s']", "'s2']").replace("'s/results", "'s2/results")
    r = subprocess.run([sys.executable, "-c", code + "; print('distributed' in sys.modules)"],
                       capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-2:] == ["0 2 ['ok'] ['local']", "False"]
