"""Where generated code lives: a folder of modules named by the hash of their source.

The expensive step of compiling a model, running Brian2 on its equations,
is cached by a hash of the model's description (:func:`cached`); the
generated modules are written once, named after the model and the hash of
their own source (:func:`module_from_source`), so numba's on-disk cache of
their compiled functions stays valid across processes and a second network
with the same model starts without compiling.  The folder sits inside the
numba cache folder of this version of the sources (see
:mod:`spikesim._jitcache`).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pathlib
import re
import sys
import tempfile

_MEMO = {}


def folder():
    """The folder of generated modules and cached model descriptions (created on first use)."""
    import numba
    from .. import _jitcache
    base = numba.config.CACHE_DIR or ""
    d = pathlib.Path(base) / "generated" if base else pathlib.Path(tempfile.gettempdir()) / \
        f"spikesim-generated-{_jitcache.source_hash()}"
    d.mkdir(parents=True, exist_ok=True)
    if str(d) not in sys.path:
        sys.path.append(str(d))
    return d


def digest(obj):
    """A stable 16-hex-digit hash of a JSON-able object."""
    return hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _write_once(path, text):
    if path.exists():
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def cached(kind, key, make):
    """``make()`` (a JSON-able result), remembered on disk under ``kind`` and the hash of ``key``."""
    h = f"{kind}_{digest(key)}"
    if h in _MEMO:
        return _MEMO[h]
    path = folder() / f"{h}.json"
    if path.exists():
        try:
            value = json.loads(path.read_text())
            _MEMO[h] = value
            return value
        except (OSError, ValueError):
            pass                      # damaged: make it again
    value = make()
    _write_once(path, json.dumps(value))
    _MEMO[h] = value
    return value


def module_name(label, source):
    """``ss_<label>_<hash of source>``: the name under which ``source`` is imported."""
    label = re.sub(r"\W", "_", label)[:40]
    return f"ss_{label}_{hashlib.sha1(source.encode()).hexdigest()[:12]}"


def module_from_source(label, source):
    """Import ``source`` as a module (written once to the cache folder); returns the module."""
    name = module_name(label, source)
    mod = sys.modules.get(name)
    if mod is not None:
        return mod
    path = folder() / f"{name}.py"
    _write_once(path, source)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[name]
        raise
    return mod
