"""Where numba keeps spikesim's compiled kernels.

numba's own cache sits next to each source file and is refreshed only when
*that* file changes: a kernel that calls a function from another file keeps
running the old machine code after that file is edited or upgraded.  So the
cache goes into a folder named after a hash of all of spikesim's sources
(``~/.cache/spikesim/numba-<hash>``): any change of the package compiles
afresh, an unchanged package starts from the cache.  A user who sets
NUMBA_CACHE_DIR keeps control of it.  Kernels compiled where ``exp`` is the C
library's call (:func:`spikesim.equations.exp_libm.enabled` false) go into a
folder of their own (``numba-<hash>-libm``).
"""
from __future__ import annotations

import hashlib
import os
import pathlib


def source_hash():
    """SHA-1 over the package's Python sources (paths and contents), 12 hex digits."""
    root = pathlib.Path(__file__).resolve().parent
    h = hashlib.sha1()
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def configure():
    """Point numba's cache at the hashed folder (before any kernel module is imported)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    import numba
    from .equations.exp_libm import enabled
    suffix = "" if enabled() else "-libm"
    folder = pathlib.Path.home() / ".cache" / "spikesim" / f"numba-{source_hash()}{suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None          # not writable: numba falls back to its default locations
    numba.config.CACHE_DIR = str(folder)
    _prune(folder.parent, keep=folder)
    return folder


def _prune(root, keep, max_age_days=30):
    """Delete cache folders of other spikesim versions unused for ``max_age_days``."""
    import shutil
    import time
    limit = time.time() - max_age_days * 86400
    for d in root.glob("numba-*"):
        try:
            if d != keep and d.stat().st_mtime < limit:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass
