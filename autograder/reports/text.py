"""The ``text`` report, for a person: a table per assignment, then what went wrong.

Inert on a terminal: what came from the student is bounded (:mod:`.inert`), every
control or direction-changing character is shown as an escape (an ESC sequence cannot
clear the screen, a carriage return cannot overwrite the total), and every line of a
student's message past its first is indented, so it cannot pass for a line of the
report's own."""
from __future__ import annotations

from ..grading.results import AssignmentResult, ExerciseResult, Report
from ..grading.scoring import ANSWERED_UNSCORED, CORRECTNESS
from .csv_report import number
from .inert import bounded, printable

WIDTH = 34
CASES_SHOWN = 4


def _points(score: float, max_score: float) -> str:
    # rounded as the CSV gradebook rounds (the json report is exact)
    return f"{number(score)} / {number(max_score)}"


def _table(assignment: AssignmentResult, check: bool, per_question: bool) -> list[str]:
    if check:
        done = sum(e.status == "passed" for e in assignment.exercises)
        answered = sum(q.answered for q in assignment.questions)
        progress = (f"{done}/{len(assignment.exercises)} exercises pass their public cases, "
                    f"{answered}/{len(assignment.questions)} questions answered")
    else:
        progress = _points(assignment.score, assignment.max_score)
    lines = [f"{assignment.title} [{assignment.id}]: {progress}"]
    for e in assignment.exercises:
        passed = sum(c.passed for c in e.cases)
        lines.append(f"  {e.id:<{WIDTH}}{e.status:<10}{_points(e.score, e.max_score):>12}"
                     f"   {passed}/{len(e.cases)} cases")
    if assignment.questions:
        answered = sum(q.answered for q in assignment.questions)
        total = len(assignment.questions)
        if check:
            lines.append(f"  {'quick checks':<{WIDTH}}{answered}/{total} answered "
                         "(scored when graded)")
        else:
            score = sum(q.score for q in assignment.questions)
            top = sum(q.max_score for q in assignment.questions)
            right = sum(q.score == q.max_score for q in assignment.questions)
            verdict = f"{right}/{total} right" if per_question else ""
            lines.append(f"  {'quick checks':<{WIDTH}}{verdict:<10}"
                         f"{_points(score, top):>12}   {answered}/{total} answered")
    return lines


def _problems(e: ExerciseResult) -> list[str]:
    """An exercise's feedback, then each distinct problem once with the cases it hit."""
    lines = [f"  {e.id} ({e.file}): {e.status}, {_points(e.score, e.max_score)}"]
    by_message: dict[str, list[str]] = {}
    for c in e.cases:
        if not c.passed:
            name = c.name + (" (hidden)" if c.hidden else "")
            by_message.setdefault(c.message or c.outcome, []).append(name)
    firsts = {m.splitlines()[0] for m in by_message}
    for hint in e.feedback:
        if hint not in firsts:
            lines += _indented(hint, "    > ", "        ")
    for message, names in by_message.items():
        first, *rest = message.splitlines()
        lines.append(f"    x {first}")
        lines += [f"        {line}" for line in rest]
        shown = "; ".join(names[:CASES_SHOWN]) + (
            f"; and {len(names) - CASES_SHOWN} more" if len(names) > CASES_SHOWN else "")
        lines.append(f"      in: {shown}")
    return lines


def _indented(text: str, first: str, rest: str) -> list[str]:
    head, *tail = text.splitlines() or [""]
    return [first + head, *(rest + line for line in tail)]


def render(report: Report, *, question_visibility: str = "after_due_date", **_) -> str:
    """The text report; per-question right or wrong only with ``question_visibility``
    ``visible`` (else the quick checks' total, so resubmitting cannot find the key)."""
    report = bounded(report)
    check = report.mode == "check"
    per_question = question_visibility == "visible"
    what = "self-check (public cases only)" if check else f"grade (seed {report.seed})"
    lines = [f"{report.course}: {what} of {report.submission}", ""]
    for assignment in report.assignments:
        lines += _table(assignment, check, per_question) + [""]
    failing = [e for a in report.assignments for e in a.exercises if e.status != "passed"]
    if failing:
        lines.append("What went wrong")
        for e in failing:
            lines += _problems(e)
        lines.append("")
    wrong = [q for a in report.assignments for q in a.questions
             if q.message and q.message != ANSWERED_UNSCORED
             and (per_question or q.message not in CORRECTNESS)]
    if wrong:
        lines.append("Quick checks")
        by_message: dict[str, list[str]] = {}
        for q in wrong:     # a reason shared by several questions is said once
            by_message.setdefault(q.message, []).append(q.id)
        for message, ids in by_message.items():
            lines += _indented(message, f"  {', '.join(ids)}: ", "      ")
        lines.append("")
    if report.output.strip():
        lines.append("What your code printed")
        lines += ["  " + line for line in report.output.splitlines()]
        lines.append("")
    if report.warnings:
        lines.append("Warnings")
        for w in report.warnings:
            lines += _indented(w, "  ", "      ")
        lines.append("")
    layers = report.sandbox.get("layers")
    lines.append(f"Sandbox: {', '.join(layers) if layers else 'no worker ran'}")
    if check:
        cases = [c for a in report.assignments for e in a.exercises for c in e.cases]
        lines.append(f"Public cases: {sum(c.passed for c in cases)} / {len(cases)} passed, "
                     f"worth {_points(report.score, report.max_score)} points"
                     f"   ({report.execution_time:.2f} s)")
    else:
        lines.append(f"Total: {_points(report.score, report.max_score)}"
                     f"   ({report.execution_time:.2f} s)")
    return printable("\n".join(lines)) + "\n"
