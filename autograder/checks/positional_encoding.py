"""Checks for ``positional_encoding.py``: the interleaved sin/cos table and its errors."""
import pytest

from .kit import call, case, ids


def _random_table(rng):
    return call(int(rng.integers(5, 40)), 2 * int(rng.integers(1, 32)),
                base=float(rng.uniform(50, 20000)))


CASES = [
    case("4 positions, d_model 6", lambda rng: call(4, 6)),
    case("a single position", lambda rng: call(1, 8)),
    case("another base (100)", lambda rng: call(6, 4, base=100.0)),
    case("an odd d_model raises ValueError", lambda rng: call(5, 7)),
    case("50 positions, d_model 16", lambda rng: call(50, 16), hidden=True),
    case("the smallest d_model (2)", lambda rng: call(9, 2), hidden=True),
    case("seq_len 0 raises ValueError", lambda rng: call(0, 4), hidden=True),
    case("d_model 0 raises ValueError", lambda rng: call(3, 0), hidden=True),
    case("random size and base", _random_table, weight=2, hidden=True),
]


@pytest.mark.exercise("positional_encoding")
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_positional_encoding(case, grade):
    grade(case)
