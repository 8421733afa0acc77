"""A hint names a catalogued mistake only on specific evidence: the student's values match
that variant's where the variant's values are not the reference's. The same exception
type is not evidence, and two variants that both match name neither."""
from pathlib import Path

import numpy as np

from autograder.checks import FUNCTIONS
from autograder.course.loader import load_course
from autograder.course.model import Exercise
from autograder.diagnosis import variants
from autograder.diagnosis.diagnose import diagnose_exercise, specific
from autograder.diagnosis.outcomes import Result
from autograder.diagnosis.probes import probes_of
from autograder.grading.references import References

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


def test_raising_the_same_exception_as_a_variant_is_not_evidence():
    value = Result("value", np.ones(3))
    raises = Result("raises", error="ValueError", message="operands could not be broadcast")
    assert not specific([value, raises], [value, value])
    assert specific([Result("value", np.zeros(3)), raises], [value, value])
    read_only = Result("raises", error="ValueError", message="output array is read-only")
    assert specific([read_only, value], [value, value])


def _observed_as(mistake, function):
    """What a student whose code is exactly ``mistake``'s variant gives on the probes."""
    return list(zip(probes_of(function), variants.behaviour(str(SOLUTIONS), mistake, function)))


def test_a_student_matching_two_variants_gets_no_name_but_facts(monkeypatch):
    course = load_course(ROOT / "course.yaml")
    references = References(course.solutions, FUNCTIONS)
    catalogue = variants.catalogue(str(SOLUTIONS))
    mistake = next(m for m in catalogue if m.key == "softmax/no-max-subtraction")
    twin = type(mistake)(mistake.function, "twin", "another hint", mistake.file, mistake.source)
    exercise = Exercise("softmax", "softmax.py", 1)
    observed = _observed_as(mistake, "softmax")
    alone = diagnose_exercise(exercise, observed, [], calls=set(), lost={"softmax"},
                              references=references, catalogue=catalogue, solutions=SOLUTIONS)
    assert alone.named == [mistake.key] and alone.hints == [mistake.hint]
    both = diagnose_exercise(exercise, observed, [], calls=set(), lost={"softmax"},
                             references=references, catalogue=(*catalogue, twin),
                             solutions=SOLUTIONS)
    assert both.named == []
    assert mistake.hint not in both.hints and "another hint" not in both.hints
