"""Issue 23: every bad command line ends with one line on stderr and exit status 2, before anything runs.

The invocations run in this process through ``spikesim.cli.main(argv)``; none
may start a simulation or a training (each must be refused by argparse or by
the library's checks before the first step).  ``--debug`` shows the traceback
instead.
"""
import time

import numpy as np
import pytest

from conftest import MNIST_DIR
from spikesim.cli import main

HAVE_MNIST = (MNIST_DIR / "holdout-indices.txt").exists()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Paths the invocations refer to: a model file, damaged and foreign files, a plain file, an empty folder.

    ``mnist`` is the shared MNIST folder, or the empty folder where it is absent: every invocation that
    names it is refused before the data are read.
    """
    from spikesim import Network, NeuronGroup
    from spikesim.ann import Perceptron
    d = tmp_path_factory.mktemp("cli_errors")
    X = np.random.default_rng(0).random((20, 784))
    Perceptron(max_epochs=1, random_state=0).fit(X, np.arange(20) % 10).save(d / "model.npz")
    raw = (d / "model.npz").read_bytes()
    (d / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    (d / "random.npz").write_bytes(np.random.default_rng(1).bytes(2000))
    np.savez(d / "foreign.npz", a=np.arange(3))
    net = Network(NeuronGroup(3), seed=0)
    net.save(d / "state.npz")
    (d / "plain.txt").write_text("not a folder\n")
    (d / "empty").mkdir()
    return {"model": d / "model.npz", "truncated": d / "truncated.npz", "random": d / "random.npz",
            "foreign": d / "foreign.npz", "state": d / "state.npz", "file": d / "plain.txt", "empty": d / "empty",
            "out": d / "out", "mnist": MNIST_DIR if HAVE_MNIST else d / "empty"}


# (argv with {placeholders}, a fragment the one line must contain)
BAD = [
    # the command itself
    ("nosuch", "invalid choice: 'nosuch'"),
    ("--bogus", "the following arguments are required: command"),
    ("run", "run needs a NAME"),
    ("run nosuch", "no run named 'nosuch'"),
    ("compare", "compare needs a NAME"),
    ("compare nosuch", "no compare named 'nosuch'"),
    ("bench nosuch", "no bench named 'nosuch'"),
    # run cuba (the common options of every experiment)
    ("run cuba --duration -1", "--duration: must be a finite number > 0, got '-1'"),
    ("run cuba --duration 0", "--duration: must be a finite number > 0, got '0'"),
    ("run cuba --duration nan", "--duration: must be a finite number > 0, got 'nan'"),
    ("run cuba --duration inf", "--duration: must be a finite number > 0, got 'inf'"),
    ("run cuba --duration 1e999", "--duration: must be a finite number > 0, got '1e999'"),
    ("run cuba --duration abc", "--duration: must be a finite number > 0, got 'abc'"),
    ("run cuba --duration", "--duration: expected one argument"),
    ("run cuba --n 10 --duration 0.00015", "duration must be a whole number of time steps"),
    ("run cuba --seed -1", "--seed: must be an integer in [0, 9223372036854775807], got '-1'"),
    ("run cuba --seed 1.5", "--seed: must be an integer in"),
    ("run cuba --seed 18446744073709551616", "--seed: must be an integer in"),
    ("run cuba --n 0", "--n: must be an integer >= 1, got '0'"),
    ("run cuba --n -3", "--n: must be an integer >= 1, got '-3'"),
    ("run cuba --n 2.5", "--n: must be an integer >= 1, got '2.5'"),
    ("run cuba --we nan", "--we: must be a finite number, got 'nan'"),
    ("run vogels2011 --window -1", "--window: must be a finite number > 0, got '-1'"),
    ("run vogels2011 --rho0 0", "--rho0: must be a finite number > 0, got '0'"),
    ("run tsodyks_markram --n-spikes 0", "--n-spikes: must be an integer >= 1, got '0'"),
    ("run clopath2010 --bursts -2", "--bursts: must be an integer >= 1, got '-2'"),
    ("run reward_stdp --max-delay 0", "--max-delay: must be an integer >= 1, got '0'"),
    ("run cuba --backend gpu", "--backend: invalid choice: 'gpu'"),
    ("run cuba --out {file}", "exists and is not a folder"),
    ("run cuba --out {file}/sub", "is not a folder"),
    ("run cuba --bogus 3", "unrecognized arguments: --bogus 3"),
    ("run coba --n 0", "--n: must be an integer >= 1"),
    ("run coba --duration -2", "--duration: must be a finite number > 0"),
    ("run delays --n x", "--n: must be an integer >= 1, got 'x'"),
    # the experiments' own options
    ("run song2000 --duration -5", "--duration: must be a finite number > 0, got '-5'"),
    ("run song2000 --n-inputs 0", "--n-inputs: must be an integer >= 1"),
    ("run song2000 --rate -1", "--rate: must be a finite number >= 0, got '-1'"),
    ("run song2000 --rate nan", "--rate: must be a finite number >= 0"),
    ("run stdp_window --step-ms 0", "--step-ms: must be a finite number > 0"),
    ("run stdp_window --step-ms -1", "--step-ms: must be a finite number > 0"),
    ("run stdp_window --pairing both", "--pairing: invalid choice: 'both'"),
    ("run stdp_window --duration 5", "unrecognized arguments: --duration 5"),
    ("run sjostrom2001 --preset nosuch", "--preset: invalid choice: 'nosuch'"),
    ("run sjostrom2001 --duration 5", "unrecognized arguments: --duration 5"),
    ("run diehl_cook", "the following arguments are required: --data"),
    ("run diehl_cook --data /nonexistent/mnist", "--data: no such folder: '/nonexistent/mnist'"),
    ("run diehl_cook --data {file}", "--data: '{file}' is not a folder"),
    ("run diehl_cook --data {empty} --n 2 --quiet --out {out}", "no t10k-images-idx3-ubyte"),
    ("run diehl_cook --data {mnist} --epochs 0", "--epochs: must be an integer >= 1, got '0'"),
    ("run diehl_cook --data {mnist} --n 0", "--n: must be an integer >= 1, got '0'"),
    ("run diehl_cook --data {mnist} --n-train 0", "--n-train: must be an integer >= 1, got '0'"),
    ("run diehl_cook --data {mnist} --n-test -1", "--n-test: must be an integer >= 1, got '-1'"),
    ("run diehl_cook --data {mnist} --seed -1", "--seed: must be an integer in"),
    ("run diehl_cook --data {mnist} --backend reference", "--backend: invalid choice: 'reference'"),
    ("run diehl_cook --data {mnist} --weights /nonexistent/weights.npz", "--weights: no such file"),
    # train
    ("train", "the following arguments are required: model, --data"),
    ("train svm --data {mnist}", "argument model: invalid choice: 'svm'"),
    ("train mlp", "the following arguments are required: --data"),
    ("train mlp --data /nonexistent/mnist", "--data: no such folder"),
    ("train mlp --data {empty} --quiet --out {out}", "no t10k-images-idx3-ubyte"),
    ("train mlp --data {mnist} --epochs 0", "--epochs: must be an integer >= 1, got '0'"),
    ("train lenet5 --data {mnist} --epochs -1", "--epochs: must be an integer >= 1, got '-1'"),
    ("train perceptron --data {mnist} --seed -1", "--seed: must be an integer in"),
    ("train perceptron --data {mnist} --out {file}", "--out: '{file}' exists and is not a folder"),
    # convert
    ("convert", "the following arguments are required: model, --data"),
    ("convert /nonexistent.npz --data {mnist}", "argument model: no such file: '/nonexistent.npz'"),
    ("convert {empty} --data {mnist}", "argument model: '{empty}' is not a file"),
    ("convert {truncated} --data {mnist}", "truncated.npz: not a readable spikesim model file"),
    ("convert {random} --data {mnist}", "random.npz: not a readable spikesim model file"),
    ("convert {foreign} --data {mnist}", "foreign.npz: not a spikesim model file"),
    ("convert {state} --data {mnist}", "state.npz: not a spikesim model file"),
    ("convert {model} --data /nonexistent/mnist", "--data: no such folder"),
    ("convert {model} --data {mnist} --n -5", "--n: must be an integer >= 1, got '-5'"),
    ("convert {model} --data {mnist} --n 0", "--n: must be an integer >= 1, got '0'"),
    ("convert {model} --data {mnist} --timesteps 0,10", "--timesteps: must be integers >= 1"),
    ("convert {model} --data {mnist} --timesteps a,b", "--timesteps: must be integers >= 1"),
    ("convert {model} --data {mnist} --timesteps ,", "--timesteps: must be integers >= 1"),
    ("convert {model} --data {mnist} --percentile 0", "--percentile: must be a number in (0, 100], got '0'"),
    ("convert {model} --data {mnist} --percentile 101", "--percentile: must be a number in (0, 100]"),
    ("convert {model} --data {mnist} --calibration 0", "--calibration: must be an integer >= 1"),
    ("convert {model} --data {mnist} --batch-size 0", "--batch-size: must be an integer >= 1"),
    ("convert {model} --data {mnist} --pooling min", "--pooling: invalid choice: 'min'"),
    # compare, figure, show-code, bench
    ("compare cuba --duration -1", "--duration: must be a finite number > 0"),
    ("compare cuba --n 0", "--n: must be an integer >= 1"),
    ("compare cuba --seed -1", "--seed: must be an integer in"),
    ("compare cuba --record 0", "--record: must be an integer >= 1"),
    ("compare cuba --target fortran", "--target: invalid choice: 'fortran'"),
    ("compare cuba --mode fuzzy", "--mode: invalid choice: 'fuzzy'"),
    ("compare stdp_window", "has no build() function to compare"),
    ("figure", "the following arguments are required: name"),
    ("figure nosuch", "argument name: invalid choice: 'nosuch'"),
    ("show-code", "the following arguments are required: name"),
    ("show-code nosuch", "no preset or experiment named 'nosuch'"),
    ("show-code lif_cuba --backend gpu", "--backend: invalid choice: 'gpu'"),
    ("bench cuba_stdp --repeats 0", "--repeats: must be an integer >= 1"),
    ("bench cuba --n 0", "--n: must be an integer >= 1"),
    ("bench song2000 --duration -1", "--duration: must be a finite number > 0"),
    ("bench lenet5_vs_torch --data /nonexistent/mnist", "--data: no such folder"),
]

def _argv(template, files):
    return [part.format(**{k: str(v) for k, v in files.items()}) for part in template.split()]


@pytest.mark.parametrize("template, fragment", BAD, ids=[b[0] for b in BAD])
def test_bad_invocation_is_one_line_and_status_2(template, fragment, files, capsys):
    argv = _argv(template, files)
    t0 = time.perf_counter()
    with pytest.raises(SystemExit) as info:
        main(argv)
    wall = time.perf_counter() - t0
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert info.value.code == 2, err
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err and ": error: " in lines[0]
    assert fragment.format(**{k: str(v) for k, v in files.items()}) in lines[0], lines[0]
    assert wall < 30, f"{template} took {wall:.1f} s: it must be refused before anything runs"


@pytest.mark.skipif(not HAVE_MNIST, reason="no MNIST data beside the repository")
@pytest.mark.parametrize("template, fragment", [
    ("run diehl_cook --data {mnist} --n 2 --n-train 99999 --quiet --out {out}", "--n-train: the protocol has 8000"),
    ("run diehl_cook --data {mnist} --n 2 --n-test 99999 --quiet --out {out}", "--n-test: the protocol has 2000"),
    ("convert {model} --data {mnist} --n 99999 --out {out}", "--n: the protocol has 2000 held-out images"),
    ("run diehl_cook --data {mnist} --n 2 --weights {foreign} --quiet --out {out}", "no array 'weights'"),
])
def test_more_images_than_the_protocol_has(template, fragment, files, capsys):
    with pytest.raises(SystemExit) as info:
        main(_argv(template, files))
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.splitlines()) == 1 and fragment in err, err


def test_debug_shows_the_traceback(files, capsys):
    """With --debug the library's exception propagates (its traceback is printed by Python)."""
    with pytest.raises(ValueError, match="whole number of time steps"):
        main(["--debug", "run", "cuba", "--n", "10", "--duration", "0.00015", "--quiet", "--out", str(files["out"])])
    with pytest.raises(ValueError, match="not a readable spikesim model file"):
        main(["convert", str(files["truncated"]), "--data", str(files["empty"]), "--debug"])


def test_library_errors_name_the_command(files, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "cuba", "--n", "10", "--duration", "0.00015", "--quiet", "--out", str(files["out"])])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith("spikesim run cuba: error: duration must be a whole number of time steps")
    assert "--debug" in err and len(err.splitlines()) == 1


def test_a_good_invocation_still_works(capsys):
    assert main(["list"]) == 0
    assert "cuba" in capsys.readouterr().out


def test_diehl_cook_train_checks_epochs_itself():
    """The library function refuses epochs=0 itself (it used to fail inside numpy.concatenate)."""
    import importlib.util

    from spikesim.cli import experiments_dir
    spec = importlib.util.spec_from_file_location("dc_for_test", experiments_dir() / "diehl_cook.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        mod.train(np.zeros((2, 784)), n_e=2, epochs=0)
    with pytest.raises(ValueError, match="X must hold at least one image"):
        mod.train(np.zeros((0, 784)), n_e=2)


def test_docs_errors_page_shows_what_the_cli_prints(capsys, monkeypatch, tmp_path):
    """The console examples of docs/errors.md about `spikesim run` are what main() prints."""
    import pathlib
    import re
    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text()
    pairs = re.findall(r"^\s*\$ spikesim (run .+)\n\s*(spikesim run .+)$", text, flags=re.M)
    assert len(pairs) == 2
    for command, printed in pairs:
        with pytest.raises(SystemExit) as info:
            main([*command.split(), "--quiet", "--out", str(tmp_path / "out")])
        assert info.value.code == 2
        assert capsys.readouterr().err.strip() == printed.strip()
