"""A Canvas gradebook import file (``autograder batch --canvas FILE [--roster FILE]``).

The layout is the one Canvas's Gradebook import reads, as Canvas documents it (Canvas
Instructor Guide, "How do I import grades in the Gradebook?",
https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807,
and, column by column, Ohio State's CarmenCanvas guide "Import a CSV file to Carmen
Grades", https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades):
the columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
column per assignment; the row after the header is ``Points Possible`` (each
assignment's maximum), as in the file Canvas exports. Canvas finds a student by ``ID``,
``SIS User ID`` or ``SIS Login ID``; an assignment column whose name is not one of the
course's assignments becomes a new assignment, named after the column (here the
assignment's title in course.yaml).

A student is a submission's folder name; the optional roster (a CSV file with a
``folder`` column and any of Canvas's five columns) gives the identifiers Canvas needs.
A folder the roster does not name keeps its name as ``Student`` and empty identifiers,
and is listed by :func:`unmatched` so the batch can say so. A submission that could not
be graded scores 0 here too (its reason is in the CSV gradebook).

Every text cell is inert and neutralised as in the CSV gradebook (a folder or roster
value starting with ``=`` is not a formula); score cells are numbers the grader wrote.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..course.model import Assignment
from . import csv_report

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
FOLDER = "folder"
POINTS_POSSIBLE = "Points Possible"
ROSTER_MAX_BYTES = 4 << 20
ROSTER_MAX_ROWS = 100_000


class RosterError(ValueError):
    """The roster cannot be used (its message names the file and line)."""


@dataclass(frozen=True)
class Roster:
    by_folder: dict[str, dict[str, str]]    # written folder name -> Canvas's columns


def read_roster(path: Path) -> Roster:
    """The roster at ``path``; raises :class:`RosterError` with ``file:line: why``."""
    from . import files

    data = files.read_bytes(Path(path))      # never through a link, never a pipe
    if data is None:
        raise RosterError(f"{path}: no such file")
    if len(data) > ROSTER_MAX_BYTES:
        raise RosterError(f"{path}: over the {ROSTER_MAX_BYTES} byte limit for a roster")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path}:1: not UTF-8 text (save the roster as CSV UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if FOLDER not in header:
        raise RosterError(f"{path}:1: no {FOLDER!r} column (the submission folder of each "
                          f"student); other columns used: {', '.join(IDENTITY)}")
    by_folder: dict[str, dict[str, str]] = {}
    for row in reader:
        line = reader.line_num
        if len(by_folder) >= ROSTER_MAX_ROWS:
            raise RosterError(f"{path}:{line}: more than {ROSTER_MAX_ROWS} students")
        folder = (row.get(FOLDER) or "").strip()
        if not folder:
            raise RosterError(f"{path}:{line}: empty {FOLDER!r} cell")
        name = csv_report.written_name(folder)
        if name in by_folder:
            raise RosterError(f"{path}:{line}: folder {folder!r} is listed twice")
        by_folder[name] = {c: (row.get(c) or "").strip() for c in IDENTITY}
    return Roster(by_folder)


def unmatched(rows: list[list[str]], roster: Roster | None) -> list[str]:
    """The (written) student names of ``rows`` the roster does not name."""
    if roster is None:
        return []
    return sorted(r[0] for r in rows if r[0] not in roster.by_folder)


def render(rows: list[list[str]], assignments: list[Assignment],
           roster: Roster | None = None) -> str:
    """The import file for the CSV gradebook's ``rows`` (in their written form, as
    ``Gradebook.rows`` holds them), one row per student, sorted by student."""
    columns = csv_report.columns(assignments)
    where = {a.id: columns.index(a.id) for a in assignments}
    header = [*IDENTITY, *(a.title for a in assignments)]
    possible = [POINTS_POSSIBLE, "", "", "", "",
                *(csv_report.number(a.max_score) for a in assignments)]
    lines = [csv_report.line(header), csv_report.line(possible)]
    for row in sorted(rows, key=lambda r: r[0]):
        known = (roster.by_folder.get(row[0]) if roster else None) or {}
        # row[0] is already written (inert, neutralised); the roster's values are
        # made so here
        identity = [csv_report.written_name(known["Student"]) if known.get("Student")
                    else row[0], *(csv_report.written_name(known.get(c, ""))
                                   for c in IDENTITY[1:])]
        lines.append(csv_report.line([*identity, *(row[where[a.id]] for a in assignments)]))
    return "".join(lines)
