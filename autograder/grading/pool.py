"""The batch's grading processes, and what happens when one of them dies.

Each pool process grades one submission at a time with
:func:`autograder.grading.engine.grade`, exactly as ``autograder grade`` does. The pool
is started with ``forkserver`` (or ``spawn``), never a bare ``fork`` of a process that
has threads.

A pool process can die under a submission (the system kills it for memory, a signal
reaches it): Python's pool then fails every submission it still held, with no word of
which one was being graded. So each pool process marks the submission it is grading
in a private folder (a file named by the submission's number, removed when done).
When the pool breaks, the marked submissions are the suspects: each is graded again
alone, in a fresh pool of one process; one whose process dies again gets an ``error``
row saying how the process ended, the others are graded as if nothing happened. The
submissions that were only waiting go to a fresh pool. So a dead process costs the
submission that killed it its row, and no one else anything.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from ..course.model import Course
from ..reports import files, render
from ..reports.inert import clip
from .results import Report
from .submission import locate

_POOL: dict = {}


def _start(course: Course, assignments, seed, reports: Path | None, work: str,
           marks: str) -> None:
    """Warm a pool process: the checks imported once, its temporary folders in ``work``
    (which the batch removes, whatever becomes of this process), Ctrl-C left to the
    parent."""
    tempfile.tempdir = work
    # The parent decides what an interrupt means (finish what is running, then stop);
    # a pool process that got it too would end a grading half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm(course, assignments)
    _POOL.update(course=course, assignments=assignments, seed=seed, reports=reports,
                 marks=marks)


def warm(course: Course, assignments, *, weights: bool | None = None) -> None:
    """Ready this process to grade ``assignments``: their checks imported, and its fork
    server started, which then starts beside the first grading's references and
    collection. The server reads the real model if ``weights``; by default (a pool
    process, which lives for one batch) only where a check passes it (``MODEL``)."""
    from ..sandbox.zygote import prestart
    from . import engine

    files = {e.file for a in engine.selected(course, assignments) for e in a.exercises}
    checks = [importlib.import_module(f"{engine.checks.__name__}.{file.removesuffix('.py')}")
              for file in files]
    if weights is None:
        weights = any(hasattr(module, "MODEL") for module in checks)
    prestart(weights=weights)


def for_gradebook(report: Report) -> Report:
    """``report`` with only its scores: what the parent's gradebook row is made of. The
    cases' messages, the output and the answers stay in the pool process (in the report
    files, when asked for), so the parent, which receives every report, does not spend
    its time unpickling them (a pool process, and a Dask task without --reports)."""
    return replace(report, warnings=[], output="", assignments=[
        replace(a, exercises=[replace(e, feedback=[], cases=[]) for e in a.exercises],
                questions=[replace(q, answer=None, message="") for q in a.questions])
        for a in report.assignments])


def _grade(number: int, student: str, path: str) -> tuple[object, str]:
    """Grade one submission in a pool process: ``(report or None, reason)``; the report
    carries the scores only (:func:`for_gradebook`).

    With a report, ``reason`` notes only a problem writing its report files.
    """
    from .engine import grade

    mark = Path(_POOL["marks"]) / str(number)
    mark.write_text(str(os.getpid()))
    try:
        course = _POOL["course"]
        try:
            report = grade(course, locate(course, Path(path)),
                           assignments=_POOL["assignments"], seed=_POOL["seed"])
        except Exception as exc:  # any failure (MemoryError too) is this row, not the batch
            return None, clip(f"{type(exc).__name__}: {exc}")
        note = ""
        if _POOL["reports"] is not None:
            try:
                write_reports(_POOL["reports"], student, report, course)
            except OSError as exc:   # the grade stands; the row says what is missing
                note = f"reports not written: {exc}"
        return for_gradebook(report), note
    finally:
        mark.unlink(missing_ok=True)


def write_reports(folder: Path, student: str, report, course: Course) -> None:
    for fmt, suffix in (("json", ".json"), ("text", ".txt")):
        files.write_text(Path(folder) / f"{student}{suffix}", render(fmt, report, course))


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        # Every pool process forks from a server that already imported the grader.
        context.set_forkserver_preload([__name__, f"{__package__}.engine"])
        return context
    return multiprocessing.get_context("spawn")


def stop_now(executor: ProcessPoolExecutor) -> None:
    executor.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()


def how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "ended without an exit status"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (as the system does when memory runs out)" if name == "SIGKILL" else ""
        return f"was killed by {name}{hint}"
    return f"exited with status {exitcode}"


@dataclass
class Round:
    """One pool over some submissions: ``record(number, report, reason)`` is called for
    each that finished; the rest are left in ``waiting`` and ``suspects``."""
    initargs: tuple
    marks: Path
    record: object
    executor: ProcessPoolExecutor | None = None
    died: str = ""          # how the dead process ended, when the pool broke
    interrupted: bool = False
    recorded: int = 0       # submissions this round recorded

    def run(self, numbered: dict[int, object], workers: int) -> tuple[list[int], list[int]]:
        """Grade ``numbered`` (number -> submission); ``(waiting, suspects)`` when the pool
        broke, both empty when every one was recorded. A first Ctrl-C lets the running
        ones finish and sets ``interrupted``; a second stops them and propagates."""
        self.executor = ProcessPoolExecutor(
            max_workers=max(1, min(workers, len(numbered))), mp_context=_context(),
            initializer=_start, initargs=(*self.initargs, str(self.marks)))
        pending = {self.executor.submit(_grade, n, s.student, str(s.path)): n
                   for n, s in numbered.items()}
        recorded: set[int] = set()
        try:
            try:
                for future in as_completed(pending):
                    self._take(future, pending[future], recorded)
            except KeyboardInterrupt:
                # Finish what is running (well under a second, as a rule; at most the
                # course's submission_timeout) and keep it; a second Ctrl-C abandons it.
                self.interrupted = True
                left = [f for f in pending if pending[f] not in recorded and not f.cancel()]
                for future in as_completed(left):
                    self._take(future, pending[future], recorded)
        except BrokenProcessPool:
            return self._broken(numbered, recorded)
        except KeyboardInterrupt:
            stop_now(self.executor)
            self.executor = None
            raise
        finally:
            if self.executor is not None:
                self.executor.shutdown(wait=True, cancel_futures=True)
        return [], []

    def _broken(self, numbered, recorded: set[int]) -> tuple[list[int], list[int]]:
        # The pool's own record of its processes (private, hence getattr): kept before
        # shutdown drops it, read after shutdown has joined them.
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=True, cancel_futures=True)
        codes = [p.exitcode for p in processes]
        # once one has died, the pool ends the others itself (SIGTERM)
        dead = [c for c in codes if c != -signal.SIGTERM] or codes or [None]
        self.died = how_it_ended(dead[0])
        suspects = sorted(int(mark.name) for mark in self.marks.iterdir())
        for mark in self.marks.iterdir():
            mark.unlink()
        waiting = [n for n in numbered if n not in recorded and n not in suspects]
        return waiting, [n for n in suspects if n not in recorded]

    def _take(self, future, number: int, recorded: set[int]) -> None:
        recorded.add(number)     # first: a row recorded twice is worse than one regraded
        try:
            report, reason = future.result()
        except BrokenProcessPool:
            recorded.discard(number)
            raise
        except Exception as exc:  # the result could not come back: this row's error
            report, reason = None, clip(f"{type(exc).__name__}: {exc}")
        self.recorded += 1
        self.record(number, report, reason)
