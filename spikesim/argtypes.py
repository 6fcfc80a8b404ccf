"""Command-line argument types and the parser of every ``spikesim`` command.

A bad value on the command line must end with one line on standard error
and exit status 2 (argparse's convention for usage errors), before any
simulation starts.  The types below check the value where argparse reads it
(``type=positive_float``), so ``--duration -1`` is refused with the option's
name and the value; :class:`ArgumentParser` prints argparse's errors as that
one line (``prog: error: ... (see 'prog --help')``) instead of the usage text
followed by the error.

Examples
--------
>>> p = ArgumentParser(prog="demo")
>>> _ = p.add_argument("--duration", type=positive_float)
>>> p.parse_args(["--duration", "0.5"]).duration
0.5
"""
from __future__ import annotations

import argparse
import math
import os
import pathlib
import sys
from typing import NoReturn

__all__ = ["ArgumentParser", "positive_int", "nonnegative_int", "positive_float", "nonnegative_float", "finite_float",
           "seed", "existing_dir", "existing_file", "output_dir", "int_list", "percentage"]

#: The largest seed: numpy's SeedSequence takes any integer >= 0, the engine stores seeds in 63 bits.
MAX_SEED = 2 ** 63 - 1


def one_line(message: str) -> str:
    """``message`` with its line breaks and runs of spaces folded into single spaces."""
    return " ".join(str(message).split())


class ArgumentParser(argparse.ArgumentParser):
    """:class:`argparse.ArgumentParser` whose errors are one line on standard error and exit status 2.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`argparse.ArgumentParser`.
    """

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see 'PROG --help')`` as one line to stderr and exit with status 2.

        Parameters
        ----------
        message : str
            What is wrong with the command line.
        """
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")


def _number(text: str, kind: type, what: str):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1 (``--n``, ``--epochs``).

    Parameters
    ----------
    text : str
        The command-line text.

    Returns
    -------
    int

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else (argparse turns it into a one-line usage error).
    """
    value = _number(text, int, "an integer >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0.

    Parameters
    ----------
    text : str

    Returns
    -------
    int
    """
    value = _number(text, int, "an integer >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def seed(text: str) -> int:
    """A random seed: an integer in [0, 2**63 - 1].

    Parameters
    ----------
    text : str

    Returns
    -------
    int
    """
    what = f"an integer in [0, {MAX_SEED}]"
    value = _number(text, int, what)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (``--duration`` in seconds, ``--step-ms``).

    Parameters
    ----------
    text : str

    Returns
    -------
    float
    """
    value = _number(text, float, "a finite number > 0")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """Any finite number (a weight in mV, which may be negative).

    Parameters
    ----------
    text : str

    Returns
    -------
    float
    """
    return _number(text, float, "a finite number")


def nonnegative_float(text: str) -> float:
    """A finite number >= 0 (a rate in Hz).

    Parameters
    ----------
    text : str

    Returns
    -------
    float
    """
    value = _number(text, float, "a finite number >= 0")
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def percentage(text: str) -> float:
    """A number in (0, 100] (a percentile).

    Parameters
    ----------
    text : str

    Returns
    -------
    float
    """
    value = _number(text, float, "a number in (0, 100]")
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 100], got {text!r}")
    return value


def int_list(text: str) -> list[int]:
    """Positive integers separated by commas (``--timesteps 10,20,50``), sorted, without repeats.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of int
    """
    what = "integers >= 1 separated by commas (e.g. 10,20,50)"
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = sorted({int(p) for p in parts})
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return values


def _existing(text, kind, is_kind):
    """``pathlib.Path(text)`` if it exists and ``is_kind`` holds for it; else an argparse error naming ``kind``."""
    path = pathlib.Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such {kind}: {text!r}")
    if not is_kind(path):
        raise argparse.ArgumentTypeError(f"{text!r} is not a {kind}")
    return path


def existing_dir(text: str) -> pathlib.Path:
    """The path of a folder that exists (``--data``).

    Parameters
    ----------
    text : str

    Returns
    -------
    pathlib.Path
    """
    return _existing(text, "folder", pathlib.Path.is_dir)


def existing_file(text: str) -> pathlib.Path:
    """The path of a file that exists (a model file).

    Parameters
    ----------
    text : str

    Returns
    -------
    pathlib.Path
    """
    return _existing(text, "file", pathlib.Path.is_file)


def output_dir(text: str) -> pathlib.Path:
    """A folder to write into: it exists or can be created (``--out``).

    The path must not be an existing file, and its nearest existing parent
    must be a folder this process may write to; the folder itself is created
    later, by the command.

    Parameters
    ----------
    text : str

    Returns
    -------
    pathlib.Path
    """
    path = pathlib.Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
    parent = path.absolute()
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create {text!r}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write to {str(parent)!r}")
    return path


def fail(prog: str, message: str, status: int = 2) -> NoReturn:
    """Print ``PROG: error: MESSAGE`` as one line to stderr and exit with ``status``.

    Parameters
    ----------
    prog : str
        The command, e.g. ``"spikesim"``.
    message : str
    status : int
    """
    sys.stderr.write(f"{prog}: error: {one_line(message)}\n")
    sys.stderr.flush()
    raise SystemExit(status)
