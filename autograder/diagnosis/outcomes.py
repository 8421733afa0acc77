"""What one call came to, and whether two such results are the same behaviour.

The student's results come back from the worker as :class:`~autograder.sandbox.session.
Outcome`; the references' and the variants' are computed here, in the grading process
(they are course code). Both are reduced to a :class:`Result` so they can be compared:
the same exception type, or the same structure, shapes, dtypes and values.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..checks.kit import Call

# Looser than the grading tolerances: a student's code that makes the same mistake in
# another order of operations must still match; the probes make mistakes differ by far
# more than this.
RTOL, ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Result:
    kind: str               # value | raises | lost (timeout, crash, unreadable: nothing to read)
    value: object = None
    error: str = ""         # the exception's type name, when kind == "raises"
    message: str = ""
    during: str = ""        # import | call, for a student's exception

    @property
    def read_only_write(self) -> bool:
        """Whether this is NumPy refusing to write into a read-only input."""
        return self.kind == "raises" and self.error == "ValueError" and "read-only" in self.message


def from_outcome(outcome) -> Result:
    """A worker's :class:`Outcome` as a :class:`Result`."""
    if outcome.kind == "ok":
        return Result("value", outcome.value)
    if outcome.kind in ("error", "missing"):
        error = outcome.error or {}
        return Result("raises", error=str(error.get("type")), message=str(error.get("message")),
                      during=str(error.get("during") or ""))
    return Result("lost", message=outcome.detail or outcome.kind)


def run_trusted(function, probe_call: Call) -> Result:
    """Call course code (a reference or a catalogued variant) on a probe, here."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = function(*probe_call.args, **probe_call.kwargs)
    except Exception as exc:  # a variant failing on a probe is part of its behaviour
        return Result("raises", error=type(exc).__name__, message=str(exc), during="call")
    return Result("value", value)


def _array_or_number(value):
    # NumPy's arithmetic on a 0-d array gives a NumPy scalar, and the worker sends one
    # back as a plain number: either is the same result as the 0-d array (as graded).
    if isinstance(value, (float, np.floating)):
        return np.asarray(value)
    return value


def same_value(a, b) -> bool:
    a, b = _array_or_number(a), _array_or_number(b)
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list))
                and len(a) == len(b) and all(map(same_value, a, b)))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind != "f":
            return bool(np.array_equal(a, b))
        return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))
    return type(a) is type(b) and a == b


def agree(a: Result, b: Result) -> bool:
    """Whether two results show the same behaviour (a lost result agrees with nothing)."""
    if a.kind != b.kind or a.kind == "lost":
        return False
    if a.kind == "raises":
        # The type alone, since messages depend on how the code is written; but writing
        # into a read-only input is a different mistake from any other ValueError.
        return a.error == b.error and a.read_only_write == b.read_only_write
    return same_value(a.value, b.value)
