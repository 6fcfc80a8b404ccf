"""The functions that generated model code calls, as Brian2's compiled targets define them.

Each is a small ``numba.njit`` function (so the cpu loops inline it and the
cuda kernels compile it as a device function); the reference backend calls
the vectorised numpy forms at the end of this module.  The definitions
follow Brian2's Cython support code (``_clip``, ``_exprel``, ``_timestep``,
``int_``, ``_sign``) and its TimedArray lookup, so that a model gives the
same numbers here as in Brian2.  Random numbers come from the counter-based
stream of :mod:`spikesim.backends._scalar` (keyed by object, call site,
element and step), so they are the same on every backend and however a run
is split.
"""
import math

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from ..backends._scalar import uniform01
from . import exp_libm as _exp_libm

NEVER_TIME = -1e4      # Brian2's lastspike of a neuron that never spiked (seconds)


@njit(cache=True)
def clip(x, low, high):
    """``x`` limited to ``[low, high]`` (Brian2's ``clip``)."""
    if x < low:
        return low
    if x > high:
        return high
    return x


_c_exp = types.ExternalFunction("exp", types.float64(types.float64))

# exp in range by exp_core (the C library's bits), else the library's call; with numba's JIT disabled the
# functions run as Python, where math.exp is the library's call and the intrinsics below do not exist
LIBM_CORE = _exp_libm.enabled() and not numba.config.DISABLE_JIT
_TABLE = _exp_libm.TABLE


@intrinsic
def _fma(typingctx, a, b, c):
    """``a*b + c`` rounded once (LLVM's ``llvm.fma``: a fused multiply-add, or its exact emulation)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)
    return sig, codegen


@intrinsic
def _as_bits(typingctx, x):
    """The bits of a float64, as uint64."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.uint64(types.float64), codegen


@intrinsic
def _as_double(typingctx, b):
    """The float64 with the bits ``b`` (uint64)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.uint64), codegen


@njit(cache=True, forceinline=True)
def in_core_range(x):
    """Whether :func:`exp_core` gives ``exp(x)``: ``2**-54 <= |x| < 512`` (False for NaN and infinities)."""
    return ((_as_bits(x) >> np.uint64(52)) & np.uint64(0x7FF)) - np.uint64(_exp_libm.TOP_LOW) \
        <= np.uint64(_exp_libm.TOP_SPAN)


@njit(cache=True, forceinline=True)
def exp_core(x):
    """``exp(x)`` for ``2**-54 <= |x| < 512``, with the C library's bits (see :mod:`.exp_libm`).

    No branches and no calls, so a loop of it vectorises; any other ``x`` gives a wrong value.
    """
    kd = _fma(x, _exp_libm.INV_LN2_N, _exp_libm.SHIFT)
    ki = _as_bits(kd)
    kd -= _exp_libm.SHIFT
    r = _fma(kd, _exp_libm.NEG_LN2_LO_N, _fma(kd, _exp_libm.NEG_LN2_HI_N, x))
    i = (ki & np.uint64(_exp_libm.N_TABLE - 1)) << np.uint64(1)
    tail = _as_double(_TABLE[i])
    scale = _as_double(_TABLE[i + np.uint64(1)] + (ki << np.uint64(45)))
    r2 = r * r
    p = _fma(_fma(r, _exp_libm.C3, _exp_libm.C2), r2, r + tail)
    p = _fma(r2 * r2, _fma(r, _exp_libm.C5, _exp_libm.C4), p)
    return _fma(scale, p, scale)


@njit(cache=True)
def exp(x):
    """The C library's ``exp(x)``, bit for bit, with its slow paths avoided.

    Within ``2**-54 <= |x| < 512`` it is :func:`exp_core` where that gives the library's bits
    on this machine (:data:`LIBM_CORE`), an inlined sequence of a dozen operations in place of a
    call.  Traces decayed over long silences (``exp(-(t - lastupdate)/tau)`` with
    ``t - lastupdate > 745 tau``) hit the library's error handling, which costs several times a
    normal call.  Below -745.25 the result is 0 (the halfway point to the smallest subnormal is
    at -745.13); the subnormal range between calls the library itself, so the values are the
    same bit for bit.  The normal range is computed on a clamped argument so that the compiler,
    free to evaluate it before the test, never reaches the slow path.
    """
    if LIBM_CORE and in_core_range(x):
        return exp_core(x)
    y = math.exp(max(x, -708.0))
    if x >= -708.0:
        return y
    if x < -745.25:
        return 0.0
    return _c_exp(x)       # subnormal results, NaN


@njit(cache=True, forceinline=True)
def exp_row(a):
    """``a[i] = exp(a[i])`` for every i of the 1-D array ``a`` whose value is not NaN (NaN stays).

    Where :data:`LIBM_CORE` holds and every argument is in :func:`exp_core`'s range or NaN (the
    usual case: a neuron update's arguments), one loop of :func:`exp_core` with no branches,
    which vectorises; otherwise one :func:`exp` per element, with a one-entry memo (runs of
    equal arguments, such as neurons at rest, call it once).  The values are the library's.
    """
    n = a.size
    if LIBM_CORE:
        outside = 0
        for i in range(n):
            x = a[i]
            outside += (x == x) and not in_core_range(x)
        if outside == 0:
            for i in range(n):
                x = a[i]
                y = exp_core(x)
                a[i] = y if x == x else x
            return
    last_a = math.nan
    last_v = math.nan
    for i in range(n):
        x = a[i]
        if x != last_a:
            if x == x:
                last_a = x
                last_v = exp(x)
                a[i] = last_v
        else:
            a[i] = last_v


@njit(cache=True)
def exprel(x):
    """``(exp(x) - 1)/x``, 1 at 0 (Brian2's ``exprel``)."""
    if abs(x) < 1e-16:
        return 1.0
    if x > 717.0:
        return math.inf
    return math.expm1(x) / x


@njit(cache=True)
def timestep(t, dt):
    """The time step of time ``t``: ``int((t + 1e-3*dt)/dt)`` (Brian2's ``timestep``)."""
    return np.int64((t + 1e-3 * dt) / dt)


@njit(cache=True)
def sign(x):
    """-1, 0 or 1."""
    return (0 < x) - (x < 0)


@njit(cache=True)
def int_(x):
    """Truncation towards zero, as C's cast (Brian2's ``int``)."""
    return np.int64(x)


@njit(cache=True)
def power(a, b):
    """``a ** b`` computed by the C library's ``pow`` (as Brian2's compiled targets do)."""
    return math.pow(float(a), float(b))


@njit(cache=True)
def lastspike_time(step, dt):
    """A neuron's last spike time in seconds from its step (Brian2's -1e4 s if it never spiked)."""
    if step <= -(2 ** 39):
        return NEVER_TIME
    return step * dt


@njit(cache=True)
def timed_index(t, epsilon, K, rows):
    """Row of a TimedArray at time ``t``: Brian2's ``int((t/epsilon + 0.5)/K)``, clipped to the rows."""
    k = int((t / epsilon + 0.5) / K)
    if k < 0:
        return 0
    if k >= rows:
        return rows - 1
    return k


@njit(cache=True)
def timed_1d(values, meta, t):
    """Value of a 1-D TimedArray (``values`` of shape (rows, 1), ``meta = (epsilon, K)``) at ``t``."""
    return values[timed_index(t, meta[0], meta[1], values.shape[0]), 0]


@njit(cache=True)
def timed_2d(values, meta, t, i):
    """Value of column ``i`` of a 2-D TimedArray at ``t``."""
    return values[timed_index(t, meta[0], meta[1], values.shape[0]), i]


@njit(cache=True)
def rand(key, site, idx, n):
    """Uniform draw in (0, 1] for call site ``site`` of the object keyed ``key``, element ``idx``, step ``n``."""
    return uniform01(key ^ np.uint64(site), idx, n)


@njit(cache=True)
def randn(key, site, idx, n):
    """Standard normal draw (Box-Muller on two counter-based uniforms)."""
    u1 = uniform01(key ^ np.uint64(site), idx, 2 * n)
    u2 = uniform01(key ^ np.uint64(site), idx, 2 * n + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def timed_meta(group_dt, dt):
    """``(epsilon, K)`` of a TimedArray with sample spacing ``dt`` read by a group with time step ``group_dt``."""
    K = max(int(2 ** np.ceil(np.log2(8 / group_dt * dt))), 1)
    return np.array([dt / K, float(K)])


# ---------------------------------------------------------------- vectorised forms (reference backend)
def _elementwise(f):
    """Apply scalar ``f`` (the C library function through Python's math module) to every element."""
    def g(*args):
        args = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in args])
        out = np.empty(args[0].shape)
        flat = [a.ravel() for a in args]
        o = out.ravel()
        for k in range(o.size):
            o[k] = f(*(float(a[k]) for a in flat))
        return out
    return g


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x):
    if x == 0.0:
        return -math.inf
    if x < 0.0 or x != x:
        return math.nan
    return math.log(x)


def _pow(a, b):
    # compilers turn pow(x, 2.0) into x*x (exact) and pow(x, -1.0) into 1/x: numba (LLVM) and Brian2's C
    # code (gcc) both do, so the reference does too (the C library's pow may differ in the last bit)
    if b == 2.0:
        return a * a
    if b == 1.0:
        return a
    if b == -1.0:
        return 1.0 / a if a != 0.0 else math.copysign(math.inf, a)
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


def _safe(f):
    def g(x):
        try:
            return f(x)
        except (ValueError, OverflowError):
            return math.nan if x == x and abs(x) <= 1e308 else f(0.0) * math.nan
    return g


VECTOR = {
    "exp": _elementwise(_exp), "log": _elementwise(_log), "power": _elementwise(_pow),
    "sqrt": _elementwise(_safe(math.sqrt)), "sin": _elementwise(math.sin), "cos": _elementwise(math.cos),
    "tan": _elementwise(math.tan), "sinh": _elementwise(_safe(math.sinh)), "cosh": _elementwise(_safe(math.cosh)),
    "tanh": _elementwise(math.tanh), "arcsin": _elementwise(_safe(math.asin)), "arccos": _elementwise(_safe(math.acos)),
    "arctan": _elementwise(math.atan), "log10": _elementwise(_safe(math.log10)), "expm1": _elementwise(_safe(math.expm1)),
    "log1p": _elementwise(_safe(math.log1p)), "exprel": _elementwise(getattr(exprel, "py_func", exprel)),
    "floor": np.floor, "ceil": np.ceil, "abs": np.abs,
}


@njit(cache=True)
def first_non_finite(x, rows):
    """The first column of ``x`` with a non-finite value in one of ``rows``, or -1."""
    for i in range(x.shape[1]):
        for r in rows:
            if not math.isfinite(x[r, i]):
                return i
    return -1


class _Reference:
    """Vectorised helpers of the reference backend's generated code (numpy, the same arithmetic)."""

    @staticmethod
    def clip(x, low, high):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x < low, low, np.where(x > high, high, x))

    @staticmethod
    def int_(x):
        return np.trunc(np.asarray(x, dtype=np.float64)).astype(np.int64) if np.asarray(x).dtype != bool \
            else np.asarray(x).astype(np.int64)

    @staticmethod
    def timestep(t, dt):
        return ((np.asarray(t, dtype=np.float64) + 1e-3 * dt) / dt).astype(np.int64)

    @staticmethod
    def lastspike_time(step, dt):
        step = np.asarray(step)
        return np.where(step <= -(2 ** 39), NEVER_TIME, step * dt)

    @staticmethod
    def _index(t, meta, rows):
        k = ((np.asarray(t, dtype=np.float64) / meta[0] + 0.5) / meta[1]).astype(np.int64)
        return np.clip(k, 0, rows - 1)

    @classmethod
    def timed_1d(cls, values, meta, t):
        return values[cls._index(t, meta, values.shape[0]), 0]

    @classmethod
    def timed_2d(cls, values, meta, t, i):
        return values[cls._index(t, meta, values.shape[0]), i]

    @staticmethod
    def rand(key, site, idx, n):
        idx = np.atleast_1d(idx)
        return np.array([getattr(rand, 'py_func', rand)(key, site, int(i), n) for i in idx])

    @staticmethod
    def randn(key, site, idx, n):
        idx = np.atleast_1d(idx)
        return np.array([getattr(randn, 'py_func', randn)(key, site, int(i), n) for i in idx])

    @staticmethod
    def first_non_finite(x, rows):
        if not rows:
            return -1
        bad = ~np.isfinite(x[rows]).all(axis=0)
        return int(np.flatnonzero(bad)[0]) if bad.any() else -1


REFERENCE = _Reference()


@njit(cache=True)
def ring_push(ring, pos, col, step, window_steps):
    """Record spike step ``step`` in column ``col`` of a ring of recent spike steps.

    True if the entry it overwrote was still inside the window (the ring is too small for the rate).
    """
    R = ring.shape[0]
    k = pos[col]
    old = ring[k, col]
    ring[k, col] = step
    pos[col] = (k + 1) % R
    return old >= 0 and step - old <= window_steps


@njit(cache=True)
def ring_count(ring, col, step, lo, hi):
    """Number of recorded steps e in column ``col`` with ``lo <= step - e <= hi``."""
    c = 0
    for k in range(ring.shape[0]):
        e = ring[k, col]
        if e >= 0 and lo <= step - e <= hi:
            c += 1
    return c


# ---------------------------------------------------------------- plain Python (reference synapse code)
class _PythonMath:
    """``math`` for the reference backend's Python code: the C library's functions with IEEE results
    (inf, nan) where Python's math module would raise."""

    inf = math.inf
    pi = math.pi

    @staticmethod
    def exp(x):
        return np.float64(_exp(float(x)))

    @staticmethod
    def log(x):
        return np.float64(_log(float(x)))

    def __getattr__(self, name):
        f = getattr(math, name)
        return lambda *a: np.float64(_pow_guard(f, *a))


def _pow_guard(f, *a):
    try:
        return f(*(float(x) for x in a))
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


class _Python:
    """The helpers above as plain Python functions (numba's ``py_func``), for the reference backend."""

    def __getattr__(self, name):
        f = globals()[name]
        return getattr(f, "py_func", f)

    @staticmethod
    def power(a, b):
        return np.float64(_pow(float(a), float(b)))

    @staticmethod
    def exprel(x):
        x = float(x)
        if abs(x) < 1e-16:
            return np.float64(1.0)
        if x > 717.0:
            return np.float64(math.inf)
        return np.float64(math.expm1(x) / x)


PYTHON_MATH = _PythonMath()
PYTHON = _Python()
