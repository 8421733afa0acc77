"""What a check module is written with: cases, and the comparison of outputs.

A check module declares its cases as a list of :class:`Case` and one parametrised
pytest test per exercise that hands each case to the ``grade`` fixture::

    CASES = [case("rows of a 2-D batch", lambda rng: call(rng.normal(size=(4, 7)))), ...]

    @pytest.mark.exercise("softmax")
    @pytest.mark.parametrize("case", CASES, ids=ids(CASES))
    def test_softmax(case, grade):
        grade(case)

A case's ``weight`` says how it shares its exercise's points with the other cases (the
points themselves come from ``course.yaml``); ``hidden`` cases are drawn at grading
time from the seed and never shipped.

Coverage is by design, not by draw. Each public case is one *input class* (dtype, batch
dimensions, mask form, magnitude, special values, argument options) whose shapes are
fixed; the generator draws only values. ``again(CASE, hidden=True)`` repeats a class
as a hidden case, with values drawn from the grading seed, so every class a hidden case
holds is one a student can see and fix from the public cases.
``tests/test_case_classes.py`` holds the check modules to this.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Call:
    """The arguments of one call of a student's function."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def describe(self) -> str:
        """The shapes of the array arguments, e.g. ``4×8×64``, for messages."""
        shapes = [a.shape for a in (*self.args, *self.kwargs.values())
                  if isinstance(a, np.ndarray) and a.ndim]
        if not shapes:
            return "the given"
        largest = max(shapes, key=lambda s: int(np.prod(s)))
        return "×".join(str(n) for n in largest)


def _freeze(value) -> None:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _freeze(item)


def call(*args, **kwargs) -> Call:
    """The arguments of a call; arrays are made read-only, as the worker passes them."""
    _freeze(args)
    _freeze(kwargs)
    return Call(tuple(args), dict(kwargs))


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[np.random.Generator], Call] = field(repr=False, compare=False)
    weight: float = 1.0
    hidden: bool = False
    of: str = ""        # the input class it repeats with other values ("": its own)

    @property
    def input_class(self) -> str:
        return self.of or self.name

    def rng(self, function: str, seed: int) -> np.random.Generator:
        """The generator this case draws from: fixed for public cases, ``seed`` for hidden."""
        salt = zlib.crc32(f"{function}/{self.name}".encode())
        return np.random.default_rng([seed, salt])


def case(name: str, make: Callable[[np.random.Generator], Call], *, weight: float = 1.0,
         hidden: bool = False) -> Case:
    if weight <= 0:
        raise ValueError(f"case {name!r}: weight must be positive")
    return Case(name, make, weight, hidden)


def again(public: Case, *, hidden: bool = True, name: str = "",
          make: Callable[[np.random.Generator], Call] | None = None,
          weight: float | None = None) -> Case:
    """``public``'s input class once more, hidden, with values from the grading seed.

    ``make`` is for a function with no values to draw (its sizes are its values):
    another instance of the same class, e.g. other lengths with fewer queries than keys.
    """
    return Case(name or f"{public.name} (other values)", make or public.make,
                public.weight if weight is None else weight, hidden, public.input_class)


def ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


def _where(index: tuple) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def compare_arrays(actual, expected: np.ndarray, tolerance, label: str = "") -> str | None:
    """Why ``actual`` does not match ``expected`` (None when it does).

    Checks, in order: it is an array; its shape; its dtype; then its values (NaN must
    stand where NaN is expected, infinities must match; floats within ``tolerance``,
    everything else exactly).
    """
    prefix = f"{label}: " if label else ""
    if expected.ndim == 0 and isinstance(actual, (float, np.floating)):
        # NumPy's arithmetic on a 0-d array gives a NumPy scalar, which the worker sends
        # back as a plain number: its dtype is lost on the way, so only its value counts.
        actual = np.asarray(actual, dtype=expected.dtype)
    if not isinstance(actual, np.ndarray):
        what = getattr(actual, "description", type(actual).__name__)
        return f"{prefix}expected a NumPy array, got {what}"
    if actual.shape != expected.shape:
        return f"{prefix}shape {actual.shape}, expected {expected.shape}"
    if actual.dtype != expected.dtype:
        return (f"{prefix}dtype {actual.dtype}, expected {expected.dtype} "
                "(the output must keep the input's dtype)")
    if expected.dtype.kind != "f":
        wrong = np.argwhere(actual != expected)
        if wrong.size:
            at = tuple(wrong[0])
            return (f"{prefix}{len(wrong)} of {expected.size} entries differ, first at "
                    f"{_where(at)}: expected {expected[at]!r}, got {actual[at]!r}")
        return None
    close = np.isclose(actual, expected, rtol=tolerance.rtol, atol=tolerance.atol,
                       equal_nan=True)
    if close.all():
        return None
    wrong = np.argwhere(~close)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    error = np.where(np.isnan(error), np.inf, error)
    at = tuple(np.unravel_index(int(np.argmax(error)), error.shape)) if error.ndim else ()
    return (f"{prefix}{len(wrong)} of {expected.size} values differ; largest error "
            f"{float(error[at]):.3g} at {_where(at)}: expected {float(expected[at]):.6g}, "
            f"got {float(actual[at]):.6g}")


def compare(actual, expected, tolerance_for) -> str | None:
    """Compare a result (an array, or a tuple of arrays) with the expected one."""
    if isinstance(expected, tuple):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            what = (f"a {len(actual)}-tuple" if isinstance(actual, (tuple, list))
                    else getattr(actual, "description", type(actual).__name__))
            return f"expected a tuple of {len(expected)} arrays, got {what}"
        labels = ("output", "weights", *(f"item {i}" for i in range(2, len(expected))))
        for label, a, e in zip(labels, actual, expected):
            reason = compare_arrays(a, e, tolerance_for(e.dtype), label)
            if reason:
                return reason
        return None
    return compare_arrays(actual, expected, tolerance_for(expected.dtype))
