"""The ``json`` report of contract §3 (plus a few extra top-level fields).

Strict JSON: what came from the student is bounded (:mod:`.inert`), a non-finite
answer (``.nan``) is a string, and ``allow_nan=False`` makes any other NaN an error
rather than a report no JSON parser accepts."""
from __future__ import annotations

import json

from ..grading.results import Report
from .inert import bounded


def as_dict(report: Report) -> dict:
    report = bounded(report)
    return {
        "score": report.score,
        "max_score": report.max_score,
        "assignments": [{
            "id": a.id, "title": a.title, "score": a.score, "max_score": a.max_score,
            "exercises": [{
                "id": e.id, "file": e.file, "score": e.score, "max_score": e.max_score,
                "status": e.status, "feedback": list(e.feedback),
                "cases": [{"name": c.name, "score": c.score, "max_score": c.max_score,
                           "passed": c.passed, "hidden": c.hidden, "outcome": c.outcome,
                           "message": c.message} for c in e.cases],
            } for e in a.exercises],
            "questions": [{"id": q.id, "score": q.score, "max_score": q.max_score,
                           "answer": q.answer, "message": q.message} for q in a.questions],
        } for a in report.assignments],
        "course": report.course,
        "mode": report.mode,
        "seed": report.seed,
        "execution_time": report.execution_time,
        "warnings": list(report.warnings),
        "output": report.output,
        "sandbox": report.sandbox,
    }


def render(report: Report, **_) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
