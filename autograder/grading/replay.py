"""The student's results on the public cases they failed, for the picture report.

A report holds verdicts, not arrays. To draw a failing case, its call is read from
``public/<function>.cases`` and run once more in a fresh sandboxed worker, with the same
limits as grading. Only public cases are replayed: a hidden case is skipped by its
``hidden`` flag before anything else, and its inputs are never read here, so it cannot
be drawn.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..course.model import Course
from ..sandbox.portable import session_class
from . import public
from .results import Report
from .submission import SubmissionError, prepared


@dataclass(frozen=True)
class Replay:
    function: str
    case: str
    expected: object          # the reference's value, as stored in public/
    got: object = None        # the student's value (decoded by the protocol), if any
    problem: str = ""         # why there is no value (raised, timed out, ...)


def failing_public_cases(report: Report) -> list[tuple[str, str]]:
    """``(function, case)`` of every public case that did not pass."""
    return [(exercise.id, case.name) for assignment in report.assignments
            for exercise in assignment.exercises for case in exercise.cases
            if not case.hidden and not case.passed]


def replay(course: Course, submission: Path, report: Report) -> list[Replay]:
    """Run each failing public case again; expected values come from ``public/``."""
    wanted = failing_public_cases(report)
    if not wanted:
        return []
    modules = {e.function: e.module for e in course.exercises}
    stored = {f: public.read(course.public_cases, f) for f, _ in wanted}
    replays = []
    try:
        with prepared(Path(submission), []) as folder, \
                session_class(report.mode)(folder, course.grading.limits) as session:
            for function, name in wanted:
                entry = stored[function].get(name)
                if entry is None or entry[1][0] != "value":
                    continue      # no stored value to compare with (an expected error)
                call, (_, expected) = entry
                outcome = session.call(modules[function], function, call.args, call.kwargs)
                if outcome.kind == "ok":
                    replays.append(Replay(function, name, expected, outcome.value))
                else:
                    replays.append(Replay(function, name, expected,
                                          problem=f"your code ended with: {outcome.kind}"))
    except SubmissionError as exc:
        return [Replay(f, n, None, problem=str(exc)) for f, n in wanted]
    return replays
