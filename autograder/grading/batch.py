"""Grading a whole class: every submission in a folder, in parallel, into a gradebook.

Each submission is graded by :func:`autograder.grading.engine.grade`, exactly as
``autograder grade`` does (same worker, same limits), in a pool of grading processes.
``engine.grade`` runs ``pytest.main`` in-process, so a pool process grades one
submission at a time; the pool is started with ``forkserver`` (or ``spawn``), never a
bare ``fork`` of a process that has threads.

The gradebook (see :mod:`autograder.reports.csv_report`) is written one flushed line
per finished submission, so an interrupted batch keeps what it finished and a rerun
with ``resume`` grades only the rest. A submission the engine cannot grade gets an
``error`` row with the reason and 0 points; it never stops the batch.
"""
from __future__ import annotations

import csv
import importlib
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..course.model import Assignment, Course
from ..reports import csv_report, render
from .submission import locate

STATUSES = ("graded", "error")


class BatchError(Exception):
    """The batch cannot start or go on (bad folder, a gradebook that does not fit)."""


@dataclass(frozen=True)
class Submission:
    student: str        # the folder's name, or the notebook's name without .ipynb
    path: Path


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
        if entry.is_dir() or (entry.suffix == ".ipynb" and entry.is_file()):
            student = entry.stem if entry.suffix == ".ipynb" else entry.name
            if student in found:
                raise BatchError(f"two submissions for {student!r}: "
                                 f"{found[student].path.name} and {entry.name}; keep one")
            found[student] = Submission(student, entry)
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
        self._file = open(self.path, "a", encoding="utf-8", newline="")

    def _recover(self) -> dict[str, list[str]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
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
                rows.setdefault(record[0], record)
        return rows

    def _rewrite(self) -> None:
        """Write the header and the kept rows, sorted; atomic, so never half a file."""
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(csv_report.render(list(self.rows.values()), self.assignments),
                             encoding="utf-8")
        os.replace(temporary, self.path)

    def add(self, row: list[str]) -> None:
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


# -- the pool processes ---------------------------------------------------------------
_POOL: dict = {}


def _start(course: Course, assignments, seed, reports: Path | None) -> None:
    """Warm a pool process: the checks imported once, Ctrl-C left to the parent."""
    # The parent decides what an interrupt means (finish what is running, then stop);
    # a pool process that got it too would end a grading half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import engine

    for file in {e.file for e in course.exercises}:
        importlib.import_module(f"{engine.checks.__name__}.{file.removesuffix('.py')}")
    _POOL.update(course=course, assignments=assignments, seed=seed, reports=reports)


def _grade(student: str, path: str) -> tuple[str, object, str]:
    """Grade one submission in a pool process: ``(student, report or None, reason)``.

    With a report, ``reason`` notes only a problem writing its report files.
    """
    from .engine import grade

    course = _POOL["course"]
    try:
        report = grade(course, locate(course, Path(path)), assignments=_POOL["assignments"],
                       seed=_POOL["seed"])
    except Exception as exc:  # any failure is this submission's error row, never the batch's
        return student, None, f"{type(exc).__name__}: {exc}"
    note = ""
    if _POOL["reports"] is not None:
        try:
            _write_reports(_POOL["reports"], student, report, course)
        except OSError as exc:   # the grade stands; the row says what is missing
            note = f"reports not written: {exc}"
    return student, report, note


def _write_reports(folder: Path, student: str, report, course: Course) -> None:
    for fmt, suffix in (("json", ".json"), ("text", ".txt")):
        (folder / f"{student}{suffix}").write_text(render(fmt, report, course),
                                                   encoding="utf-8")


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        # Every pool process forks from a server that already imported the grader.
        context.set_forkserver_preload([__name__, f"{__package__}.engine"])
        return context
    return multiprocessing.get_context("spawn")


def _stop_now(executor: ProcessPoolExecutor) -> None:
    executor.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(executor, "terminate_workers", None)   # Python 3.14+
    if terminate:
        terminate()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()


# -- the batch ------------------------------------------------------------------------
def grade_all(course: Course, submissions: list[Submission], gradebook: Gradebook, *,
              workers: int, seed: int | None = None,
              reports: Path | None = None, progress: bool = False) -> Summary:
    """Grade every submission not yet in ``gradebook`` for the gradebook's assignments
    (every submission, a notebook too, gets every column); Ctrl-C finishes the running
    ones."""
    from tqdm import tqdm

    started = time.monotonic()
    todo = [s for s in submissions if s.student not in gradebook.rows]
    summary = Summary(total=len(submissions), resumed=len(submissions) - len(todo))
    if reports is not None:
        Path(reports).mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(submissions), initial=summary.resumed, disable=not progress,
               unit="submission", desc="grading", dynamic_ncols=True)

    recorded = set()

    def record(future, student: str) -> None:
        recorded.add(future)     # first: a row recorded twice is worse than one regraded
        try:
            _, report, reason = future.result()
        except BrokenProcessPool:
            raise
        except Exception as exc:  # the result could not come back: this row's error
            report, reason = None, f"{type(exc).__name__}: {exc}"
        if report is None:
            gradebook.add(csv_report.error_row(student, reason, gradebook.assignments))
            summary.errors += 1
            bar.set_postfix(errors=summary.errors, refresh=False)
        else:
            gradebook.add(csv_report.graded_row(student, report, gradebook.assignments,
                                                reason))
            summary.graded += 1
        bar.update()

    executor = None
    try:
        if todo:
            executor = ProcessPoolExecutor(
                max_workers=max(1, min(workers, len(todo))), mp_context=_context(),
                initializer=_start, initargs=(course, [a.id for a in gradebook.assignments], seed, reports))
            pending = {executor.submit(_grade, s.student, str(s.path)): s.student
                       for s in todo}
            try:
                for future in as_completed(pending):
                    record(future, pending[future])
            except KeyboardInterrupt:
                # Finish what is running (well under a second, as a rule; at most the
                # course's submission_timeout) and keep it; a second Ctrl-C abandons it.
                summary.interrupted = "interrupted"
                left = [f for f in pending if f not in recorded and not f.cancel()]
                for future in as_completed(left):
                    record(future, pending[future])
    except BrokenProcessPool as exc:
        summary.interrupted = f"a grading process died unexpectedly ({exc})"
    except KeyboardInterrupt:
        summary.interrupted = "interrupted"
        if executor is not None:
            _stop_now(executor)
            executor = None
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        bar.close()
        gradebook.close()
    summary.seconds = time.monotonic() - started
    return summary
