"""Public cases: inputs and expected outputs shipped with the course, one file per function.

They are generated from the check modules' public cases and the references by
``autograder regenerate`` and stored in ``public/<function>.cases`` in the plain-bytes
format of the worker protocol (no pickle). ``autograder check`` grades from these files
alone, so it never needs ``solutions/``; ``tests/test_public_cases.py`` fails when they
no longer match what the references compute.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..checks.kit import Call, Case
from ..model import resolve
from ..sandbox import _ag_protocol as protocol

FORMAT = 1
PUBLIC_SEED = 0  # public cases never depend on the course's secret seed


def path_for(folder: Path, function: str) -> Path:
    return folder / f"{function}.cases"


def expected_of(reference, call: Call):
    """What the reference gives for ``call``: ``("value", v)`` or ``("raises", name)``.
    A model's weights named in the call (``autograder.model.MODEL``) are read here."""
    try:
        return ("value", reference(*resolve(call.args), **resolve(call.kwargs)))
    except Exception as exc:  # the reference signalling bad input is an expected outcome
        return ("raises", type(exc).__name__)


def build(function: str, cases: list[Case], reference) -> dict:
    """The public cases of ``function``: name -> {call, expected}."""
    built = {}
    for case in cases:
        if case.hidden:
            continue
        call = case.make(case.rng(function, PUBLIC_SEED))
        kind, value = expected_of(reference, call)
        built[case.name] = {"args": list(call.args), "kwargs": call.kwargs,
                            "expected": {kind: value}}
    return built


def write(folder: Path, function: str, built: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = path_for(folder, function)
    data = protocol.encode({"format": FORMAT, "function": function, "cases": built})
    # The same cases again, to the last few bits (another CPU's rounding: see ``same``):
    # left alone, so staff commits carry no spurious change.
    try:
        stored = path.read_bytes()
        if stored == data or _same_file(protocol.decode(stored), function, built):
            return path
    except Exception:  # noqa: BLE001 - unreadable or damaged: written again below
        pass
    path.write_bytes(data)
    return path


def _same_file(stored, function: str, built: dict) -> bool:
    return (isinstance(stored, dict) and stored.get("format") == FORMAT
            and stored.get("function") == function and same(stored.get("cases"), built))


def read(folder: Path, function: str) -> dict:
    """name -> (Call, expected) for ``function``; empty when the file is absent or unreadable."""
    path = path_for(folder, function)
    try:
        data = protocol.decode(path.read_bytes())
    except (OSError, protocol.ProtocolError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    return {name: (Call(tuple(c["args"]), dict(c["kwargs"])), _expected(c["expected"]))
            for name, c in data["cases"].items()}


def _expected(stored: dict):
    (kind, value), = stored.items()
    return kind, value


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to the last bits of a float: the same reference gives values a few ulps
    apart on another CPU (its SIMD paths, its BLAS), which is not a stale case. The
    bound is relative to the array's scale, so an entry near 0 (sin(k*pi)) is judged
    by the scale of its neighbours, not by its own tiny size."""
    if a.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    finite = np.abs(b[np.isfinite(b)])
    tol = max(1e-12, 8 * float(np.finfo(a.dtype).eps))
    scale = float(finite.max()) if finite.size else 0.0
    return bool(np.allclose(a, b, rtol=tol, atol=tol * scale, equal_nan=True))


def same(a, b) -> bool:
    """Whether two stored values are equal (arrays: same dtype, shape and values)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and _close(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def regenerate(course, write_files: bool = True) -> dict[str, dict]:
    """Build (and by default write) the public cases of every function in ``course``."""
    from ..checks import cases_of
    from .references import References

    functions = {e.function: e.file for e in course.exercises}
    references = References(course.solutions, functions)
    built = {f: build(f, cases_of(f), references[f]) for f in functions}
    if write_files:
        for function, cases in built.items():
            write(course.public_cases, function, cases)
    return built
