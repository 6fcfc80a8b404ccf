"""Memory checks made before large allocations (connectivity of big networks).

The check compares an estimate of the bytes a step needs with the memory
the system reports available (``MemAvailable`` in ``/proc/meminfo``, or
``os.sysconf`` where there is no ``/proc``).  The environment variable
``SPIKESIM_MEMORY_LIMIT`` overrides what counts as available: a number of
bytes with an optional suffix ``K``, ``M``, ``G`` or ``T`` (powers of 1024),
e.g. ``SPIKESIM_MEMORY_LIMIT=64G`` on a machine with swap, or ``off`` to
skip the check.
"""
from __future__ import annotations

import os
import re

ENV = "SPIKESIM_MEMORY_LIMIT"
_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _meminfo_available():
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "MemAvailable in /proc/meminfo"
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "os.sysconf"
    except (AttributeError, OSError, ValueError):
        return None, None


def available_bytes() -> tuple[int | None, str]:
    """Bytes that may be allocated, and where that figure comes from.

    Returns
    -------
    nbytes : int or None
        ``None`` when unknown or when the check is switched off
        (``SPIKESIM_MEMORY_LIMIT=off``).
    source : str
        Where the figure comes from (for error messages).

    Raises
    ------
    ValueError
        ``SPIKESIM_MEMORY_LIMIT`` is set to something that is not a size.
    """
    env = os.environ.get(ENV, "").strip()
    if env:
        if env.lower() in ("off", "none", "0"):
            return None, f"{ENV}={env}"
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?", env, re.IGNORECASE)
        if m is None:
            raise ValueError(f"{ENV} must be a number of bytes with an optional suffix K, M, G or T (e.g. 64G), "
                             f"or 'off', got {env!r}")
        return int(float(m.group(1)) * _SUFFIX[m.group(2).upper()]), f"{ENV}={env}"
    return _meminfo_available()


def _size(n):
    for unit, scale in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def check(what: str, needed: int) -> None:
    """Raise MemoryError, before allocating, when ``needed`` bytes exceed what is available.

    Parameters
    ----------
    what : str
        What would be allocated, for the message (e.g. "Synapses 'ee': about 9e8 synapses").
    needed : int
        Estimated peak bytes.

    Raises
    ------
    MemoryError
        With the estimate, the memory available and how to override the check.
    """
    avail, source = available_bytes()
    if avail is None or needed <= avail:
        return
    raise MemoryError(f"{what} would need about {_size(needed)} of memory, but {_size(avail)} are available "
                      f"({source}); use fewer synapses, or set the environment variable {ENV} (e.g. 64G, or "
                      f"'off') to override this check")
