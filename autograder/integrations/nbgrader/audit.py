"""``autograder nbgrader audit DIR``: nbgrader's grades against the isolated grader.

nbgrader runs the check cells in the student's own kernel, after the student's cells:
a cell that replaces ``score`` (or anything it relies on) can give itself full marks.
The audit grades every notebook in ``DIR/submitted`` again with the engine of
``autograder grade`` (the notebook is read, never run) and compares with the score in
nbgrader's gradebook. A submission whose nbgrader score is higher is flagged: nothing
but tampering, or a notebook changed since it was autograded, can make it so. A lower
nbgrader score means a check cell failed in the kernel (a cell timeout, a crash).

A notebook the grader cannot read (not a notebook, too large or too deep, a link) is
listed as unreadable, with the reason, and flagged when nbgrader credited it; every
other submission is audited all the same. Student and folder names are shown inert.
"""
from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path

from ...course.model import Course
from ...grading.engine import grade, selected
from ...reports.inert import clip, printable
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
    unreadable: str = ""            # why the grader could not read the notebook

    @property
    def verdict(self) -> str:
        """same | higher (nbgrader gave more: flagged) | lower | not autograded |
        unreadable (flagged when nbgrader gave it points)."""
        if self.unreadable:
            return "unreadable"
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
        return tuple(e for e in self.entries if e.verdict == "higher" or
                     e.verdict == "unreadable" and (e.nbgrader or 0) > TOLERANCE)


def submissions(folder: Path, assignments) -> list[tuple[str, str, Path]]:
    """``(student, assignment, notebook)`` for each ``submitted/<student>/<assignment>/``."""
    found = []
    for student in sorted(p for p in (folder / "submitted").glob("*") if _folder(p)):
        for assignment in sorted(p for p in student.glob("*") if _folder(p)):
            if assignment.name in assignments:
                found.append((student.name, assignment.name,
                              assignment / f"{assignment.name}.ipynb"))
    return found


def _folder(path: Path) -> bool:
    """A real folder, not a link to one (a link may lead to another student's work)."""
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


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
        unreadable = ""
        try:
            report = grade(course, notebook, assignments=[assignment])
        except Exception as exc:  # noqa: BLE001 - any failure is this notebook's, not the audit's
            isolated, top, items = 0.0, course.assignment(assignment).max_score, ()
            unreadable = clip(str(exc) or type(exc).__name__, 500, 1)
            warnings = (unreadable,)
        else:
            isolated, top, warnings = report.score, report.max_score, tuple(
                clip(w, 500) for w in report.warnings[:20])
            items = tuple((x.id, x.score) for a in report.assignments
                          for x in (*a.exercises, *a.questions))
        entries.append(AuditEntry(student, assignment, notebook, isolated, top,
                                  recorded.get((student, assignment)), warnings, items,
                                  unreadable))
    return AuditResult(folder, tuple(entries))


VERDICTS = {
    "same": "ok",
    "higher": "FLAGGED: nbgrader gave more than the isolated grader; read this notebook "
              "for code that changes the checks",
    "lower": "lower in nbgrader: a check cell failed in the kernel (timeout or crash?)",
    "not autograded": "not in the gradebook: run nbgrader autograde",
    "unreadable": "UNREADABLE: the grader could not read this notebook",
}


def as_dict(result: AuditResult) -> dict:
    return {"folder": str(result.folder), "flagged": len(result.flagged), "submissions": [
        {"student": clip(e.student, 200, 1), "assignment": e.assignment,
         "notebook": clip(str(e.notebook), 500, 1),
         "nbgrader": e.nbgrader, "isolated": e.isolated, "max_score": e.max_score,
         "verdict": e.verdict, "items": dict(e.items), "warnings": list(e.warnings),
         "unreadable": e.unreadable}
        for e in result.entries]}


def render_json(result: AuditResult) -> str:
    return json.dumps(as_dict(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render(result: AuditResult) -> str:
    """The audit as a table, one row per submission, flagged ones first."""
    if not result.entries:
        return f"no submissions under {result.folder / 'submitted'}\n"
    width = max(len("student"), *(len(e.student) for e in result.entries)) + 2
    rows = sorted(result.entries, key=lambda e: (e not in result.flagged, e.assignment,
                                                 e.student))
    lines = [f"audit of {result.folder}: {len(rows)} submissions, "
             f"{len(result.flagged)} flagged",
             f"{'student':<{width}}{'assignment':<14}{'nbgrader':>9}{'isolated':>10}"
             f"{'of':>6}  verdict"]
    for e in rows:
        recorded = "-" if e.nbgrader is None else f"{e.nbgrader:g}"
        verdict = VERDICTS[e.verdict] + (f" ({e.unreadable})" if e.unreadable else "")
        lines.append(f"{e.student:<{width}}{e.assignment:<14}{recorded:>9}{e.isolated:>10g}"
                     f"{e.max_score:>6g}  {verdict}")
    return printable("\n".join(lines)) + "\n"
