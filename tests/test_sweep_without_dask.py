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
