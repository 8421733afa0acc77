"""The reports carry what their consumers read: Gradescope's fields, JUnit XML, text."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from autograder.course.loader import load_course
from autograder.grading.engine import grade
from autograder.reports import FORMATS
from conftest import ROOT

# Gradescope's autograder specification: the fields of one entry of "tests".
GRADESCOPE_TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number",
                          "output", "output_format", "tags", "visibility", "extra_data"}
BROKEN_SOFTMAX = "def softmax(x, axis=-1):\n    return x * 0\n"


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


@pytest.fixture(scope="module")
def partial_report(course, tmp_path_factory):
    folder = tmp_path_factory.mktemp("partial")
    for source in (ROOT / "solutions").glob("*.py"):
        (folder / source.name).write_text(source.read_text())
    (folder / "answers.yaml").write_text((ROOT / "solutions" / "answers.yaml").read_text())
    (folder / "softmax.py").write_text(BROKEN_SOFTMAX)
    return grade(course, folder, assignments=["foundations"])


def test_gradescope_tests_carry_every_field_of_the_spec(course, partial_report):
    results = json.loads(FORMATS["gradescope"](partial_report, hidden_visibility="after_due_date"))
    assert results["score"] == partial_report.score
    assert isinstance(results["execution_time"], float)
    cases = [c for e in partial_report.assignments[0].exercises for c in e.cases]
    questions = partial_report.assignments[0].questions
    assert len(results["tests"]) == len(cases) + len(questions)
    for test in results["tests"]:
        assert set(test) == GRADESCOPE_TEST_FIELDS
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in {"visible", "after_due_date"}
    softmax = [t for t in results["tests"] if t["name"].startswith("softmax:")]
    assert all(t["status"] == "failed" and t["score"] == 0 for t in softmax)
    hidden = {c.name for c in cases if c.hidden}
    for test in softmax:
        expected = "after_due_date" if test["name"].split(": ", 1)[1] in hidden else "visible"
        assert test["visibility"] == expected
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])
    softmax_feedback = partial_report.assignments[0].exercises[0].feedback
    assert softmax_feedback and results["output"].splitlines()[0] == \
        f"softmax: {softmax_feedback[0]}"


@pytest.mark.parametrize("question_visibility", ["visible", "after_due_date"])
def test_junit_parses_with_one_testcase_per_case(partial_report, question_visibility):
    root = ET.fromstring(FORMATS["junit"](partial_report,
                                          question_visibility=question_visibility))
    cases = [c for e in partial_report.assignments[0].exercises for c in e.cases]
    testcases = root.findall("./testsuite/testcase")
    questions = partial_report.assignments[0].questions
    # before the due date, the quick checks' total only (one testcase)
    shown = len(questions) if question_visibility == "visible" else 1
    assert len(testcases) == len(cases) + shown
    failed = [t for t in testcases if t.find("failure") is not None]
    assert len(failed) == sum(not c.passed for c in cases)
    assert int(root.get("tests")) == len(testcases)
    assert int(root.get("failures")) == len(failed)


def test_text_names_each_failing_exercise_and_what_went_wrong(partial_report):
    text = FORMATS["text"](partial_report)
    assert "softmax (softmax.py): failed, 0 / 10" in text
    assert "values differ" in text
    assert "positional_encoding (positional_encoding.py)" not in text
    assert text.rstrip().splitlines()[-1].startswith("Total: 18 / 28")


def test_json_has_the_contract_fields(partial_report):
    report = json.loads(FORMATS["json"](partial_report))
    assert {"score", "max_score", "assignments"} <= set(report)
    exercise = report["assignments"][0]["exercises"][0]
    assert {"id", "score", "max_score", "status", "feedback", "cases"} <= set(exercise)
    assert {"name", "score", "max_score", "passed", "hidden", "message"} <= \
        set(exercise["cases"][0])
    assert {"id", "score", "max_score", "answer"} <= set(report["assignments"][0]["questions"][0])
