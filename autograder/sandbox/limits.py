"""The limits a worker runs under, and how the worker process is started.

Values come from ``course.yaml`` (``grading.limits``); see :class:`Limits`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    call_timeout: float = 5.0          # seconds for one call of a student function
    submission_timeout: float = 60.0   # seconds for everything one submission runs
    memory_mb: int = 1024              # address space of one worker
    output_kb: int = 64                # captured stdout/stderr kept per submission

    @property
    def output_bytes(self) -> int:
        return self.output_kb * 1024


def worker_command(python: str, worker: Path, fd_in: int, fd_out: int,
                   limits: Limits) -> list[str]:
    # -I: no environment variables, no user site-packages, no script or current folder
    # on sys.path; -B: never write .pyc files into the student's folder.
    return [python, "-I", "-B", str(worker), str(fd_in), str(fd_out),
            str(limits.memory_mb * 1024 * 1024)]


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


def worker_user(folder: Path) -> dict:
    """Extra ``subprocess.Popen`` arguments that choose the worker's user (none yet)."""
    del folder
    return {}
