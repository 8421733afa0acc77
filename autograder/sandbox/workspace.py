"""A worker's private folder: a fresh copy of the submission's Python files.

Each worker process gets its own temporary folder holding copies of the submission's
top-level ``.py`` files, and nothing else. Nothing a worker writes there (a
``results.json``, a rewritten ``answers.yaml``, a link to the answer key) is ever read by
the grading process, which reads the submission from its own copy; the folder is removed
when the worker ends. When the worker runs as another user, the folder and its files
belong to that user, so it can write there and nowhere else that matters.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path


def _enterable_by_others(path: str) -> bool:
    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def _base(owner: list[int] | None) -> str:
    """Where the folder goes: the usual temporary folder, unless another user could not
    reach it (TMPDIR inside a private folder), then /tmp."""
    base = tempfile.gettempdir()
    if owner is None or _enterable_by_others(base):
        return base
    if _enterable_by_others("/tmp"):
        return "/tmp"
    raise RuntimeError(f"no temporary folder the sandbox user can enter: {base} and /tmp "
                       "are closed to other users")


def shared_base() -> str:
    """A temporary folder any user can enter (the usual one, else /tmp): where a folder
    meant to hold other users' workers' folders goes (a batch keeps every temporary
    folder of its grading processes in one it removes at the end, so a process that is
    killed leaves nothing behind)."""
    base = tempfile.gettempdir()
    return base if _enterable_by_others(base) or not _enterable_by_others("/tmp") else "/tmp"


def _copy(name: str, source_fd: int, folder: Path) -> None:
    """Copy one file of the folder open as ``source_fd``, if it is a plain file: opened
    without following a link or waiting on a pipe, and checked on the descriptor."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=source_fd)
    except OSError:
        return      # a link or gone: the submission's copy already warned about it
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return
        target = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         0o644)
        os.fchmod(target, 0o644)     # whatever the umask: the worker's user reads it
        with os.fdopen(target, "wb") as out:
            shutil.copyfileobj(file, out)


def create(source: Path, owner: list[int] | None) -> Path:
    """A new folder with copies of the plain ``*.py`` files directly in ``source`` (never
    a link, a hard link or a pipe)."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-worker-", dir=_base(owner)))
    try:
        source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            for name in os.listdir(source_fd):
                if name.endswith(".py"):
                    _copy(name, source_fd, folder)
        finally:
            os.close(source_fd)
        if owner is not None:
            for path in (folder, *folder.iterdir()):
                os.chown(path, *owner, follow_symlinks=False)
    except BaseException:
        remove(folder)
        raise
    return folder


def remove(folder: Path | None) -> None:
    """Remove ``folder`` and whatever a worker left in it."""
    if folder is None or not os.path.lexists(folder):
        return
    # A worker may leave a folder without permissions (os.mkdir(name, 0)): give them back
    # before each is entered (os.walk goes top-down, after this loop body has run).
    for root, dirs, _files in os.walk(folder):
        for name in dirs:
            path = os.path.join(root, name)
            try:
                if not os.path.islink(path):
                    os.chmod(path, stat.S_IRWXU)
            except OSError:
                pass  # rmtree below removes what it can
    shutil.rmtree(folder, ignore_errors=True)
