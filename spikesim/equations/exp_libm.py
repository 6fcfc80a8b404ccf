"""``exp`` with the C library's bits, in a form the compiler can inline and vectorise.

glibc (2.28 and later) computes ``exp(x)``, for ``2**-54 <= |x| < 512``, as

    k = round(x * N / ln 2),   r = x - k ln2/N          (N = 128, ln2/N in two parts)
    2**(k/N) = scale * (1 + tail)                        (a table of 128 pairs)
    exp(x) = scale + scale * (tail + r + r**2 (C2 + r C3) + r**4 (C4 + r C5))

with the table's ``tail`` and ``scale`` bits and the four coefficients of its source; on
x86-64 with FMA the library runs the build of that code in which the compiler fused every
multiply-add it could (read from the library's machine code: ``k`` by one fused
``x * N/ln2 + shift``, ``r`` by two, the polynomial by four and the final ``scale + scale *
p`` by one).  :func:`exp_core` is that sequence of operations, written with explicit fused
multiply-adds (LLVM's ``llvm.fma``, exactly rounded on every machine), so its result is
the library's to the last bit wherever the library runs that code.  Outside the range,
for NaN and infinities, callers use the library itself.

Whether this machine's library runs that code is not assumed: :func:`enabled` compares the
same sequence, evaluated in Python with the C library's own ``fma``, against the C library's
``exp`` on a fixed set of arguments spread over the whole range, once per machine (the verdict
is kept in the cache folder), and spikesim uses :func:`exp_core` only where they agree on every
one; elsewhere (another C library, a CPU without FMA) every ``exp`` is the library's call, as
before.  ``SPIKESIM_EXP=libm`` forces the library's call.  The table is computed here from
``2**(i/128)`` to 60 digits (``scale`` the double nearest to it, ``tail`` the double nearest
to the rest, relative), which is how the library's table is defined.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import pathlib
import platform
import struct
from decimal import Decimal, localcontext

import numpy as np

N_TABLE = 128
INV_LN2_N = float.fromhex("0x1.71547652b82fep0") * N_TABLE
SHIFT = float.fromhex("0x1.8p52")
NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")
NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")
C2 = float.fromhex("0x1.ffffffffffdbdp-2")
C3 = float.fromhex("0x1.555555555543cp-3")
C4 = float.fromhex("0x1.55555cf172b91p-5")
C5 = float.fromhex("0x1.1111167a4d017p-7")
TOP_LOW = 0x3C9          # the biased exponent of 2**-54: below it, exp(x) is 1 + x
TOP_SPAN = 0x3E          # up to 0x407, the biased exponent of 256 (|x| < 512)


def _bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _double(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b % (1 << 64)))[0]


def _table() -> np.ndarray:
    """``(2 * 128,)`` uint64: for each i, the bits of ``tail`` and of ``scale`` less ``i << 45``."""
    out = np.empty(2 * N_TABLE, dtype=np.uint64)
    with localcontext() as ctx:
        ctx.prec = 60
        for i in range(N_TABLE):
            exact = Decimal(2) ** (Decimal(i) / Decimal(N_TABLE))
            scale = float(exact)
            tail = float((exact - Decimal(scale)) / Decimal(scale))
            out[2 * i] = _bits(tail)
            out[2 * i + 1] = (_bits(scale) - (i << 45)) % (1 << 64)
    return out


TABLE = _table()


def in_core_range(x: float) -> bool:
    """Whether ``exp_core`` applies to ``x`` (``2**-54 <= |x| < 512``; not NaN or infinite)."""
    return 0 <= ((_bits(x) >> 52) & 0x7FF) - TOP_LOW <= TOP_SPAN


def core_reference(x: float, fma) -> float:
    """:func:`exp_core`'s sequence of operations in Python, with ``fma(a, b, c) = a*b + c`` rounded once."""
    kd = fma(x, INV_LN2_N, SHIFT)
    ki = _bits(kd)
    kd -= SHIFT
    r = fma(kd, NEG_LN2_LO_N, fma(kd, NEG_LN2_HI_N, x))
    i = ki % N_TABLE
    tail = _double(int(TABLE[2 * i]))
    scale = _double(int(TABLE[2 * i + 1]) + (ki << 45))
    r2 = r * r
    p = fma(fma(r, C3, C2), r2, r + tail)
    p = fma(r2 * r2, fma(r, C5, C4), p)
    return fma(scale, p, scale)


def check_arguments() -> np.ndarray:
    """The fixed arguments of the check: 6,000 spread over the core's range, both signs, in float64."""
    rng = np.random.default_rng(20261130)
    wide = rng.uniform(-745.0, 709.7, 2000)
    unit = rng.uniform(-2.0, 2.0, 2000)
    mag = np.exp2(rng.uniform(-54.0, 9.0, 2000)) * rng.choice([-1.0, 1.0], 2000)
    return np.concatenate([wide, unit, mag])


def _libm():
    """(name, library) of the C math library, with ``exp`` and ``fma`` typed; OSError where there is none."""
    name = ctypes.util.find_library("m")
    if not name:
        raise OSError("no C math library found")
    lib = ctypes.CDLL(name)
    for fn in ("exp", "fma"):
        f = getattr(lib, fn)
        f.restype = ctypes.c_double
        f.argtypes = [ctypes.c_double] * (1 if fn == "exp" else 3)
    return name, lib


def agrees_with_libm() -> bool:
    """Whether the core, evaluated with the C library's ``fma``, gives the library's ``exp`` on every check argument."""
    try:
        _, lib = _libm()
    except (OSError, AttributeError, TypeError):
        return False
    for x in check_arguments():
        x = float(x)
        if in_core_range(x) and _bits(core_reference(x, lib.fma)) != _bits(lib.exp(x)):
            return False
    return True


def _loaded_libm_file():
    """The path of the C math library this process has loaded (Linux), or None."""
    try:
        with open("/proc/self/maps") as fh:
            for ln in fh:
                path = ln.split()[-1]
                if "/libm.so" in path or "/libm-" in path:
                    return path
    except OSError:
        pass
    return None


def _machine_key() -> str:
    """What the verdict depends on: the C library's file and the CPU's features."""
    parts = [platform.machine(), platform.system()]
    try:
        parts.append(_libm()[0])
    except (OSError, AttributeError, TypeError):
        parts.append("no libm")
    path = _loaded_libm_file()
    if path:
        st = os.stat(path)
        parts += [os.path.realpath(path), str(st.st_size), str(st.st_mtime_ns)]
    try:
        flags = next(ln for ln in pathlib.Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("flags"))
        parts.append(flags)
    except (OSError, StopIteration):
        parts.append(platform.processor())
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


_VERDICT = None


def enabled() -> bool:
    """Whether compiled code computes ``exp`` with :func:`exp_core` (see the module's docstring).

    False when ``SPIKESIM_EXP=libm`` (another value than unset is a ValueError); otherwise the
    check's verdict, made once per machine and kept in ``~/.cache/spikesim/exp-check.json`` (the
    check takes about 0.1 s).
    """
    global _VERDICT
    mode = os.environ.get("SPIKESIM_EXP", "").strip().lower()
    if mode not in ("", "libm"):
        raise ValueError(f"SPIKESIM_EXP={os.environ['SPIKESIM_EXP']!r}: expected 'libm' (every exp by the C "
                         f"library's call) or unset (the inline core where this machine's check allows it)")
    if mode == "libm":
        return False
    if _VERDICT is not None:
        return _VERDICT
    key = _machine_key()
    store = pathlib.Path.home() / ".cache" / "spikesim" / "exp-check.json"
    try:
        known = json.loads(store.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        _VERDICT = bool(known[key])
        return _VERDICT
    _VERDICT = agrees_with_libm()
    known[key] = _VERDICT
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known))
        os.replace(tmp, store)
    except OSError:
        pass
    return _VERDICT
