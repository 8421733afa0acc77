"""Quick checks (issue 10, items 4 and 8): per-question correctness is shown only after
the due date unless course.yaml says otherwise; multiple-choice scoring is all or nothing
or partial, per question or course-wide."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import yaml

from autograder.grading.scoring import multiple_choice_fraction
from conftest import SOLUTIONS, run_autograder

KEY = yaml.safe_load((SOLUTIONS / "answers.yaml").read_text())


def _answers(**changed) -> str:
    return yaml.safe_dump({**KEY, **changed})


def _set(course_copy, old: str, new: str) -> None:
    path = course_copy / "course.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _grade(course_copy, folder, fmt):
    result = run_autograder("grade", folder, "--assignment", "encoder", "--format", fmt,
                            "--course", course_copy / "course.yaml", check=True)
    return result.stdout


def test_per_question_correctness_waits_for_the_due_date_unless_set_visible(course_copy,
                                                                            submission):
    folder = submission(answers=_answers(**{"layer-norm-role": "a"}))   # one wrong answer
    text = _grade(course_copy, folder, "text")
    junit = ET.fromstring(_grade(course_copy, folder, "junit"))
    gradescope = json.loads(_grade(course_copy, folder, "gradescope"))
    assert "incorrect" not in text and "right" not in text
    assert "quick checks" in text and "6/6 answered" in text
    names = [c.get("name") for c in junit.iter("testcase")
             if c.get("classname") == "encoder.quick-check"]
    assert names == ["quick checks (total)"]
    assert "layer-norm-role" not in ET.tostring(junit, encoding="unicode")
    questions = [t for t in gradescope["tests"] if t["name"].startswith("quick check")]
    assert questions and {t["visibility"] for t in questions} == {"after_due_date"}

    _set(course_copy, "question_visibility: after_due_date", "question_visibility: visible")
    text = _grade(course_copy, folder, "text")
    assert "layer-norm-role: incorrect" in text and "5/6 right" in text
    junit = _grade(course_copy, folder, "junit")
    assert 'name="layer-norm-role"' in junit
    gradescope = json.loads(_grade(course_copy, folder, "gradescope"))
    assert {t["visibility"] for t in gradescope["tests"]
            if t["name"].startswith("quick check")} == {"visible"}


def test_check_says_answered_never_right_or_wrong(submission):
    folder = submission(answers=_answers(**{"layer-norm-role": "a"}))
    out = run_autograder("check", folder, check=True).stdout
    assert "incorrect" not in out and "answered (scored when graded)" in out


def test_partial_credit_subtracts_wrong_picks_never_below_zero():
    key = ["b", "d", "e"]
    assert multiple_choice_fraction(["b", "d", "e"], key, "partial") == 1
    assert multiple_choice_fraction(["b", "d"], key, "partial") * 3 == 2
    assert multiple_choice_fraction(["b", "d", "a"], key, "partial") * 3 == 1
    assert multiple_choice_fraction(["a", "c", "b"], key, "partial") == 0
    assert multiple_choice_fraction(["b", "d"], key, "all_or_nothing") == 0
    assert multiple_choice_fraction(["b", "b", "d", "e"], key, "all_or_nothing") == 0


def _long_range(course_copy, folder) -> dict:
    report = json.loads(_grade(course_copy, folder, "json"))
    return next(q for a in report["assignments"] for q in a["questions"]
                if q["id"] == "long-range-vs-rnn")


def test_multiple_choice_scoring_per_question_or_course_wide(course_copy, submission):
    folder = submission(answers=_answers(**{"long-range-vs-rnn": ["b", "d"]}))
    assert _long_range(course_copy, folder)["score"] == 0          # all or nothing
    _set(course_copy, "multiple_choice_scoring: all_or_nothing",
         "multiple_choice_scoring: partial")
    question = _long_range(course_copy, folder)
    assert abs(question["score"] - 2 * 2 / 3) < 1e-6 and question["message"] == "partly correct"
    _set(course_copy, "multiple_choice_scoring: partial", "multiple_choice_scoring: all_or_nothing")
    _set(course_copy, "      - id: long-range-vs-rnn\n        kind: multiple\n",
         "      - id: long-range-vs-rnn\n        kind: multiple\n        scoring: partial\n")
    assert abs(_long_range(course_copy, folder)["score"] - 4 / 3) < 1e-6
    _set(course_copy, "kind: single\n", "kind: single\n        scoring: partial\n")
    result = run_autograder("validate", "--course", course_copy / "course.yaml")
    assert result.returncode != 0 and "'scoring' is only for multiple questions" in (
        result.stdout + result.stderr)
