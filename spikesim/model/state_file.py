"""The network state file written by :meth:`Network.save` and read by :meth:`Network.load`.

An ``.npz`` archive (numpy's zip of ``.npy`` arrays, stored uncompressed):
``meta`` (a JSON string: format version, ``dt``, seed, step, and the
network's structure, one ``[class, name, N]`` per object), and the arrays:

``o{k}.{name}``
    state arrays of object ``k`` (groups, synapses, presentations);
``c{k}.post_index``, ``c{k}.dptr``, ``c{k}.udelay``, ``c{k}.perm``
    the connectivity of Synapses ``k``;
``h.hist{g}``, ``h.hist_n{g}``, ``h.hist_step{g}``
    the spike-history rings of group ``g`` (spikes in flight);
``m{k}.{field}``
    the records of monitor ``k``;
``r{k}``
    the rates PoissonGroup ``k``'s pending spikes were drawn with.

:func:`read` checks the archive's structure itself (a zip of ``.npy``
members, headers, sizes, no Python objects, metadata) and raises a
``ValueError`` naming the file and the problem; it never unpickles.
"""
from __future__ import annotations

import json
import pathlib
import zipfile
import zlib

import numpy as np

FILE_VERSION = 1
_META_FIELDS = {"version": int, "dt": float, "seed": int, "step": int, "structure": list}


def _fail(path, problem):
    raise ValueError(f"{path}: {problem}")


def _header(path, fh, member):
    """(shape, fortran_order, dtype) of one .npy member, from its header."""
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(fh)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(fh)
    except ValueError as exc:            # numpy's header parser: the member is not a .npy array
        _fail(path, f"member {member!r} is not a readable .npy array ({exc})")
    _fail(path, f"member {member!r} has .npy format version {version}, which spikesim does not write")


def _member(path, zf, member):
    """The array stored in ``member``, read after checking its header (no pickle, complete data)."""
    size = zf.getinfo(member).file_size
    try:
        with zf.open(member) as fh:
            shape, fortran, dtype = _header(path, fh, member)
            if dtype.hasobject:
                _fail(path, f"array {member!r} holds Python objects; it would need pickle, which spikesim never "
                            f"loads (not a spikesim network file)")
            nbytes = dtype.itemsize
            for d in shape:
                nbytes *= int(d)
            if nbytes > size:           # checked before allocating: a damaged header may claim any size
                _fail(path, f"member {member!r} is truncated: its header announces {nbytes} bytes of data, the "
                            f"member holds {size} bytes in all")
            buf = np.empty(nbytes, dtype=np.uint8)
            got = fh.readinto(memoryview(buf)) if nbytes else 0
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:     # the zip layer's checks (CRC, lengths)
        _fail(path, f"member {member!r} is damaged ({exc})")
    if got != nbytes:
        _fail(path, f"member {member!r} is truncated: {got} of {nbytes} bytes")
    return buf.view(dtype).reshape(shape, order="F" if fortran else "C")


def _meta(path, arr):
    if arr.shape != () or arr.dtype.kind != "U":
        _fail(path, f"its 'meta' entry is not a text (got dtype {arr.dtype}, shape {arr.shape})")
    try:
        meta = json.loads(str(arr[()]))
    except json.JSONDecodeError as exc:
        _fail(path, f"its metadata is not valid JSON ({exc})")
    if not isinstance(meta, dict):
        _fail(path, f"its metadata is not a JSON object (got {type(meta).__name__})")
    if "kind" in meta and "structure" not in meta:
        _fail(path, f"it holds an artificial model ({meta['kind']!r}), not a network state; read it with "
                    f"spikesim.ann.load_model")
    if meta.get("version") != FILE_VERSION:
        _fail(path, f"file version {meta.get('version')!r} is not supported (expected {FILE_VERSION})")
    for key, kind in _META_FIELDS.items():
        value = meta.get(key)
        ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
        if not ok or isinstance(value, bool):
            _fail(path, f"its metadata lacks {key!r} of type {kind.__name__} (got {value!r})")
    if not meta["dt"] > 0 or meta["seed"] < 0 or meta["step"] < 0:
        _fail(path, f"its metadata has impossible values (dt={meta['dt']}, seed={meta['seed']}, "
                    f"step={meta['step']})")
    return meta


def read(path) -> tuple[dict, dict]:
    """(meta, arrays) of a state file, checked for structure; ValueError naming the file otherwise.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    meta : dict
        ``version``, ``dt``, ``seed``, ``step``, ``structure``.
    arrays : dict of str to ndarray
        Every other entry, by name.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        Not a zip archive, a damaged or truncated member, an array that needs
        pickle, no or malformed metadata, another file version, an artificial
        model file.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError) as exc:
        _fail(path, f"not a spikesim network file: not an .npz (zip) archive, or a truncated one ({exc})")
    with zf:
        names = zf.namelist()
        odd = [n for n in names if not n.endswith(".npy")]
        if odd:
            _fail(path, f"not a spikesim network file: member {odd[0]!r} is not a .npy array")
        if "meta.npy" not in names:
            _fail(path, f"not a spikesim network file (no metadata; entries: {sorted(n[:-4] for n in names)[:5]})")
        meta = _meta(path, _member(path, zf, "meta.npy"))
        arrays = {n[:-4]: _member(path, zf, n) for n in names if n != "meta.npy"}
    return meta, arrays


def write(path, meta: dict, arrays: dict) -> None:
    """Write ``meta`` and ``arrays`` to ``path`` as an uncompressed ``.npz``.

    Parameters
    ----------
    path : str or os.PathLike
    meta : dict
        JSON-able metadata (``dt``, ``seed``, ``step``, ``structure``); the
        format version is added.
    arrays : dict of str to ndarray
        Numeric arrays, by entry name.
    """
    out = dict(arrays)
    out["meta"] = np.array(json.dumps(dict(meta, version=FILE_VERSION)))
    with open(path, "wb") as fh:
        np.savez(fh, **out)
