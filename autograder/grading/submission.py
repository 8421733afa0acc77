"""Turning what a student handed in into a private folder the worker may see.

The worker never runs in the student's own folder or the course checkout: it gets a
fresh temporary folder holding copies of the submission's top-level Python files and
``answers.yaml`` (regular files only, size-limited), so nothing it writes lands
anywhere that matters.

Nothing in a submission may lead out of it. A symbolic link (``exercises ->
<course>/solutions``, a link to another student's folder), a hard link (a second name
for a file elsewhere), a device or a named pipe is never followed, read or copied, at
any depth: each one found is named in a warning. Every file is looked at first, opened
without following a link (relative to an open folder with ``O_NOFOLLOW`` on Linux and
macOS; by path, then checked to be the same file, on Windows: ``sandbox/nofollow.py``)
and checked again on the open descriptor (``fstat``), so what is checked is what is
read: swapping a file for a link in between changes nothing. A submission path that is
itself a link is refused (exit 2 for ``grade``, an ``error`` row in ``batch``): the
grader grades what is there, not what it points to.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from ..course.model import Course
from ..sandbox import nofollow

MAX_FILE_BYTES = 1 << 20
# How much of a submission is looked through for links, devices and pipes to warn
# about: a clone of the release is a few hundred entries; more is not looked at.
SCAN_ENTRIES = 5000
SCAN_DEPTH = 8
WARNED_NAMES = 20          # warnings naming refused entries, then one "and N more"
NAME_CHARS = 120           # a file name echoed in a warning is cut to this


class SubmissionError(Exception):
    """The submission cannot be graded at all (no such path, unsupported kind, a link)."""


def shown(name: str) -> str:
    """A student's file name as a message shows it: printable and at most NAME_CHARS."""
    text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= NAME_CHARS else text[:NAME_CHARS] + "..."


def refused_kind(info: os.stat_result) -> str | None:
    """Why an entry is never read (None for a plain folder or a file with one name)."""
    mode = info.st_mode
    if nofollow.is_link(info):
        return "a symbolic link" if stat.S_ISLNK(mode) else "a link (a junction)"
    if stat.S_ISDIR(mode):
        return None
    if stat.S_ISREG(mode):
        return "a hard link (the file has other names)" if info.st_nlink > 1 else None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def open_submission_dir(path: Path) -> int | str:
    """The folder at ``path`` held open (``nofollow.open_folder``); SubmissionError if
    it is a link or gone."""
    try:
        return nofollow.open_folder(str(path))
    except OSError as exc:
        info = _lstat(path)
        if info is not None and nofollow.is_link(info):
            raise SubmissionError(f"{path} is a symbolic link: the grader never follows "
                                  "links; give the folder itself") from None
        raise SubmissionError(f"{path}: cannot be read ({exc.strerror})") from None


def read_regular(name: str, folder: int | str | None,
                 limit: int) -> tuple[bytes | None, str]:
    """``(bytes, "")`` of a plain file (one name, not a link), or ``(None, why not)``;
    ``name`` is in the open ``folder`` (``open_submission_dir``), or a path (None).

    Looked at first without opening it (opening a device can act on it), then opened
    without following a link and without waiting on a pipe, and checked again on the
    descriptor itself (the same file, still plain), and read no further than ``limit``
    bytes."""
    try:
        before = nofollow.lstat_in(name, folder)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    why = refused_kind(before) or (None if stat.S_ISREG(before.st_mode) else "a folder")
    if why:
        return None, why
    try:
        fd = nofollow.open_file(name, folder, before=before)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        why = refused_kind(info) or (None if stat.S_ISREG(info.st_mode) else "a folder")
        if why or (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            return None, why or "changed while it was being read"
        if info.st_size > limit:
            return None, f"{info.st_size} bytes, over the {limit} byte limit"
        data = file.read(limit + 1)
    if len(data) > limit:
        return None, f"over the {limit} byte limit"
    return data, ""


def scan(folder: int | str) -> dict[str, str]:
    """Every link, hard link, device or pipe under the open folder (bounded): its path
    relative to the folder -> why it is never read."""
    refused: dict[str, str] = {}
    budget = [SCAN_ENTRIES]

    def walk(here: int | str, where: str, depth: int) -> None:
        try:
            names = sorted(os.listdir(here))
        except OSError:
            return
        folders = []
        for name in names:
            if budget[0] <= 0:
                return
            budget[0] -= 1
            try:
                info = nofollow.lstat_in(name, here)
            except OSError:
                continue
            why = refused_kind(info)
            if why:
                refused[where + name] = why
            elif stat.S_ISDIR(info.st_mode) and depth < SCAN_DEPTH:
                folders.append(name)
        for name in folders:    # this folder's own entries first, then deeper ones
            try:
                inner = nofollow.open_folder(name, here)
            except OSError:
                continue
            try:
                walk(inner, f"{where}{name}/", depth + 1)
            finally:
                nofollow.close_folder(inner)

    walk(folder, "", 0)
    return refused


def _warn_refused(refused: dict[str, str], warnings: list[str]) -> None:
    for name, why in list(refused.items())[:WARNED_NAMES]:
        warnings.append(f"{shown(name)}: {why}, ignored (the grader never follows or "
                        "reads one)")
    if len(refused) > WARNED_NAMES:
        warnings.append(f"... and {len(refused) - WARNED_NAMES} more links, devices or "
                        "pipes, all ignored")


def _copy(name: str, folder: int | str | None, target: Path, warnings: list[str]) -> None:
    data, why = read_regular(name, folder, MAX_FILE_BYTES)
    if data is None:
        warnings.append(f"{shown(os.path.basename(name))}: skipped ({why})")
        return
    (target / os.path.basename(name)).write_bytes(data)


@contextlib.contextmanager
def prepared(path: Path, warnings: list[str]):
    """A private temporary copy of the submission at ``path``; removed afterwards."""
    path = Path(path)
    info = _lstat(path)
    if info is None:
        raise SubmissionError(f"no such file or folder: {path}")
    if nofollow.is_link(info):
        raise SubmissionError(f"{path} is a symbolic link: the grader never follows links; "
                              "give the file or folder itself")
    folder = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        try:
            if stat.S_ISDIR(info.st_mode):
                held = open_submission_dir(path)
                try:
                    refused = scan(held)
                    _warn_refused(refused, warnings)
                    for name in sorted(os.listdir(held)):
                        if (name.endswith(".py") or name == "answers.yaml") \
                                and name not in refused:
                            _copy(name, held, folder, warnings)
                finally:
                    nofollow.close_folder(held)
            elif path.suffix == ".ipynb":
                from ..integrations.notebook import extract

                extract(path, folder, warnings)
            elif path.suffix in (".py", ".yaml"):
                _copy(str(path), None, folder, warnings)
            else:
                raise SubmissionError(
                    f"{path}: expected a folder, a .py file, answers.yaml or a .ipynb notebook")
        except (RecursionError, MemoryError) as exc:
            raise SubmissionError(f"{path}: too deeply nested or too large to read "
                                  f"({type(exc).__name__})") from None
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _plain_dir(path: Path) -> bool:
    info = _lstat(path)
    return info is not None and stat.S_ISDIR(info.st_mode) and not nofollow.is_link(info)


def _plain_file(path: Path) -> bool:
    info = _lstat(path)
    return info is not None and stat.S_ISREG(info.st_mode) and info.st_nlink == 1


def locate(course: Course, path: Path) -> Path:
    """Where a submission's files are: the folder itself, its ``exercises/``, or its notebook.

    A clone of the student release (GitHub Classroom) keeps its work in ``exercises/``;
    an upload of one notebook (Gradescope) is a folder holding just that notebook.
    Nothing here follows a link: a linked ``exercises`` or notebook is not where the
    work is (and :func:`prepared` then names it in a warning, or refuses a linked path).
    """
    path = Path(path)
    wanted = {e.file for e in course.exercises} | {"answers.yaml"}
    if not _plain_dir(path) or any(_plain_file(path / name) for name in wanted):
        return path
    inner = path / "exercises"
    if _plain_dir(inner) and any(_plain_file(inner / name) for name in wanted):
        return inner
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return path
    notebooks = [path / n for n in names if n.endswith(".ipynb") and _plain_file(path / n)]
    return notebooks[0] if len(notebooks) == 1 else path
