"""spikesim's exp (functions.exp, exp_row): the C library's bits, by exp_libm's inlined core where it applies."""
import math

import numpy as np
import pytest
from numba import njit

from spikesim.equations import exp_libm
from spikesim.equations import functions as _F

SPECIAL = np.array([0.0, -0.0, 2.0 ** -54, -(2.0 ** -54), 2.0 ** -55, np.nextafter(2.0 ** -54, 0), 511.999, 512.0,
                    -512.0, -511.999, 709.78, 709.79, 710.0, -708.0, -708.5, -745.1, -745.2, -745.25, -746.0,
                    -1e300, 1e300, 5e-324, -5e-324, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.05])


@njit
def _each(x, out):
    for i in range(x.size):
        out[i] = _F.exp(x[i])


@njit
def _rows(a):
    _F.exp_row(a)


def _libm(x):
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        for i, v in enumerate(x):
            try:
                out[i] = math.exp(v)
            except OverflowError:
                out[i] = np.inf
    return out


def _arguments(seed, n=200_000):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.uniform(-745.5, 709.8, n), rng.uniform(-2, 2, n), rng.normal(0, 1e-3, n),
                           np.exp2(rng.uniform(-60, 10, n)) * rng.choice([-1.0, 1.0], n), SPECIAL])


def _same_bits(a, b):
    return np.array_equal(a.view(np.uint64), b.view(np.uint64)) or \
        np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(a[~np.isnan(a)].view(np.uint64),
                                                                     b[~np.isnan(b)].view(np.uint64))


@pytest.mark.parametrize("seed", [0, 1])
def test_exp_gives_the_c_librarys_bits(seed):
    x = _arguments(seed)
    out = np.empty_like(x)
    _each(x, out)
    assert _same_bits(out, _libm(x))


@pytest.mark.parametrize("outside", [False, True])
def test_exp_row_gives_the_c_librarys_bits_and_keeps_nan(outside):
    rng = np.random.default_rng(3)
    x = rng.uniform(-3, 0, 5000)
    x[rng.random(5000) < 0.1] = np.nan                      # refractory neurons: NaN stays NaN
    x[100:140] = -0.05                                      # a run of equal arguments (the memo's case)
    if outside:                                             # arguments the core does not cover: per-element path
        x[rng.integers(0, 5000, 20)] = rng.choice(SPECIAL[np.isfinite(SPECIAL)], 20)
    a = x.copy()
    _rows(a)
    assert _same_bits(a, _libm(x))


def test_core_range_is_the_libraries_fast_range():
    for v in SPECIAL:
        expect = bool(np.isfinite(v)) and 2.0 ** -54 <= abs(v) < 512.0
        assert exp_libm.in_core_range(float(v)) == expect, v
        assert bool(_F.in_core_range(float(v))) == expect, v


def test_check_tells_another_rounding_apart():
    """The machine check has teeth: the same algorithm without fused multiply-adds differs from the library."""
    args = [float(x) for x in exp_libm.check_arguments() if exp_libm.in_core_range(float(x))]
    try:
        _, lib = exp_libm._libm()
    except OSError:
        pytest.skip("no C math library to compare with")
    unfused = [exp_libm.core_reference(x, lambda a, b, c: a * b + c) for x in args]
    assert any(u != lib.exp(x) for u, x in zip(unfused, args))
    if exp_libm.enabled():
        assert all(exp_libm.core_reference(x, lib.fma) == lib.exp(x) for x in args[:500])


def test_libm_can_be_forced(monkeypatch):
    monkeypatch.setattr(exp_libm, "_VERDICT", None)
    monkeypatch.setenv("SPIKESIM_EXP", "libm")
    assert exp_libm.enabled() is False
    monkeypatch.setenv("SPIKESIM_EXP", "fast")
    with pytest.raises(ValueError, match="SPIKESIM_EXP='fast': expected 'libm'"):
        exp_libm.enabled()
    monkeypatch.delenv("SPIKESIM_EXP")
    assert exp_libm.enabled() == exp_libm.agrees_with_libm()


def test_table_holds_powers_of_two():
    i = np.arange(exp_libm.N_TABLE, dtype=np.uint64)
    scale = (exp_libm.TABLE[1::2] + (i << np.uint64(45))).view(np.float64)
    tail = exp_libm.TABLE[0::2].view(np.float64)
    exact = np.exp2(i / exp_libm.N_TABLE)
    assert np.all(np.abs(scale - exact) <= np.spacing(exact))
    assert np.all(np.abs(tail) < 2.0 ** -53)


def test_without_jit_exp_is_the_librarys_call():
    """NUMBA_DISABLE_JIT=1 (the cuda simulator's tests) runs the functions as Python: no intrinsics."""
    import os
    import subprocess
    import sys
    code = ("import math, numpy as np\n"
            "from spikesim.equations import functions as F\n"
            "assert not F.LIBM_CORE\n"
            "x = np.array([-0.05, 0.3, -2.0, 1e-20, np.nan])\n"
            "a = x.copy(); F.exp_row(a)\n"
            "assert all(F.exp(v) == math.exp(v) for v in x[:4]) and np.isnan(a[4])\n"
            "assert all(a[k] == math.exp(x[k]) for k in range(4))\n"
            "print('NOJIT-OK')\n")
    r = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, NUMBA_DISABLE_JIT="1"),
                       capture_output=True, text=True)
    assert r.returncode == 0 and "NOJIT-OK" in r.stdout, r.stderr[-3000:]
