"""Bulk access to the connections of whole synapse models, through bgmodel's NEST
extension (bg_synapse_bulk.cpp), called with ctypes.

PyNEST turns every connection it reads into a Python dictionary (about 5 us each), so
reading the 7.2 million plastic synapses of the full-scale model took over a minute.
The extension copies source ids, target ids and weights straight into NumPy arrays.

Order ("bulk order"): a model's connections on this process, NEST thread by NEST
thread, each thread's in NEST's order; several models are concatenated in the order
given. The same network (same config, seed and thread count) lists them in the same
order once it has been simulated (NEST sorts connections before its first simulation),
so arrays read from a run and from its rebuild line up.

`attach` is called once the extension is loaded into NEST; without it (NEST's own
neuron model and no extension) `available()` is False and callers use PyNEST.
"""
from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

_lib: ctypes.CDLL | None = None


class BulkAccessError(RuntimeError):
    """A bulk call failed (unknown model, array of the wrong size, NEST error)."""


def attach(library: str | Path) -> None:
    """Bind the functions of the extension library that NEST has just installed (the
    same file, so the dynamic loader hands back the copy NEST loaded)."""
    global _lib
    # The C side takes `long` arrays for node ids and positions: int64 here.
    if ctypes.sizeof(ctypes.c_long) != np.dtype(np.int64).itemsize:
        raise BulkAccessError("bulk synapse access needs a 64-bit C long")
    lib = ctypes.CDLL(str(library))
    lib.bg_synapse_last_error.restype = ctypes.c_char_p
    lib.bg_synapse_count.argtypes = [ctypes.c_char_p]
    lib.bg_synapse_count.restype = ctypes.c_long
    lib.bg_synapse_read.argtypes = [ctypes.c_char_p, ctypes.c_long, ctypes.c_void_p,
                                    ctypes.c_void_p, ctypes.c_void_p]
    lib.bg_synapse_read.restype = ctypes.c_long
    lib.bg_synapse_read_weights_at.argtypes = [ctypes.c_char_p, ctypes.c_long,
                                               ctypes.c_void_p, ctypes.c_void_p]
    lib.bg_synapse_read_weights_at.restype = ctypes.c_long
    lib.bg_synapse_write_weights.argtypes = [ctypes.c_char_p, ctypes.c_long, ctypes.c_void_p]
    lib.bg_synapse_write_weights.restype = ctypes.c_long
    _lib = lib


def detach() -> None:
    """Forget the library (tests; a kernel without the extension)."""
    global _lib
    _lib = None


def available() -> bool:
    return _lib is not None


def _library() -> ctypes.CDLL:
    if _lib is None:
        raise BulkAccessError("bgmodel's NEST extension is not loaded; bulk synapse "
                              "access needs it (use PyNEST instead)")
    return _lib


def _check(result: int, what: str) -> int:
    if result < 0:
        message = _library().bg_synapse_last_error().decode(errors="replace")
        raise BulkAccessError(f"{what}: {message}")
    return int(result)


def count(model: str) -> int:
    """Connections of synapse model `model` on this process."""
    return _check(_library().bg_synapse_count(model.encode()), f"counting {model}")


def _pointer(array: np.ndarray | None):
    return None if array is None else array.ctypes.data_as(ctypes.c_void_p)


def read(models: tuple[str, ...] | list[str], endpoints: bool = True,
         weights: bool = True) -> dict[str, np.ndarray]:
    """`source`, `target` (int64) and `weight` (float64) of every connection of
    `models` on this process, in bulk order (only the arrays asked for)."""
    keys = (("source", np.int64), ("target", np.int64))[:2 if endpoints else 0]
    keys += (("weight", np.float64),) if weights else ()
    parts: dict[str, list[np.ndarray]] = {key: [] for key, _ in keys}
    for model in models:
        n = count(model)
        arrays = {key: np.empty(n, dtype=dtype) for key, dtype in keys}
        _check(_library().bg_synapse_read(model.encode(), n, _pointer(arrays.get("source")),
                                          _pointer(arrays.get("target")),
                                          _pointer(arrays.get("weight"))),
               f"reading {model}")
        for key, array in arrays.items():
            parts[key].append(array)
    return {key: np.concatenate(parts[key]) if parts[key] else np.zeros(0, dtype=dtype)
            for key, dtype in keys}


def read_weights_at(positions: dict[str, np.ndarray]) -> np.ndarray:
    """Weights of the connections at the given bulk positions (ascending) of each
    model on this process, concatenated in the order of `positions`."""
    out = []
    for model, where in positions.items():
        where = np.ascontiguousarray(where, dtype=np.int64)
        w = np.empty(len(where), dtype=np.float64)
        _check(_library().bg_synapse_read_weights_at(model.encode(), len(where),
                                                     _pointer(where), _pointer(w)),
               f"reading weights of {model}")
        out.append(w)
    return np.concatenate(out) if out else np.zeros(0)


def write_weights(models: tuple[str, ...] | list[str], values: np.ndarray) -> None:
    """Set the weights of every connection of `models` on this process from one array
    in bulk order."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    counts = [count(m) for m in models]
    if len(values) != sum(counts):
        raise BulkAccessError(f"{len(values)} weights for {sum(counts)} synapses of "
                              f"{', '.join(models)} on this process")
    start = 0
    for model, n in zip(models, counts):
        piece = values[start:start + n]
        _check(_library().bg_synapse_write_weights(model.encode(), n, _pointer(piece)),
               f"setting the weights of {model}")
        start += n
