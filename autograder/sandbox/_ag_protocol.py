"""The wire format between the grading process and a worker: plain bytes, never pickle.

A message is a 4-byte big-endian length, a JSON header, then the raw buffers of the
arrays it carries. The header holds the structure (None, bools, numbers, strings,
lists, tuples, str-keyed dicts) with ``{"$array": i}`` where array ``i`` goes, and the
dtype, shape and size of every buffer. Decoding rebuilds fresh ``numpy.ndarray``
objects from those bytes, accepting only plain numeric and boolean dtypes, so nothing
the other side built ever survives the crossing.

This module is imported by the worker by file path, so it may use only the standard
library and NumPy (never the ``autograder`` package).
"""
from __future__ import annotations

import json
import math
import struct

import numpy as np

# Far above any case of this course (the largest message is ~13 kB); a reply claiming
# more is refused before anything is allocated for it.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
ALLOWED_KINDS = frozenset("biuf")  # bool, signed int, unsigned int, float
_LEN = struct.Struct(">I")


class ProtocolError(Exception):
    """A message that is not in the format above (truncated, oversized, bad dtype)."""


def _encode_value(value, buffers: list) -> object:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):  # bool was taken above; np.bool_ is no integer
        return int(value)
    if isinstance(value, (float, np.floating)):
        return {"$float": repr(float(value))} if not math.isfinite(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        array = np.asarray(value)  # a subclass becomes a plain ndarray here
        if array.dtype.kind not in ALLOWED_KINDS:
            return {"$unsupported": f"a NumPy array of dtype {array.dtype}"}
        buffers.append(array)
        return {"$array": len(buffers) - 1}
    if isinstance(value, Named):
        return {"$named": value.name}
    if isinstance(value, tuple):
        return {"$tuple": [_encode_value(v, buffers) for v in value]}
    if isinstance(value, list):
        return [_encode_value(v, buffers) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"$dict": {k: _encode_value(v, buffers) for k, v in value.items()}}
    return {"$unsupported": type(value).__name__}


def encode(value) -> bytes:
    """Serialise ``value`` (arrays, numbers, strings, containers of them) to bytes."""
    arrays: list[np.ndarray] = []
    tree = _encode_value(value, arrays)
    header = {
        "tree": tree,
        "buffers": [
            {"dtype": a.dtype.str, "shape": list(a.shape), "nbytes": a.nbytes} for a in arrays
        ],
    }
    head = json.dumps(header, allow_nan=False).encode()
    body = b"".join(a.tobytes(order="C") for a in arrays)
    return _LEN.pack(len(head)) + head + body


class Named:
    """A large read-only input the worker loads itself, by name, instead of receiving it
    over the pipe: the weights of a pretrained model (``all-MiniLM-L6-v2`` or a part,
    ``all-MiniLM-L6-v2/layers/0``; see ``autograder/model/checkpoint.py``). Decoded
    anywhere else it is an inert marker."""

    def __init__(self, name: str):
        self.name = str(name)

    def __eq__(self, other) -> bool:
        return isinstance(other, Named) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Named({self.name!r})"


class Unsupported:
    """A value the sender could not express (a list of objects, a custom class...)."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return f"Unsupported({self.description!r})"


def _decode_tree(node, arrays: list):
    if isinstance(node, list):
        return [_decode_tree(n, arrays) for n in node]
    if isinstance(node, dict):
        if "$array" in node:
            return arrays[node["$array"]]
        if "$tuple" in node:
            return tuple(_decode_tree(n, arrays) for n in node["$tuple"])
        if "$dict" in node:
            return {k: _decode_tree(v, arrays) for k, v in node["$dict"].items()}
        if "$named" in node:
            return Named(str(node["$named"]))
        if "$float" in node:
            return float(node["$float"])
        if "$unsupported" in node:
            return Unsupported(str(node["$unsupported"]))
        raise ProtocolError(f"unknown node {sorted(node)}")
    return node


def decode(data: bytes):
    """Rebuild the value sent by :func:`encode`, as fresh read-only arrays.

    Anything malformed (nesting too deep, unknown dtypes, sizes that do not add up)
    raises :class:`ProtocolError` and nothing else: the other side may be hostile.
    """
    try:
        return _decode(data)
    except ProtocolError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
            RecursionError, MemoryError) as exc:
        raise ProtocolError(f"malformed message: {type(exc).__name__}: {exc}"[:300]) from None


def _decode(data: bytes):
    if len(data) < _LEN.size:
        raise ProtocolError("message shorter than its length prefix")
    (head_len,) = _LEN.unpack_from(data)
    header = json.loads(bytes(data[_LEN.size:_LEN.size + head_len]))
    specs, tree = header["buffers"], header["tree"]
    if not isinstance(specs, list):
        raise ProtocolError("buffers is not a list")
    arrays, offset = [], _LEN.size + head_len
    for spec in specs:
        dtype = np.dtype(str(spec["dtype"]))
        if dtype.kind not in ALLOWED_KINDS or dtype.hasobject or dtype.fields:
            raise ProtocolError(f"refused dtype {dtype}")
        shape = tuple(int(n) for n in spec["shape"])
        if any(n < 0 for n in shape):
            raise ProtocolError(f"negative dimension in {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes != spec["nbytes"] or offset + nbytes > len(data):
            raise ProtocolError("buffer sizes do not add up")
        array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=offset)
        array = array.reshape(shape)
        array.flags.writeable = False
        arrays.append(array)
        offset += nbytes
    if offset != len(data):
        raise ProtocolError("trailing bytes after the last buffer")
    return _decode_tree(tree, arrays)


def write_message(fd: int, payload: bytes) -> None:
    """Send one message (length-prefixed) over a pipe file descriptor."""
    import os

    view = memoryview(_LEN.pack(len(payload)) + payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd: int, size: int) -> bytes:
    import os

    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int) -> bytes:
    """Receive one message written by :func:`write_message` (blocking)."""
    (size,) = _LEN.unpack(read_exact(fd, _LEN.size))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {size} bytes exceeds the limit")
    return read_exact(fd, size)
