"""Attacks on the comparison: it happens in the grading process, on arrays rebuilt from
bytes, so nothing the worker patches or subclasses takes part in it."""
from harness import assert_honest, attack, redteam_course  # noqa: F401


def test_monkeypatching_numpy_allclose_and_numpy_testing(attack):
    assert_honest(attack({"positional_encoding": "monkeypatch_numpy.py"}),
                  {"positional_encoding": 0}, ran=True)


def test_returning_an_ndarray_subclass_that_agrees_with_everything(attack):
    assert_honest(attack({"positional_encoding": "agreeable_array.py"}),
                  {"positional_encoding": 0}, ran=True)
