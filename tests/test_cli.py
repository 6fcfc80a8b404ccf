"""The spikesim command and the experiment scripts' standard outputs."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from spikesim.cli import main

KEYS = {"experiment", "n_neurons", "n_synapses", "n_spikes", "mean_rate_hz", "duration_s", "sim_wall_s", "seed"}


@pytest.mark.parametrize("name", ["cuba", "coba"])
def test_run_writes_standard_outputs(tmp_path, name, capsys):
    out = tmp_path / name
    main(["run", name, "--n", "400", "--duration", "0.1", "--seed", "5", "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text())
    assert KEYS <= set(summary)
    assert summary["experiment"] == name and summary["n_neurons"] == 400 and summary["seed"] == 5
    assert summary["duration_s"] == pytest.approx(0.1)
    spikes = np.load(out / "spikes.npz")
    assert spikes["i"].size == spikes["t"].size == summary["n_spikes"] > 0
    assert summary["mean_rate_hz"] == pytest.approx(summary["n_spikes"] / 400 / 0.1)
    assert (out / "raster.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert f"{summary['n_spikes']} spikes" in printed and "Wrote summary.json" in printed


def test_same_seed_same_spikes_different_seed_differs(tmp_path):
    for k, seed in enumerate([3, 3, 4]):
        main(["run", "cuba", "--n", "300", "--duration", "0.05", "--seed", str(seed), "--out", str(tmp_path / str(k)),
              "--quiet"])
    a, b, c = (np.load(tmp_path / str(k) / "spikes.npz") for k in range(3))
    np.testing.assert_array_equal(a["i"], b["i"])
    assert not np.array_equal(a["i"], c["i"])


def test_list_and_unknown_names(capsys):
    assert main(["list"]) == 0
    assert "cuba" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["run", "no_such_experiment"])
    with pytest.raises(SystemExit):
        main(["run"])


def test_console_script_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-m", "spikesim.cli", "run", "cuba", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--duration" in r.stdout and "--n" in r.stdout


def test_console_script_exit_status_and_outputs(tmp_path):
    """The console script (``command``: main, then a frozen garbage collector for the exit) keeps main's exit
    status and writes every output before the process ends."""
    import tomllib
    scripts = tomllib.loads((pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["spikesim"] == "spikesim.cli:command"
    code = "import sys; sys.argv = ['spikesim', *sys.argv[1:]]; from spikesim.cli import command; command()"
    r = subprocess.run([sys.executable, "-c", code, "run", "cuba", "--n", "100", "--duration", "0.02", "--quiet",
                        "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_neurons"] == 100
    r = subprocess.run([sys.executable, "-c", code, "run", "no_such_experiment"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
