"""Checks for ``softmax.py``: stability, masking by -inf, axes, dtypes."""
import numpy as np
import pytest

from .kit import call, case, ids

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


CASES = [
    case("rows of a 2-D batch, float64", lambda rng: call(rng.normal(size=(4, 7)))),
    case("float32 in, float32 out", lambda rng: call(rng.normal(size=(3, 5)).astype(F32))),
    case("huge logits (about ±1e4) do not overflow",
         lambda rng: call((rng.normal(size=(2, 6)) * 1e4).astype(F32)), weight=2),
    case("an entry of -inf gets weight 0", _with_neg_inf),
    case("axis=0 of a 3-D array", lambda rng: call(rng.normal(size=(4, 2, 3)), axis=0)),
    case("tiny differences between logits (1e-9)",
         lambda rng: call(1e-9 * rng.normal(size=(3, 8))), hidden=True),
    case("a slice that is all -inf gives NaN", _all_neg_inf_row, hidden=True),
    case("a single 1-D vector (no batch dimension)",
         lambda rng: call(rng.normal(size=9)), hidden=True),
    case("three leading batch dimensions",
         lambda rng: call(rng.normal(size=(2, 3, 2, 5))), hidden=True),
    case("the middle axis of a float32 array",
         lambda rng: call(rng.normal(size=(2, 5, 3)).astype(F32), axis=1), hidden=True),
    case("very negative logits (about -1e30)",
         lambda rng: call(-1e30 + 1e14 * rng.normal(size=(2, 4))), hidden=True),
    case("large logits in float64 (about 1e300)",
         lambda rng: call(1e300 * rng.uniform(0.5, 1.5, size=(2, 3))), hidden=True),
]


@pytest.mark.exercise("softmax")
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_softmax(case, grade):
    grade(case)
