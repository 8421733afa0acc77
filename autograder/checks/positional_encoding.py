"""Checks for ``positional_encoding.py``: the interleaved sin/cos table and its errors.

Input classes: table sizes (one position, the smallest d_model, a long table of 2048
positions where angles are large) × base (the default, 100, one drawn from [50, 20000])
× invalid sizes (odd d_model, d_model 1, seq_len 0, d_model 0). The only value a seed can draw is
the base; every other class is fixed by its sizes, so its hidden repeat has other sizes.
"""
import pytest

from .kit import again, call, case, ids

SMALL = case("4 positions, d_model 6", lambda rng: call(4, 6))
ONE = case("a single position", lambda rng: call(1, 8))
BASE_100 = case("another base (100)", lambda rng: call(6, 4, base=100.0))
DRAWN_BASE = case("40 positions, d_model 62, a base between 50 and 20000",
                  lambda rng: call(40, 62, base=float(rng.uniform(50, 20000))), weight=2)
ODD = case("an odd d_model raises ValueError", lambda rng: call(5, 7))
# d_model 1: the cosine columns are empty, and NumPy broadcasts a column into them.
ODD_ONE = case("d_model 1 (odd) raises ValueError", lambda rng: call(3, 1))
NO_POSITIONS = case("seq_len 0 raises ValueError", lambda rng: call(0, 4))
NO_FEATURES = case("d_model 0 raises ValueError", lambda rng: call(3, 0))
SMALLEST = case("the smallest d_model (2)", lambda rng: call(9, 2))
# Large angles: position 2047 at the highest frequency; a float32 table or positions
# computed in float32 lose digits here.
LONG = case("a long table (2048 positions, d_model 64)", lambda rng: call(2048, 64))

CASES = [
    SMALL, ONE, BASE_100, DRAWN_BASE, ODD, ODD_ONE, NO_POSITIONS, NO_FEATURES, SMALLEST, LONG,
    again(SMALL, name="50 positions, d_model 16", make=lambda rng: call(50, 16), hidden=True),
    again(ONE, name="a single position, d_model 2", make=lambda rng: call(1, 2), hidden=True),
    again(BASE_100, name="another base (1e5)", make=lambda rng: call(7, 10, base=1e5),
          hidden=True),
    again(DRAWN_BASE, hidden=True),
    again(ODD, name="an odd d_model (9) raises ValueError", make=lambda rng: call(4, 9),
          hidden=True),
    again(NO_POSITIONS, name="seq_len -1 raises ValueError", make=lambda rng: call(-1, 4),
          hidden=True),
    again(LONG, name="a long table (1000 positions, d_model 128)",
          make=lambda rng: call(1000, 128), hidden=True),
]


@pytest.mark.exercise("positional_encoding")
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_positional_encoding(case, grade):
    grade(case)
