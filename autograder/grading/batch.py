"""Grading a whole class: every submission in a folder, in parallel, into a gradebook.

Each submission is graded by :func:`autograder.grading.engine.grade`, exactly as
``autograder grade`` does (same worker, same limits), in a pool of grading processes
(:mod:`.pool`, which also replaces a process that died and says whose submission it
held).

The gradebook (see :mod:`autograder.reports.csv_report`) is written one flushed line
per finished submission, so an interrupted batch keeps what it finished and a rerun
with ``resume`` grades only the rest. A submission the engine cannot grade gets an
``error`` row with the reason and 0 points; it never stops the batch. An entry of the
class folder that is a symbolic link (to a folder or a notebook) is such a submission:
the grader never follows a link to find a student's work.
"""
from __future__ import annotations

import csv
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..course.model import Assignment, Course
from ..reports import csv_report, files
from ..sandbox import workspace
from .pool import Round

STATUSES = ("graded", "error")


class BatchError(Exception):
    """The batch cannot start or go on (bad folder, a gradebook that does not fit)."""


@dataclass(frozen=True)
class Submission:
    student: str        # the folder's name, or the notebook's name without .ipynb
    path: Path
    problem: str = ""   # why it is an error row without being graded (a link)


@dataclass
class Summary:
    total: int          # submissions found
    resumed: int        # rows kept from an earlier, interrupted run
    graded: int = 0     # graded in this run
    errors: int = 0     # could not be graded in this run (error rows)
    interrupted: str = ""   # why the batch stopped early; empty when it ran to the end
    seconds: float = 0.0


def discover(folder: Path, exclude: tuple[Path, ...] = ()) -> list[Submission]:
    """The submissions in ``folder``: each subfolder and each ``.ipynb``, by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BatchError(f"{folder}: not a folder (expected one subfolder or notebook "
                         "per student)")
    skip = {p.resolve() for p in exclude}
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")) or entry.resolve() in skip:
            continue
        try:
            mode = entry.lstat().st_mode
        except OSError:
            continue
        link = stat.S_ISLNK(mode)
        if stat.S_ISDIR(mode) or entry.suffix == ".ipynb" and (stat.S_ISREG(mode) or link) \
                or link and entry.is_dir():
            student = entry.stem if entry.suffix == ".ipynb" else entry.name
            if student in found:
                raise BatchError(f"two submissions for {student!r}: "
                                 f"{found[student].path.name} and {entry.name}; keep one")
            found[student] = Submission(student, entry, (
                f"{entry.name} is a symbolic link: the grader never follows links to "
                "find a student's work; put the files themselves there") if link else "")
    return list(found.values())


class Gradebook:
    """The CSV file: rows kept from before (on resume), then one flushed line per row."""

    def __init__(self, path: Path, assignments: list[Assignment], *, resume: bool):
        self.path = Path(path)
        self.assignments = assignments
        self.columns = csv_report.columns(assignments)
        self.rows: dict[str, list[str]] = self._recover() if resume else {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._rewrite()
        self._file = files.open_append(self.path)

    def _recover(self) -> dict[str, list[str]]:
        data = files.read_bytes(self.path)    # never through a link, never a pipe
        if data is None:
            return {}
        # Everything after the last newline is a row cut off mid-write: drop it, and
        # that submission is graded again.
        text = data[:data.rfind(b"\n") + 1].decode("utf-8", "replace")
        records = list(csv.reader(text.splitlines()))
        if not records:
            return {}
        if records[0] != self.columns:
            raise BatchError(
                f"{self.path}: its columns are not this batch's (another course or other "
                "--assignment options?); use another --csv file, or drop --resume to start over")
        rows = {}
        for record in records[1:]:
            if _complete(record, len(self.columns)):
                rows.setdefault(record[0], record)   # as written: see csv_report.written
        return rows

    def _rewrite(self) -> None:
        """Write the header and the kept rows, sorted; atomic, so never half a file."""
        files.write_text(self.path, csv_report.render(list(self.rows.values()),
                                                     self.assignments))

    def add(self, row: list[str]) -> None:
        row = csv_report.written(row)
        self.rows[row[0]] = row
        self._file.write(csv_report.line(row))
        self._file.flush()

    def close(self) -> None:
        self._file.close()
        self._rewrite()


def _complete(record: list[str], width: int) -> bool:
    if len(record) != width or not record[0] or record[-2] not in STATUSES:
        return False
    try:
        [float(v) for v in record[1:-2]]
    except ValueError:
        return False
    return True


def grade_all(course: Course, submissions: list[Submission], gradebook: Gradebook, *,
              workers: int, seed: int | None = None,
              reports: Path | None = None, progress: bool = False,
              cluster=None) -> Summary:
    """Grade every submission not yet in ``gradebook`` for the gradebook's assignments
    (every submission, a notebook too, gets every column), here or on ``cluster``
    (a connected :class:`.distributed.Cluster`); Ctrl-C finishes the running ones."""
    from tqdm import tqdm

    started = time.monotonic()
    todo = [s for s in submissions if csv_report.written_name(s.student) not in gradebook.rows]
    summary = Summary(total=len(submissions), resumed=len(submissions) - len(todo))
    if reports is not None:
        Path(reports).mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(submissions), initial=summary.resumed, disable=not progress,
               unit="submission", desc="grading", dynamic_ncols=True)

    def record(number: int, report, reason: str) -> None:
        student = todo[number].student
        if report is None:
            gradebook.add(csv_report.error_row(student, reason, gradebook.assignments))
            summary.errors += 1
            bar.set_postfix(errors=summary.errors, refresh=False)
        else:
            gradebook.add(csv_report.graded_row(student, report, gradebook.assignments,
                                                reason))
            summary.graded += 1
        bar.update()

    # Every temporary folder of the grading processes goes in here, and the marks
    # (pool.py): a process killed mid-grading leaves its folders, and this removes them.
    scratch = Path(tempfile.mkdtemp(prefix="autograder-batch-", dir=workspace.shared_base()))
    scratch.chmod(0o711)      # a worker's own folder inside must be reachable by it
    marks, work = scratch / "marks", scratch / "work"
    marks.mkdir()
    work.mkdir(0o711)
    work.chmod(0o711)
    initargs = (course, [a.id for a in gradebook.assignments], seed, reports, str(work))
    try:
        for number, s in enumerate(todo):
            if s.problem:
                record(number, None, s.problem)
        waiting = [n for n, s in enumerate(todo) if not s.problem]
        if cluster is not None:   # the same rows, graded on a Dask cluster instead
            summary.interrupted = cluster.grade({n: todo[n] for n in waiting}, record,
                                                course, reports)
            waiting = []
        while waiting and not summary.interrupted:
            pool = Round(initargs, marks, record)
            waiting, suspects = pool.run({n: todo[n] for n in waiting}, workers)
            if waiting and not suspects and not pool.recorded:
                # it died before grading anything (a broken install?): no retry can help
                for number in waiting:
                    record(number, None, f"the grading process {pool.died} before it "
                           "could grade this submission")
                waiting = []
            for number in suspects:   # each alone: did it kill its process, or a neighbour?
                alone = Round(initargs, marks, record)
                if alone.run({number: todo[number]}, 1) != ([], []):
                    record(number, None, f"the grading process {alone.died} while grading "
                           "this submission, twice (the second time alone): it was not graded")
                if alone.interrupted:
                    pool.interrupted = True
                    break
            if pool.interrupted:
                summary.interrupted = "interrupted"
    except KeyboardInterrupt:
        summary.interrupted = "interrupted"
    finally:
        workspace.remove(scratch)
        bar.close()
        gradebook.close()
    summary.seconds = time.monotonic() - started
    return summary
