"""Checks for ``softmax.py``: stability, masking by -inf, axes, dtypes.

Input classes (each a public case; the drawn ones again hidden, with other values):
dtype (float64, float32) × leading dimensions (none, one, three) × axis (last, first,
middle) × magnitude (unit, tiny differences, ±1e4 in float32, a float32 row of 1024
logits far from zero, -1e30, 1e300) × special values (-inf entries, an all -inf slice).
"""
import numpy as np
import pytest

from .kit import again, call, case, ids

F32 = np.float32


def _with_neg_inf(rng):
    x = rng.normal(size=(3, 6))
    x[0, [1, 4]] = -np.inf
    x[2, 0] = -np.inf
    return call(x)


def _all_neg_inf_row(rng):
    x = rng.normal(size=(3, 4))
    x[1] = -np.inf
    return call(x)


ROWS = case("rows of a 2-D batch, float64", lambda rng: call(rng.normal(size=(4, 7))))
FLOAT32 = case("float32 in, float32 out", lambda rng: call(rng.normal(size=(3, 5)).astype(F32)))
HUGE = case("huge logits (about ±1e4) do not overflow",
            lambda rng: call((rng.normal(size=(2, 6)) * 1e4).astype(F32)), weight=2)
# What a model's logits look like: long float32 rows far from zero. exp(x) / exp(max)
# or a sum in a narrow accumulator fails here and nowhere else.
LONG_F32 = case("float32, 1024 logits about 1e3 apart from zero (spread 30)",
                lambda rng: call((1e3 + 30 * rng.normal(size=(3, 1024))).astype(F32)),
                weight=2)
NEG_INF = case("an entry of -inf gets weight 0", _with_neg_inf)
ALL_NEG_INF = case("a slice that is all -inf gives NaN", _all_neg_inf_row)
AXIS_0 = case("axis=0 of a 3-D array", lambda rng: call(rng.normal(size=(4, 2, 3)), axis=0))
MIDDLE = case("the middle axis of a float32 array",
              lambda rng: call(rng.normal(size=(2, 5, 3)).astype(F32), axis=1))
VECTOR = case("a single 1-D vector (no batch dimension)", lambda rng: call(rng.normal(size=9)))
BATCH_3 = case("three leading batch dimensions",
               lambda rng: call(rng.normal(size=(2, 3, 2, 5))))
TINY = case("tiny differences between logits (1e-9)",
            lambda rng: call(1e-9 * rng.normal(size=(3, 8))))
VERY_NEGATIVE = case("very negative logits (about -1e30)",
                     lambda rng: call(-1e30 + 1e14 * rng.normal(size=(2, 4))))
LARGE_F64 = case("large logits in float64 (about 1e300)",
                 lambda rng: call(1e300 * rng.uniform(0.5, 1.5, size=(2, 3))))

CASES = [
    ROWS, FLOAT32, HUGE, LONG_F32, NEG_INF, ALL_NEG_INF, AXIS_0, MIDDLE, VECTOR, BATCH_3,
    TINY, VERY_NEGATIVE, LARGE_F64,
    again(ROWS, hidden=True),
    again(FLOAT32, hidden=True),
    again(HUGE, hidden=True),
    again(LONG_F32, hidden=True),
    again(NEG_INF, hidden=True),
    again(ALL_NEG_INF, hidden=True),
    again(AXIS_0, hidden=True),
    again(MIDDLE, hidden=True),
    again(VECTOR, hidden=True),
    again(BATCH_3, hidden=True),
    again(TINY, hidden=True),
    again(VERY_NEGATIVE, hidden=True),
    again(LARGE_F64, hidden=True),
]


@pytest.mark.exercise("softmax")
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_softmax(case, grade):
    grade(case)
