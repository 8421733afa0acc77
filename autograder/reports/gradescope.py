"""Gradescope's ``results.json``: one test per case and per quick-check question.

Field names and values follow Gradescope's autograder specification; hidden cases take
the visibility set in ``course.yaml`` (``grading.hidden_visibility``), the questions
that of ``grading.question_visibility`` (``after_due_date`` by default: a question
marked right or wrong on every submission gives its key away). What came from
the student is bounded (:mod:`.inert`); the JSON is strict.
"""
from __future__ import annotations

import json

from ..grading.results import Report
from .inert import bounded


def _test(name, score, max_score, passed, output, visibility, number, tags) -> dict:
    return {"name": name, "name_format": "text", "number": number, "score": score,
            "max_score": max_score, "status": "passed" if passed else "failed",
            "output": output, "output_format": "text", "tags": tags,
            "visibility": visibility, "extra_data": {}}


def as_dict(report: Report, hidden_visibility: str = "after_due_date",
            question_visibility: str = "after_due_date") -> dict:
    report = bounded(report)
    tests = []
    for i, assignment in enumerate(report.assignments, 1):
        n = 0
        for exercise in assignment.exercises:
            for case in exercise.cases:
                n += 1
                tests.append(_test(
                    f"{exercise.id}: {case.name}", case.score, case.max_score, case.passed,
                    case.message or "passed", hidden_visibility if case.hidden else "visible",
                    f"{i}.{n}", [assignment.id, exercise.id]))
        for question in assignment.questions:
            n += 1
            tests.append(_test(
                f"quick check: {question.id}", question.score, question.max_score,
                question.score == question.max_score, question.message or "correct",
                question_visibility, f"{i}.{n}", [assignment.id, "quick-check"]))
    # Gradescope shows the top-level output above the tests: what went wrong per
    # exercise (the diagnosis's hints first), then any warning.
    notes = "\n".join([
        *(f"{e.id}: {line}" for a in report.assignments for e in a.exercises
          if e.status != "passed" for line in e.feedback),
        *report.warnings])
    return {"score": report.score, "max_score": report.max_score,
            "execution_time": report.execution_time, "output": notes,
            "output_format": "text", "test_output_format": "text", "test_name_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden",
            "extra_data": {"seed": report.seed, "course": report.course}, "tests": tests}


def render(report: Report, *, hidden_visibility: str = "after_due_date",
           question_visibility: str = "after_due_date", **_) -> str:
    return json.dumps(as_dict(report, hidden_visibility, question_visibility), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"
