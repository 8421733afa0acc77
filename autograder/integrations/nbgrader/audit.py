"""``autograder nbgrader audit DIR``: nbgrader's grades against the isolated grader.

nbgrader runs the check cells in the student's own kernel, after the student's cells:
a cell that replaces ``score`` (or anything it relies on) can give itself full marks.
The audit grades every notebook in ``DIR/submitted`` again with the engine of
``autograder grade`` (the notebook is read, never run) and compares with the score in
nbgrader's gradebook. A submission whose nbgrader score is higher is flagged: nothing
but tampering, or a notebook changed since it was autograded, can make it so. A lower
nbgrader score means a check cell failed in the kernel (a cell timeout, a crash).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ...course.model import Course
from ...grading.engine import grade, selected
from ...grading.submission import SubmissionError
from .build import GRADEBOOK

TOLERANCE = 1e-4    # nbgrader sums per-cell floats; the engine sums exact fractions


@dataclass(frozen=True)
class AuditEntry:
    student: str
    assignment: str
    notebook: Path
    isolated: float
    max_score: float
    nbgrader: float | None          # None: nbgrader has no grade for it
    warnings: tuple[str, ...] = ()
    items: tuple[tuple[str, float], ...] = ()   # isolated score per exercise and question

    @property
    def verdict(self) -> str:
        """same | higher (nbgrader gave more: flagged) | lower | not autograded."""
        if self.nbgrader is None:
            return "not autograded"
        if self.nbgrader > self.isolated + TOLERANCE:
            return "higher"
        if self.nbgrader < self.isolated - TOLERANCE:
            return "lower"
        return "same"


@dataclass(frozen=True)
class AuditResult:
    folder: Path
    entries: tuple[AuditEntry, ...]

    @property
    def flagged(self) -> tuple[AuditEntry, ...]:
        return tuple(e for e in self.entries if e.verdict == "higher")


def submissions(folder: Path, assignments) -> list[tuple[str, str, Path]]:
    """``(student, assignment, notebook)`` for each ``submitted/<student>/<assignment>/``."""
    found = []
    for student in sorted(p for p in (folder / "submitted").glob("*") if p.is_dir()):
        for assignment in sorted(p for p in student.glob("*") if p.is_dir()):
            if assignment.name in assignments:
                found.append((student.name, assignment.name,
                              assignment / f"{assignment.name}.ipynb"))
    return found


def gradebook_scores(folder: Path, course_id: str) -> dict[tuple[str, str], float]:
    """``(student, assignment) -> score`` of every submission in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    database = folder / GRADEBOOK
    if not database.is_file():
        return {}
    with Gradebook(f"sqlite:///{database}", course_id) as gradebook:
        return {(s.student.id, a.name): float(s.score)
                for a in gradebook.assignments for s in a.submissions}


def audit(course: Course, folder: Path, *, assignments=None) -> AuditResult:
    """Re-grade ``folder/submitted`` in isolation and compare with the gradebook."""
    folder = Path(folder).resolve()
    chosen = [a.id for a in selected(course, assignments)]
    recorded = gradebook_scores(folder, course.id)
    entries = []
    for student, assignment, notebook in submissions(folder, chosen):
        try:
            report = grade(course, notebook, assignments=[assignment])
        except SubmissionError as exc:      # missing or unreadable: nothing to credit
            isolated, top, items = 0.0, course.assignment(assignment).max_score, ()
            warnings = (str(exc),)
        else:
            isolated, top, warnings = report.score, report.max_score, tuple(report.warnings)
            items = tuple((x.id, x.score) for a in report.assignments
                          for x in (*a.exercises, *a.questions))
        entries.append(AuditEntry(student, assignment, notebook, isolated, top,
                                  recorded.get((student, assignment)), warnings, items))
    return AuditResult(folder, tuple(entries))


VERDICTS = {
    "same": "ok",
    "higher": "FLAGGED: nbgrader gave more than the isolated grader; read this notebook "
              "for code that changes the checks",
    "lower": "lower in nbgrader: a check cell failed in the kernel (timeout or crash?)",
    "not autograded": "not in the gradebook: run nbgrader autograde",
}


def as_dict(result: AuditResult) -> dict:
    return {"folder": str(result.folder), "flagged": len(result.flagged), "submissions": [
        {"student": e.student, "assignment": e.assignment, "notebook": str(e.notebook),
         "nbgrader": e.nbgrader, "isolated": e.isolated, "max_score": e.max_score,
         "verdict": e.verdict, "items": dict(e.items), "warnings": list(e.warnings)}
        for e in result.entries]}


def render_json(result: AuditResult) -> str:
    return json.dumps(as_dict(result), indent=2, ensure_ascii=False) + "\n"


def render(result: AuditResult) -> str:
    """The audit as a table, one row per submission, flagged ones first."""
    if not result.entries:
        return f"no submissions under {result.folder / 'submitted'}\n"
    width = max(len("student"), *(len(e.student) for e in result.entries)) + 2
    rows = sorted(result.entries, key=lambda e: (e.verdict != "higher", e.assignment, e.student))
    lines = [f"audit of {result.folder}: {len(rows)} submissions, "
             f"{len(result.flagged)} flagged",
             f"{'student':<{width}}{'assignment':<14}{'nbgrader':>9}{'isolated':>10}"
             f"{'of':>6}  verdict"]
    for e in rows:
        recorded = "-" if e.nbgrader is None else f"{e.nbgrader:g}"
        lines.append(f"{e.student:<{width}}{e.assignment:<14}{recorded:>9}{e.isolated:>10g}"
                     f"{e.max_score:>6g}  {VERDICTS[e.verdict]}")
    return "\n".join(lines) + "\n"
