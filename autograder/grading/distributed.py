"""``autograder batch DIR --scheduler ADDRESS``: a class graded on a Dask distributed cluster.

Each submission is read here, as ``grade`` reads it (:func:`.submission.prepared`: never
through a link, every file bounded), and its files travel as bytes in its task; a Dask
worker grades them (:mod:`.shipped`) exactly as the local pool would, in the same isolated
worker, set up by its own host's kernel. What comes back is the report (only its scores
when no ``--reports`` are written, which are written here); rows, progress, ``--resume``
and Ctrl-C are the local batch's own (:func:`.batch.grade_all` hands its ``record`` to
:meth:`Cluster.grade`).

A Dask worker that dies while grading (killed for memory) costs the submission that
killed it its row, as in the local pool: see :meth:`Cluster.grade`. Only a lost scheduler,
or no worker left, stops the batch, as an interruption: ``--resume`` grades the rest.

Dask is imported only here, and only with ``--scheduler``: the local pool needs no Dask.
"""
from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..reports.inert import clip
from ..sandbox.host import DISK_BYTES
from .batch import BatchError
from .shipped import Job, fingerprint, grade_shipped, host_problem
from .submission import SubmissionError, locate, prepared

EXTRA = "pip install -e '.[cluster]'"
CONNECT_SECONDS = 10     # to reach the scheduler (Dask retries until then)
WORKERS_SECONDS = 30     # for a first worker to join it, or one to come back
POLL_SECONDS = 0.01      # between looks at what came back: far below a grading's time
# A submission's files together, at most what a root worker's private folder holds: one
# that big could not be graded anyway, and a task carries it through the scheduler.
SHIPPED_BYTES = DISK_BYTES
SUSPECT = object()       # its Dask workers died while it was in flight with others


def connect(address: str, course, folder: Path, *, assignments, seed, reports: bool,
            allow_unconfined: bool) -> Cluster:
    """A client of the scheduler at ``address``, once at least one worker may grade
    there; BatchError (exit 2) when Dask is missing, nothing answers, or a worker
    could not grade as this machine would."""
    try:
        from distributed import Client
        from distributed.comm import get_address_host_port
    except ImportError:
        raise BatchError("--scheduler needs Dask's distributed scheduler, which is not "
                         f"installed: {EXTRA}") from None
    try:   # before a Client exists: one that fails to start hangs on its way out
        get_address_host_port(address)
    except ValueError as exc:
        raise BatchError(f"--scheduler {address}: {exc} (give it as `dask scheduler` prints "
                         "it, tcp://HOST:8786)") from None
    # Dask logs connections, retries and shutdown at INFO and WARNING on the TA's
    # terminal; what matters to a batch comes back as rows or as this module's errors.
    _quiet(logging.ERROR)
    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    job = Job(str(course.path), fingerprint(course), tuple(assignments), seed,
              str(Path(folder).resolve()), allow_unconfined, slim=not reports)
    cluster = Cluster(client, address, job)
    try:
        cluster.check()
    except BaseException:
        cluster.close()
        raise
    return cluster


@dataclass
class Cluster:
    client: object
    address: str
    job: Job

    def check(self) -> None:
        """Exit 2 before anything is graded where the batch could not grade as here:
        no worker at all, or one that lacks the course or would grade blind (a worker
        that joins later is checked by each of its tasks)."""
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise BatchError(f"no Dask worker joined the scheduler at {self.address} within "
                             f"{WORKERS_SECONDS} s: start some (README, Grading on several "
                             "machines)") from None
        answers = self.client.run(host_problem, self.job, on_error="return")
        for worker, problem in sorted(answers.items()):
            if isinstance(problem, BaseException):
                problem = (f"cannot run the grader ({type(problem).__name__}: {problem}); "
                           f"install it there: {EXTRA}")
            if problem:
                raise BatchError(f"the Dask worker at {worker}: {problem}")

    def close(self) -> None:
        _quiet(logging.CRITICAL)    # a client closed after its scheduler died logs why
        with contextlib.suppress(Exception):
            self.client.close()

    def grade(self, numbered: dict, record, course, reports: Path | None) -> str:
        """Grade ``numbered`` (number -> batch.Submission), calling ``record(number,
        report, reason)`` for each as it comes back; returns why it stopped early ("" if
        it did not). A first Ctrl-C lets the running ones finish; a second stops them.

        Dask holds a task on a worker besides the one it runs, and counts a death against
        both: so, as in the local pool, a submission whose workers died is graded again
        alone at the end, and gets an error row only if its worker dies then too."""
        self._record, self._course, self._reports = record, course, reports
        self._token = uuid.uuid4().hex[:8]   # keys of this batch, never another's
        suspects: list = []
        stopped = self._round(iter(numbered.items()), suspects)
        for suspect in suspects:
            if stopped:
                break
            stopped = self._round(iter([suspect]), None)
        return stopped

    def _round(self, waiting, suspects: list | None) -> str:
        """Grade ``waiting``, two per grading thread in flight (so that no worker waits
        for its next one, and only that many submissions' bytes are held here); one whose
        workers died goes to ``suspects`` (None: it is alone, and gets its error row)."""
        from distributed import as_completed

        numbers: dict = {}        # future -> (number, submission), while in flight
        running = as_completed(loop=self.client.loop)

        def send() -> bool:
            """Send the next submission that can be read; False when none is left."""
            for number, s in waiting:
                try:
                    where, files, notes = pack(self._course, s.path)
                except Exception as exc:   # as in the local pool: this row, not the batch
                    self._record(number, None, clip(f"{type(exc).__name__}: {exc}"))
                    continue
                # a key of its own (staff see whose it is): a task of that key that
                # failed would otherwise be what comes back
                key = f"grade-{s.student}-{self._token}" + ("-alone" if suspects is None
                                                             else "")
                future = self.client.submit(grade_shipped, self.job, where, files, notes,
                                            key=key, pure=False)
                numbers[future] = (number, s)
                running.add(future)
                return True
            return False

        try:
            threads, looked, last_seen = 0, 0.0, time.monotonic()
            try:
                while True:
                    now = time.monotonic()
                    if now - looked > 1:     # workers come and go (and die for good)
                        try:
                            threads, looked = sum(self.client.nthreads().values()), now
                        except OSError as exc:     # Dask's CommClosedError among them
                            return f"the Dask scheduler at {self.address} was lost ({exc})"
                        if threads:
                            last_seen = now
                        elif now - last_seen > WORKERS_SECONDS:
                            return (f"no Dask worker was left at {self.address} for "
                                    f"{WORKERS_SECONDS} s")
                    size = 1 if suspects is None else max(2, 2 * threads)
                    while len(numbers) < size and send():
                        pass
                    if not numbers:
                        return ""
                    for future in running.next_batch(block=False):
                        number, s = numbers.pop(future)
                        outcome = self._take(future, number, s.student,
                                             alone=suspects is None)
                        if outcome is SUSPECT:
                            suspects.append((number, s))
                        elif outcome:
                            return outcome
                    time.sleep(POLL_SECONDS)
            except KeyboardInterrupt:
                # Those a worker has started finish and are kept; the rest wait for --resume.
                started = {k for keys in self.client.processing().values() for k in keys}
                self.client.cancel([f for f in numbers if f.key not in started])
                for future in as_completed([f for f in numbers if f.key in started],
                                           loop=self.client.loop):
                    number, s = numbers.pop(future)
                    self._take(future, number, s.student, alone=False)
                return "interrupted"
        finally:
            if numbers:   # a second Ctrl-C, or the batch stopped
                self.client.cancel(list(numbers))

    def _take(self, future, number: int, student: str, *, alone: bool):
        """Record what came back for ``number``: returns "" when recorded, SUSPECT when
        its workers died and it was not alone (not recorded), or why the batch must stop
        (the scheduler was lost)."""
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        try:
            report, reason = future.result()
        except KilledWorker:
            if not alone:
                return SUSPECT
            report, reason = None, (
                "the Dask workers grading it died each time, the last time with nothing "
                "else of this batch in flight (killed for memory?): it was not graded; "
                "the workers' logs say how they ended")
        except FutureCancelledError as exc:   # nothing here cancels a running one
            return f"the Dask scheduler at {self.address} was lost ({exc.reason})"
        except Exception as exc:   # the task or its result could not come back
            report, reason = None, clip(f"{type(exc).__name__}: {exc}")
        if report is not None and self._reports is not None:
            from .pool import write_reports

            try:
                write_reports(self._reports, student, report, self._course)
            except OSError as exc:   # the grade stands; the row says what is missing
                reason = f"reports not written: {exc}"
        self._record(number, report, reason)
        return ""


def _quiet(level: int) -> None:
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.partition(".")[0] == "distributed":   # some have levels of their own
            logging.getLogger(name).setLevel(level)


def pack(course, path: Path) -> tuple[str, dict[str, bytes], list[str]]:
    """What a worker needs of the submission at ``path``: where it is (as ``grade`` would
    name it), the files ``grade``'s own copy of it holds (a notebook's extracted code),
    and the warnings that copy made (links skipped, files too large)."""
    where = locate(course, Path(path))
    notes: list[str] = []
    files: dict[str, bytes] = {}
    with prepared(where, notes) as folder:    # private, and holds only plain files
        total = 0
        for name in sorted(os.listdir(folder)):
            total += (folder / name).stat().st_size
            if total > SHIPPED_BYTES:
                raise SubmissionError(f"{where}: its files come to over {SHIPPED_BYTES} "
                                      "bytes, more than a worker holds")
            files[name] = (folder / name).read_bytes()
    return str(where), files, notes
