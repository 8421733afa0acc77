"""``step``, what the lessons' examples call: the student's value when it can be had,
else the reference's with a note saying why; it never hides a failing build."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.lessons import show


@pytest.fixture
def shown():
    saved = dict(show._expected)
    show._expected.clear()
    show.expect(show.expected_json({"w": np.array([[0.25, 0.75]]),
                                    "pair": (np.ones(2), np.zeros((2, 2)))}))
    with show.capture() as items:
        yield items
    show._expected.clear()
    show._expected.update(saved)


def stub():
    raise NotImplementedError("not yet")


def test_a_function_not_written_yet_gives_the_reference_numbers_and_says_so(shown):
    value = show.step("w", stub)
    assert np.array_equal(value, [[0.25, 0.75]])
    assert shown[0].markdown.startswith("`stub` is not written yet")


@pytest.mark.parametrize("compute, says", [
    (lambda: np.ones(3), "your result has shape (3,), not (1, 2)"),
    (lambda: 1 / 0, "raised ZeroDivisionError: division by zero"),
])
def test_a_failing_or_misshapen_result_falls_back_to_the_reference(shown, compute, says):
    assert np.array_equal(show.step("w", compute), [[0.25, 0.75]])
    assert says in shown[0].markdown


def test_a_different_result_is_kept_and_the_gap_is_named(shown):
    value = show.step("w", lambda: np.array([[0.5, 0.5]]))
    assert np.array_equal(value, [[0.5, 0.5]])
    assert "differs from the reference's (largest difference 0.25)" in shown[0].markdown


def test_a_tuple_result_is_compared_part_by_part(shown):
    value = show.step("pair", lambda: (np.ones(2), np.zeros((2, 2))))
    assert isinstance(value, tuple) and shown == []
    show.step("pair", lambda: (np.ones(2), np.ones((2, 2))))
    assert "largest difference 1" in shown[0].markdown


def test_the_build_fails_on_a_failing_step_and_on_a_repeated_label(shown):
    with show.recording() as recorded:
        show.step("x", lambda: np.arange(3))
        with pytest.raises(ValueError, match="used twice"):
            show.step("x", lambda: np.arange(3))
        with pytest.raises(RuntimeError, match="failed while building the lesson"):
            show.step("y", stub)
    assert list(recorded) == ["x"]


def test_a_function_that_never_returns_is_stopped(shown, monkeypatch):
    monkeypatch.setattr(show, "STEP_SECONDS", 0.2)

    def forever():
        while True:
            pass

    assert np.array_equal(show.step("w", forever), [[0.25, 0.75]])
    assert "`forever` raised StepTimeout: it ran longer than 0.2 s" in shown[0].markdown
