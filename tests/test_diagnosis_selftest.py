"""The grader grades itself: every catalogued mistake, graded as a full submission (the
references with that one function replaced), loses points on its own exercise, costs
nothing to an exercise that does not call it, and is named by its own hint."""
from pathlib import Path

import pytest

from autograder.course.loader import load_course
from autograder.diagnosis.selftest import grade_catalogue, summarise

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def grades():
    return grade_catalogue(load_course(ROOT / "course.yaml"))


def test_every_catalogued_mistake_loses_points_on_its_own_exercise(grades):
    assert [g.mistake.key for g in grades if not g.loses_points] == []


def test_no_mistake_costs_an_exercise_that_does_not_call_it(grades):
    assert {g.mistake.key: g.collateral for g in grades if g.collateral} == {}


def test_at_least_nine_in_ten_mistakes_are_named_by_their_own_hint(grades):
    summary = summarise(grades)
    unnamed = {g.mistake.key: g.feedback[:1] for g in grades if not g.named}
    assert summary.named_share >= 0.9, unnamed
    assert summary.variants >= 60
