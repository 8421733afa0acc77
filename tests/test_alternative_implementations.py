"""Correct code written quite differently from the references earns full marks and no hint,
under the course's seed and 25 others.

``tests/fixtures/alternatives/`` holds three full submissions: one written with einsum,
one with Python loops over batch entries, queries and heads, one that computes in
float64 inside and casts back. Beyond their grade, the diagnosis is forced on every
exercise (as if it had lost points): no catalogued mistake may match them and no
reference-free fact may be claimed about them.
"""
from pathlib import Path

import pytest

from autograder.checks import FUNCTIONS, cases_of
from autograder.checks.kit import compare
from autograder.course.loader import load_course
from autograder.course.model import Exercise
from autograder.diagnosis.diagnose import named_mistakes, observe
from autograder.diagnosis.properties import facts
from autograder.diagnosis.variants import catalogue
from autograder.grading.engine import grade
from autograder.grading.public import PUBLIC_SEED, expected_of
from autograder.grading.references import References
from autograder.grading.submission import prepared
from autograder.sandbox.session import WorkerSession

ROOT = Path(__file__).resolve().parent.parent
ALTERNATIVES = ROOT / "tests" / "fixtures" / "alternatives"
NAMES = ["einsum", "loops", "float64_inside"]


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


@pytest.mark.parametrize("name", NAMES)
def test_a_correct_alternative_earns_full_marks_and_no_hint(name, course):
    report = grade(course, ALTERNATIVES / name)
    exercises = [e for a in report.assignments for e in a.exercises]
    assert {e.id for e in exercises} == set(FUNCTIONS)
    assert [(e.id, e.score, e.feedback) for e in exercises if e.score != e.max_score
            or e.feedback] == []


@pytest.mark.parametrize("name", NAMES)
def test_no_mistake_or_fact_is_found_in_a_correct_alternative_even_when_probed(name, course):
    references = References(course.solutions, FUNCTIONS)
    mistakes = catalogue(str(course.solutions))
    claims = {}
    with prepared(ALTERNATIVES / name, []) as folder, \
            WorkerSession(folder, course.grading.limits) as session:
        for function, file in FUNCTIONS.items():
            exercise = Exercise(function, file, 1)
            observed = observe(session, exercise)
            assert observed is not None, function
            found = named_mistakes(exercise, observed, references, mistakes, course.solutions,
                                   {function: None})
            stated = facts(function, observed)
            if found or stated:
                claims[function] = [m.key for _, m in found] + stated
    assert claims == {}


SEEDS = range(25)


@pytest.mark.parametrize("name", NAMES)
def test_a_correct_alternative_passes_every_case_under_25_seeds(name, course):
    """Every case, hidden ones drawn under 25 seeds and the course's, judged as the
    grader judges them (same expected values, same comparison and tolerances); in this
    process, since only the values change from seed to seed and the worker is tested
    above."""

    references = References(course.solutions, FUNCTIONS)
    alternative = References(ALTERNATIVES / name, FUNCTIONS)
    failed = []
    exercises = {e.function: e for e in course.exercises}
    for function in FUNCTIONS:
        def tolerance(dtype, exercise=exercises[function]):   # the exercise's own, as graded
            return course.tolerance(dtype, exercise)

        for case in cases_of(function):
            for seed in ((*SEEDS, course.grading.seed) if case.hidden else (PUBLIC_SEED,)):
                call = case.make(case.rng(function, seed))
                (kind, expected) = expected_of(references[function], call)
                (got_kind, got) = expected_of(alternative[function], call)
                reason = (None if kind == got_kind == "raises" and got == expected else
                          compare(got, expected, tolerance) if kind == got_kind == "value"
                          else f"{got_kind} {got!r:.80}, expected {kind} {expected!r:.80}")
                if reason:
                    failed.append(f"{function} / {case.name} / seed {seed}: {reason}")
    assert failed == []
