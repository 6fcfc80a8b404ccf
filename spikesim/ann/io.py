"""Saving and loading the artificial models: one ``.npz`` file per fitted estimator.

The file holds ``meta`` (JSON: format version, class name, hyper-parameters,
small learned state such as the layer list and the history) and the arrays
(``a.<name>``).  :func:`load_model` reads any of them; every problem with a
file (not a zip, truncated, another program's npz, another model class,
missing or misshapen arrays) is a ``ValueError`` that names the file and says
what is wrong.  Files of format version 1 (spikesim before the layer modules)
still load.
"""
from __future__ import annotations

import json
import pathlib
import zipfile
import zlib

import numpy as np

FORMAT_VERSION = 2


def _jsonable(value):
    from .layers import Layer, Sequential
    if isinstance(value, Sequential) or (isinstance(value, (list, tuple)) and value
                                         and all(isinstance(v, Layer) for v in value)):
        return {"layers": Sequential(list(value)).config()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (type, np.dtype)):
        return np.dtype(value).name
    if isinstance(value, np.random.Generator):
        return None                 # a Generator's state is not saved
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save a parameter value of type {type(value).__name__}: {value!r}")


def _from_json(name, value):
    from .layers import Sequential
    if isinstance(value, dict) and set(value) == {"layers"}:
        return Sequential.from_config(value["layers"]).layers
    if name in ("hidden", "input_shape") and isinstance(value, list):
        return tuple(value)
    return value


def save_estimator(path, estimator, arrays, state):
    """Write a fitted estimator: its parameters, ``arrays`` (name -> ndarray) and JSON ``state``."""
    meta = dict(version=FORMAT_VERSION, kind=type(estimator).__name__, params=_jsonable(estimator.get_params()),
                state=_jsonable(state))
    out = {f"a.{k}": np.asarray(v) for k, v in arrays.items()}
    out["meta"] = np.array(json.dumps(meta))
    path = pathlib.Path(path)
    with open(path, "wb") as fh:
        np.savez(fh, **out)
    return path


def _read(path):
    """(meta dict, arrays) of a model file, or ValueError naming the file and the problem."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such model file")
    damaged = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)
    with open(path, "rb") as fh:
        head = fh.read(6)
    if head[:4] != b"PK\x03\x04" and head != b"\x93NUMPY":
        what = "an empty file" if not head else f"it starts with bytes {head!r}"
        raise ValueError(f"{path}: not a readable spikesim model file (not an .npz archive: {what})")
    try:
        f = np.load(path, allow_pickle=False)
    except damaged as exc:
        raise ValueError(f"{path}: not a readable spikesim model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not a spikesim model file (one .npy array, not an .npz archive)")
    try:
        with f:
            data = {k: f[k] for k in f.files}
    except damaged as exc:
        raise ValueError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") from None
    if "meta" not in data:
        raise ValueError(f"{path}: not a spikesim model file (it has no 'meta' entry; arrays: "
                         f"{sorted(data)[:5]})")
    try:
        meta = json.loads(str(data.pop("meta")))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: the model description is not valid JSON ({exc})") from None
    if isinstance(meta, dict) and "structure" in meta and "kind" not in meta:
        raise ValueError(f"{path}: not a spikesim model file: it is the state of a spiking Network (written by "
                         f"Network.save; read it with Network.load)")
    if not isinstance(meta, dict) or "kind" not in meta:
        raise ValueError(f"{path}: the model description has no model class ('kind')")
    arrays = {k[2:]: v for k, v in data.items() if k.startswith("a.")}
    return meta, arrays


def _classes():
    from ._base import MODEL_CLASSES          # filled when spikesim.ann (this module's package) is imported
    return MODEL_CLASSES


def load_model(path):
    """The fitted estimator saved in ``path``, whichever class it is (Perceptron, MLP, LeNet5, NetworkClassifier)."""
    return load_estimator(path, None)


def load_estimator(path, cls):
    """The estimator of class ``cls`` (any known class when None) saved in ``path``."""
    meta, arrays = _read(path)
    kind = meta["kind"]
    classes = _classes()
    if kind not in classes:
        raise ValueError(f"{path} holds a {kind!r}, not a model spikesim can load ({sorted(classes)})")
    if cls is not None and kind != cls.__name__:
        raise ValueError(f"{path} holds a {kind!r} model, not a {cls.__name__!r}")
    cls = classes[kind]
    version = meta.get("version")
    if version == 1:
        params, state, arrays = _upgrade_version1(path, kind, meta, arrays)
    elif version == FORMAT_VERSION:
        params, state = meta.get("params"), meta.get("state")
        if not isinstance(params, dict) or not isinstance(state, dict):
            raise ValueError(f"{path}: the model description lacks its parameters or state")
    else:
        raise ValueError(f"{path}: model file version {version!r} is not supported (this spikesim reads 1 and "
                         f"{FORMAT_VERSION})")

    def fail(message):
        raise ValueError(f"{path}: {message}")

    unknown = set(params) - set(cls._get_param_names())
    if unknown:
        fail(f"unknown parameter(s) {sorted(unknown)} for {kind}")
    try:
        model = cls(**{k: _from_json(k, v) for k, v in params.items()})
        model._restore(arrays, state, fail)
    except KeyError as exc:
        fail(f"missing entry {exc} for a {kind}")
    except (TypeError, ValueError, AttributeError) as exc:
        if str(exc).startswith(str(path)):
            raise
        fail(f"does not describe a valid {kind}: {exc}")
    return model


def _upgrade_version1(path, kind, meta, arrays):
    """Parameters, state and arrays of a version-1 file in today's form."""
    hyper = dict(meta.get("hyper") or {})
    try:
        if kind == "Perceptron":
            state = dict(c=hyper.pop("c"), mistakes=hyper.pop("mistakes"), n_iter=hyper.pop("n_epochs"))
            return hyper, state, arrays
        if kind == "MLP":
            from .layers import Sequential
            n = len(hyper["hidden"]) + 1
            model = _classes()["MLP"](hidden=tuple(hyper["hidden"]), activation=hyper["activation"])
            net = Sequential(model._network_layers(arrays["classes"].size))
            dense = [key for key, layer in zip(net.layer_keys(), net) if layer.parameters()]
            new = {"classes": arrays["classes"]}
            for k in range(n):
                new[f"{dense[k]}.weight"] = arrays[f"W{k}"].T
                new[f"{dense[k]}.bias"] = arrays[f"b{k}"]
            d = int(arrays["W0"].shape[0])
            state = dict(network=net.config(), image_shape=[d], input_shape=[d], n_features_in=d, n_iter=0,
                         history={})
            return hyper, state, new
        if kind == "LeNet5":
            from .layers import Sequential
            new = dict(arrays, classes=np.arange(10))
            state = dict(network=Sequential(_classes()["LeNet5"]()._network_layers(10)).config(), image_shape=[1, 28, 28],
                         input_shape=[1, 28, 28], n_features_in=784, n_iter=0, history={})
            return hyper, state, new
    except KeyError as exc:
        raise ValueError(f"{path}: missing entry {exc} for a {kind} (format version 1)") from None
    raise ValueError(f"{path}: format version 1 has no {kind!r} models")
