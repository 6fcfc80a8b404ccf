"""Save/load of the artificial models: one npz with a version, the class, hyperparameters and arrays."""
from __future__ import annotations

import json
import pathlib

import numpy as np

FORMAT_VERSION = 1


def save_model(path, kind, hyper, arrays):
    out = {f"a.{k}": np.asarray(v) for k, v in arrays.items()}
    out["meta"] = np.array(json.dumps(dict(version=FORMAT_VERSION, kind=kind, hyper=hyper)))
    path = pathlib.Path(path)
    with open(path, "wb") as fh:
        np.savez(fh, **out)
    return path


def load_model(path, kind):
    """(hyperparameters, arrays) of a file saved for ``kind``; clear errors for corrupt or mismatched files."""
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{path}: not a readable spikesim model file ({exc})") from exc
    if "meta" not in data:
        raise ValueError(f"{path}: not a spikesim model file (no metadata)")
    meta = json.loads(str(data.pop("meta")))
    if meta.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path}: model file version {meta.get('version')} is not supported ({FORMAT_VERSION})")
    if meta.get("kind") != kind:
        raise ValueError(f"{path} holds a {meta.get('kind')!r} model, not a {kind!r}")
    return meta["hyper"], {k[2:]: v for k, v in data.items()}
