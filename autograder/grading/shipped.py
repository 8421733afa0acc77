"""The task of a Dask worker: grading a submission that arrived as bytes.

:mod:`.distributed` (the batch's side) reads each submission as ``grade`` would and
ships its files; here they are written into a private temporary folder and graded by
:func:`.engine.grade`, exactly as a pool process grades a path (:func:`.pool._grade`):
the same isolated worker, set up by this host's kernel.

Before grading, each task checks what the batch's machine cannot check for it: that
this host would not grade blind (the rule ``batch`` applies locally,
``commands/_course.py``: ``refuse_blind``, with ``--allow-unconfined`` carried along),
and that the course checkout and the package here are the batch's own (a fingerprint of
course.yaml, solutions/, public/ and the grader's source). A task that fails either is
an error row saying why, never a grade made blind or against other references.

Nothing here imports Dask: this is plain Python, run by whatever calls it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from ..reports.inert import clip
from ..sandbox import workspace
from ..sandbox.host import missing, refusal
from .pool import for_gradebook, warm
from .submission import SubmissionError

SCRATCH = "autograder-dask-"
PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Job:
    """What every task of one batch shares (small: it travels with each task)."""
    course_path: str
    fingerprint: str
    assignments: tuple[str, ...]
    seed: int | None
    folder: str              # the class folder: a worker on its host must not read it
    allow_unconfined: bool
    slim: bool               # no --reports: only the scores come back


def fingerprint(course) -> str:
    """A digest of what decides a grade besides the submission: course.yaml, solutions/,
    public/ and the grader's own Python source."""
    digest = hashlib.sha256()
    trees = [(course.root, [course.path]),
             *((folder, sorted(p for p in folder.rglob("*") if p.is_file()
                               and "__pycache__" not in p.parts))
               for folder in (course.solutions, course.public_cases)),
             (PACKAGE, sorted([*PACKAGE.rglob("*.py"), PACKAGE / "checks" / "grading.ini"]))]
    for base, paths in trees:
        for path in paths:
            digest.update(f"{path.relative_to(base)}\0".encode())
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# grade() redirects sys.stdout and runs pytest in-process, neither of which two threads
# may do at once: a Dask worker started with --nthreads above 1 grades one at a time.
_LOCK = threading.Lock()
_COURSES: dict[str, tuple] = {}     # course.yaml -> (Course, its fingerprint here)
_SWEPT: list[bool] = []


def _course(job: Job):
    """The course at ``job``'s path here, or the reason it cannot be used."""
    from ..course.loader import load_course

    known = _COURSES.get(job.course_path)
    if known is None or known[1] != job.fingerprint:   # new, or the checkout was updated
        try:
            course = load_course(job.course_path)
            known = _COURSES[job.course_path] = (course, fingerprint(course))
        except Exception as exc:   # missing, broken: either way, not this batch's course
            return None, (f"the course {job.course_path} cannot be loaded here "
                          f"({type(exc).__name__}: {clip(exc, 300, 1)}): every Dask worker "
                          "needs the course checkout at the same path as the batch's machine")
    if known[1] != job.fingerprint:
        return None, ("its course checkout or autograder package differs from the batch's "
                      "machine (course.yaml, solutions/, public/ or the grader's source): "
                      "put the same commit on every machine")
    return known[0], ""


def _ready(job: Job):
    """``(course, "")`` where this host may grade ``job``, else ``(None, why not)``: the
    rule ``batch`` applies locally (commands/_course.py: refuse_blind), applied here."""
    lacks = missing()
    if lacks:
        return None, (f"grading needs the full sandbox, and {socket.gethostname()} lacks "
                      f"{', '.join(lacks)}")
    course, problem = _course(job)
    if problem:
        return None, problem
    why = refusal([course.root, job.folder])
    if why and not job.allow_unconfined:
        return None, f"on {socket.gethostname()}, {why}"
    return course, ""


def host_problem(job: Job) -> str:
    """Why this worker must not grade ``job``'s submissions ("" when it may); where it
    may, it gets ready to (:func:`.pool.warm`) while the batch sends its tasks."""
    course, problem = _ready(job)
    if not problem:
        # With the model, whatever this batch grades: a Dask worker outlives its batch,
        # and its fork server serves the next batches too.
        warm(course, list(job.assignments), weights=True)
    return problem


def grade_shipped(job: Job, where: str, files: dict[str, bytes], notes: list[str]):
    """The task: grade the shipped files as :func:`.pool._grade` grades a path;
    ``(report or None, reason)``."""
    from .engine import grade

    course, problem = _ready(job)
    if problem:
        return None, f"not graded on the Dask worker: {problem}"
    with _LOCK, _scratch() as scratch:
        try:
            report = grade(course, _unpack(files, scratch),
                           assignments=list(job.assignments), seed=job.seed)
        except Exception as exc:  # any failure (MemoryError too) is this row, not the batch
            return None, clip(f"{type(exc).__name__}: {exc}")
    report = replace(report, submission=where, warnings=[*notes, *report.warnings])
    return (for_gradebook(report) if job.slim else report), ""


def _unpack(files: dict[str, bytes], scratch: Path) -> Path:
    folder = scratch / "submission"
    folder.mkdir(mode=0o700)
    for name, data in files.items():
        # what prepared() copies: top-level .py files and answers.yaml, nothing else
        if "/" in name or "\0" in name or not (name.endswith(".py") or name == "answers.yaml"):
            raise SubmissionError(f"{clip(name, 120, 1)}: not a file a submission ships")
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                     0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    return folder


@contextlib.contextmanager
def _scratch():
    """A folder holding every temporary folder of this grading (tempfile's default while
    it runs, as a pool process's is its batch's): removed afterwards, or, when this
    process is killed mid-grading, by the next process of this host to grade."""
    base = workspace.shared_base()
    if not _SWEPT:
        _SWEPT.append(True)
        _sweep(base)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-", dir=base))
    scratch.chmod(0o711)      # a sandbox worker's own folder inside must be reachable
    # As a pool process's (pool.py): the grading's copies and its sandbox workers'
    # folders go in here. The Dask worker's own files go in its local directory.
    before, tempfile.tempdir = tempfile.tempdir, str(scratch)
    try:
        yield scratch
    finally:
        tempfile.tempdir = before
        workspace.remove(scratch)


def _sweep(base: str) -> None:
    """Remove the scratch folders of Dask workers of this host that died grading."""
    for entry in os.scandir(base):
        pid = entry.name[len(SCRATCH):].partition("-")[0]
        if not entry.name.startswith(SCRATCH) or not pid.isdigit() or \
                not entry.is_dir(follow_symlinks=False):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            workspace.remove(Path(entry.path))
        except OSError:
            pass     # alive (another user's): not ours to remove

