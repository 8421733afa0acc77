"""Writing a report or a gradebook where something hostile may be waiting.

A student's code, or another user of a shared folder, may have put a symbolic link (to
the answer key, to a file the grader must not overwrite) or a named pipe (which blocks
whoever opens it for ever) at the path a report will be written to. So a report is
never written by opening its path: it goes to a new temporary file in the same folder
(created exclusively, never following a link), which then replaces the path by a
rename. The rename replaces a name, it never opens what the name held; an existing
path that is not a regular file is refused first, with a plain reason. The gradebook
appended to line by line is opened without following a link or waiting on a pipe, and
checked on the open descriptor (on Windows, which cannot open without following a link,
checked to be the regular file ``lstat`` showed: ``sandbox/nofollow.py``).
"""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ..sandbox import nofollow

# The temporary file: never through a link, and bytes as they are (Windows' O_BINARY).
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | nofollow.NOFOLLOW | nofollow.BINARY
           | getattr(os, "O_CLOEXEC", 0))


class UnsafeTarget(OSError):
    """The path to write is a link, a pipe, a folder or a device: not written."""


def _refuse(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = ("a symbolic link" if stat.S_ISLNK(mode) else
                "a named pipe" if stat.S_ISFIFO(mode) else
                "a folder" if stat.S_ISDIR(mode) else "not a regular file")
        raise UnsafeTarget(f"{path} is {kind}: not used (reports and gradebooks are read "
                           "and written only as regular files; remove it and run again)")


def _refuse_unless_regular(path: Path) -> None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    _refuse(path, info.st_mode)


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``: temporary file in the same folder, then rename."""
    path = Path(path)
    _refuse_unless_regular(path)
    data = text.encode("utf-8")
    for attempt in range(100):
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(temporary, _CREATE, 0o644)
            break
        except FileExistsError:
            continue
    else:
        raise UnsafeTarget(f"{path}: no free temporary name next to it")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _open_regular(path: Path, flags: int) -> int:
    """``path`` opened (``nofollow.open_file``) only if it is a regular file;
    UnsafeTarget if it is something else, OSError as ``os.open`` raises it."""
    try:
        fd = nofollow.open_file(str(path), None, flags)
    except OSError:
        _refuse_unless_regular(path)
        raise
    try:
        _refuse(path, os.fstat(fd).st_mode)
    except UnsafeTarget:
        os.close(fd)
        raise
    return fd


def read_bytes(path) -> bytes | None:
    """The bytes of the regular file at ``path``; None if there is none; UnsafeTarget
    if it is something else."""
    path = Path(path)
    try:
        fd = _open_regular(path, 0)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as file:
        return file.read()


def open_append(path):
    """``path`` opened to append text, only if it is a regular file (not a link, a pipe)."""
    fd = _open_regular(Path(path), os.O_WRONLY | os.O_APPEND)
    if nofollow.NONBLOCK:   # only a pipe would block, and that was refused
        os.set_blocking(fd, True)
    return os.fdopen(fd, "a", encoding="utf-8", newline="")
