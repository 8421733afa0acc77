"""The limits a worker runs under, and how the worker process is started.

Values come from ``course.yaml`` (``grading.limits``); see :class:`Limits`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .host import probe

# Whether workers run hardened (kernel layers, audit hook, process and file limits).
# Only benchmarks/hardening_overhead.py turns it off, to measure what it costs; there is
# deliberately no option or environment variable for it.
HARDENING = True
# The user a worker runs as when the grader runs as root (nobody's uid as a fallback).
SANDBOX_USER = "nobody"
OPEN_FILES = 64                 # descriptors a worker may hold open
FILE_BYTES = 16 * 1024 * 1024   # largest file a worker may write (in its own folder)


@dataclass(frozen=True)
class Limits:
    call_timeout: float = 5.0          # seconds for one call of a student function
    # Once a function has run out of time, its other cases get this much each: honest
    # code answers these tiny cases in milliseconds, a function that hangs everywhere
    # costs call_timeout + retry_timeout instead of a timeout per case, and a function
    # that hangs on one edge case still loses only that case.
    retry_timeout: float = 1.0
    submission_timeout: float = 60.0   # seconds for everything one submission runs
    memory_mb: int = 1024              # address space of one worker
    output_kb: int = 64                # captured stdout/stderr kept per submission

    @property
    def output_bytes(self) -> int:
        return self.output_kb * 1024


def worker_config(limits: Limits, user: list[int] | None = None) -> dict:
    """What a worker applies to itself before student code runs (dropping to ``user``,
    see :func:`sandbox_user`; the kernel's layers of ``host.py``)."""
    host = probe()
    return {
        "hardened": HARDENING,
        "memory_bytes": limits.memory_mb * 1024 * 1024,
        # A backstop only: the grading process kills a worker at the call's deadline.
        "cpu_seconds": int(limits.submission_timeout) + 2,
        "open_files": OPEN_FILES,
        "file_bytes": FILE_BYTES,
        "user": user,
        "kernel": host.plan() if HARDENING else {},
        "audit_hook": host.audit_hook(),
    }


def worker_command(python: str, worker: Path, fd_in: int, fd_out: int, limits: Limits,
                   user: list[int] | None = None) -> list[str]:
    """How to start a worker directly; its limits travel as one JSON argument."""
    # -I: no environment variables, no user site-packages, no script or current folder
    # on sys.path; -B: never write .pyc files into the student's folder.
    return [python, "-I", "-B", str(worker), str(fd_in), str(fd_out),
            json.dumps(worker_config(limits, user))]


def zygote_command(python: str, worker: Path, fd: int, user: list[int] | None,
                   weights: bool = True) -> list[str]:
    """How to start the fork server that workers are forked from (see ``zygote.py``).
    ``grader`` is only there so that ``ps`` shows whose it is; ``weights``: whether it
    reads the model once for all its workers (without, a worker that needs it reads it
    itself)."""
    config = {"hardened": HARDENING, "user": user, "grader": os.getpid(),
              "kernel": probe().plan() if HARDENING else {}, "weights": weights}
    return [python, "-I", "-B", str(worker), "--zygote", str(fd), json.dumps(config)]


def worker_environment(folder: Path) -> dict[str, str]:
    """A minimal environment: nothing of the grader's own variables leaks in."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": str(folder),
        "LANG": "C.UTF-8",
        # One BLAS thread: faster start-up for small inputs, reproducible sums, and a
        # worker that cannot occupy every core.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def sandbox_user() -> list[int] | None:
    """``[uid, gid]`` a worker drops to, or None when the grader is not root.

    Only root may change user. Where Landlock keeps a worker to the Python installation
    and its own folder, it keeps the grader's uid (as root: without any capability), so
    it imports whatever the grader's Python imports, however that is installed; on a
    host without Landlock, root drops it to ``SANDBOX_USER`` (README, "Security model").
    """
    if not HARDENING or os.geteuid() != 0 or not probe().root or probe().keeps_uid:
        return None
    import pwd  # POSIX only: here only root, on Linux, gets this far

    try:
        entry = pwd.getpwnam(SANDBOX_USER)
        return [entry.pw_uid, entry.pw_gid]
    except KeyError:
        return [65534, 65534]
