"""The batch gradebook: one CSV row per student (``autograder batch --csv``).

Columns, in order: ``student``, ``total``, ``max_total``; then for each graded
assignment its score (column ``<assignment>``), each exercise's score
(``<assignment>.<function>``) and the quick checks' score
(``<assignment>.quick_checks``, when it has questions); then ``status`` (``graded`` or
``error``) and ``reason`` (why a submission could not be graded, or why a graded one's
``--reports`` files could not be written; empty otherwise).

A row whose submission could not be graded scores 0 everywhere and keeps the full
``max_total``: it never reads as a grade. Every row is a single line (reasons are
flattened), so a half-written last line is easy to recognise and drop on ``--resume``.
Not one of ``grade --format``'s formats: a gradebook is about many reports.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (a student folder named ``=2+5+cmd|' -C calc'!A0``). Every text cell
(``student``, ``status``, ``reason``) that starts with one of them gets a leading single
quote, as OWASP's advice on CSV injection says (and so does one that already starts
with a quote). Score cells are numbers the grader wrote and stay numbers. Student text
is bounded and printable (:mod:`.inert`): control characters and bytes that are not
UTF-8 are shown as escapes.
"""
from __future__ import annotations

import csv
import io

from ..course.model import Assignment
from ..grading.results import Report
from .inert import clip, printable

LEADING = ("student", "total", "max_total")
TRAILING = ("status", "reason")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
REASON_CHARS = 1000
QUICK_CHECKS = "quick_checks"


def number(value: float) -> str:
    """A score as the CSV shows it: at most six decimals, no trailing zeros (``12.5``)."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def columns(assignments: list[Assignment]) -> list[str]:
    names = list(LEADING)
    for a in assignments:
        names.append(a.id)
        names += [f"{a.id}.{e.function}" for e in a.exercises]
        if a.questions:
            names.append(f"{a.id}.{QUICK_CHECKS}")
    return names + list(TRAILING)


def graded_row(student: str, report: Report, assignments: list[Assignment],
               note: str = "") -> list[str]:
    """The row of a graded submission, in the order of :func:`columns`."""
    by_id = {a.id: a for a in report.assignments}
    values = [student, number(report.score), number(report.max_score)]
    for assignment in assignments:
        result = by_id[assignment.id]
        values.append(number(result.score))
        values += [number(e.score) for e in result.exercises]
        if assignment.questions:
            values.append(number(sum(q.score for q in result.questions)))
    return values + ["graded", _one_line(note)]


def error_row(student: str, reason: str, assignments: list[Assignment]) -> list[str]:
    """The row of a submission that could not be graded: 0 everywhere, and why."""
    zeros = len(columns(assignments)) - len(LEADING) - len(TRAILING)
    max_total = sum(a.max_score for a in assignments)
    return [student, "0", number(max_total), *["0"] * zeros, "error", _one_line(reason)]


def _one_line(text: str) -> str:
    text = clip(text, REASON_CHARS, 20)
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def neutralised(cell: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _text_cell(cell: str) -> str:
    # a folder name that is not UTF-8 (os.listdir's surrogate escapes) or that holds
    # control characters is shown as escapes: a `cat grades.csv` stays inert too
    return neutralised(printable(cell.encode("utf-8", "backslashreplace").decode("utf-8")))


def written(values: list[str]) -> list[str]:
    """A row's cells as the gradebook holds them: the text cells (the first and the last
    two) inert and neutralised, every cell on one line. Rows read back on ``--resume``
    are in this form, so a student's row is found by ``written_name(student)``."""
    cells = [_text_cell(values[0]), *values[1:-2], *map(_text_cell, values[-2:])]
    return [c.replace("\r", " ").replace("\n", " ") for c in cells]


def written_name(student: str) -> str:
    return written([student, "", ""])[0]


def line(values: list[str]) -> str:
    """One CSV record, ending in a newline, never spanning two lines."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        [v.replace("\r", " ").replace("\n", " ") for v in values])
    return buffer.getvalue()


def render(rows: list[list[str]], assignments: list[Assignment]) -> str:
    """The whole gradebook: a header, then the rows (as :func:`written`) sorted by
    student."""
    return line(columns(assignments)) + "".join(line(r) for r in sorted(rows, key=lambda r: r[0]))
