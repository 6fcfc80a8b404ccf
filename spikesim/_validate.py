"""Parameter checks shared by every public constructor.

Each helper raises ``ValueError`` or ``TypeError`` whose message names the
parameter, the value it got and what is allowed.
"""
from __future__ import annotations

import numbers

import numpy as np

#: the most time steps a network may reach: ``t = step*dt`` stays exact in float64 and step counters in int64
MAX_STEPS = 2 ** 53


def _show(value):
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value)
    return f"array of shape {arr.shape}"


def as_array(name, value, what, dtype=None):
    """``np.asarray(value, dtype)``, or ``TypeError`` naming ``name`` and saying ``what`` it must be.

    Strings, bytes, None and callables are refused before numpy reads them
    (numpy would turn ``"1.5"`` into a number and ``None`` into an object array).
    """
    if value is None or isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name} must be {what}, got {_show(value) if not isinstance(value, list) else value!r}"
                        ) from None


def check_int(name, value, minimum=None, maximum=None, why=""):
    """Return ``value`` as int; it must be an integer (not bool) in [minimum, maximum].

    ``why`` (optional) explains the maximum in the message, e.g. "neuron indices are 32-bit".
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}{f' ({why})' if why else ''}, got {value}")
    return value


def check_bool(name, value):
    """Return ``value`` as bool; it must be True or False (numpy's bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(name, value, choices):
    """Return ``value``; it must be one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_float(name, value, *, positive=False, nonnegative=False, lo=None, hi=None, unit=""):
    """Return ``value`` as a finite float inside the stated range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number{(' in ' + unit) if unit else ''}, "
                        f"got {value!r} ({type(value).__name__})")
    value = float(value)
    u = f" {unit}" if unit else ""
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0{u}, got {value}")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name} must be >= 0{u}, got {value}")
    if lo is not None and value < lo:
        raise ValueError(f"{name} must be in [{lo}, {hi}]{u}, got {value}")
    if hi is not None and value > hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}]{u}, got {value}")
    return value


def check_array(name, value, n, *, positive=False, nonnegative=False, unit="", dtype=np.float64):
    """Broadcast a scalar or a length-``n`` array to a float array of shape (n,).

    Raises if the array has another length, holds NaN/inf, or breaks the sign
    constraint.
    """
    if isinstance(value, (str, bytes)) or callable(value):
        raise TypeError(f"{name} must be a number or an array of {n} numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of {n} numbers, got {_show(value)}") from exc
    if arr.ndim == 0:
        arr = np.full(n, arr, dtype=dtype)
    elif arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have length {n}, got {_show(value)}")
    else:
        arr = arr.copy()
    u = f" {unit}" if unit else ""
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or inf in {_show(value)}")
    if positive and not np.all(arr > 0):
        raise ValueError(f"{name} must be > 0{u}, got {arr[~(arr > 0)][0]}")
    if nonnegative and not np.all(arr >= 0):
        raise ValueError(f"{name} must be >= 0{u}, got {arr[~(arr >= 0)][0]}")
    return arr


def steps_of(name, duration, dt, *, positive=False):
    """Number of whole time steps in ``duration``; raises if it is not whole or beyond :data:`MAX_STEPS`."""
    duration = check_float(name, duration, nonnegative=True, unit="s")
    if not duration / dt < MAX_STEPS:
        raise ValueError(f"{name} must be less than {MAX_STEPS:.3g} steps of dt={dt} s ({MAX_STEPS * dt:.3g} s), "
                         f"got {duration} s")
    n = int(round(duration / dt))
    if positive and n < 1:
        raise ValueError(f"{name} must be at least one step of dt={dt} s, got {duration} s")
    if abs(n * dt - duration) > 1e-6 * dt:
        raise ValueError(f"{name} must be a whole number of time steps of dt={dt} s, got {duration} s "
                         f"({duration / dt:.6g} steps)")
    return n


def timestep(t, dt):
    """Brian2's time-to-step conversion: ``int((t + 1e-3*dt)/dt)``."""
    return np.asarray((np.asarray(t) + 1e-3 * dt) / dt).astype(np.int64)
