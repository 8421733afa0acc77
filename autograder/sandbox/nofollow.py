"""Opening a name a student (or another user) controls without following a link, on
every platform.

Linux and macOS open a name relative to a folder already open (``dir_fd``), with
``O_NOFOLLOW``, and list a folder by its descriptor: what was checked is what is read,
whatever is swapped in between, and nothing is ever resolved through a link. Windows has
none of it (no ``O_NOFOLLOW`` or ``O_DIRECTORY``, ``os.open`` not in
``os.supports_dir_fd``, no listing by descriptor), so there a name is looked at by its
path (``lstat``: a symbolic link, a junction or a mount point is refused as a link),
opened by path, and the file opened is checked to be the one looked at (same device,
file number and size, on the descriptor): a link swapped in between leads to another
file and is refused. What is used is decided by what this Python offers
(:data:`AT_FOLDER`), never by the platform's name.
"""
from __future__ import annotations

import errno
import os
import stat

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Opening a named pipe must not wait for a writer (fstat then refuses it).
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# Windows opens a descriptor in text mode unless told (``\r\n`` and Ctrl-Z translated).
BINARY = getattr(os, "O_BINARY", 0)
_COMMON = getattr(os, "O_CLOEXEC", 0) | BINARY
FILE_FLAGS = os.O_RDONLY | NOFOLLOW | NONBLOCK | getattr(os, "O_NOCTTY", 0) | _COMMON
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | NOFOLLOW | _COMMON
# Whether folders are held open and names resolved in them (Linux, macOS), or looked at
# by path and checked after opening (Windows). Asked at run time: a platform that lacks
# any one of these takes the path-based way.
AT_FOLDER = bool(NOFOLLOW and hasattr(os, "O_DIRECTORY")
                 and {os.open, os.stat} <= os.supports_dir_fd
                 and os.listdir in os.supports_fd)
# Windows: a reparse point whose tag has this bit stands for another name (a symbolic
# link, a junction, a mount point). Other reparse points (a OneDrive file, a compressed
# system file) are the file itself: refusing them would refuse a student's folder.
_NAME_SURROGATE = 0x20000000

def is_link(info: os.stat_result) -> bool:
    """Whether an ``lstat`` result is a link: a symbolic link, or on Windows a junction
    or mount point (which ``lstat`` shows as a folder)."""
    if stat.S_ISLNK(info.st_mode):
        return True
    attributes = getattr(info, "st_file_attributes", 0)
    return bool(attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT
                and getattr(info, "st_reparse_tag", 0) & _NAME_SURROGATE)


def _path(name: str, folder: str | None) -> str:
    return name if folder is None else os.path.join(folder, name)


def lstat_in(name: str, folder: int | str | None = None) -> os.stat_result:
    """``name`` in ``folder`` (an open folder, a folder's path, or None: ``name`` is a
    path) looked at without following a link."""
    if isinstance(folder, int):
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    return os.lstat(_path(name, folder))


def open_file(name: str, folder: int | str | None = None, flags: int = 0,
              before: os.stat_result | None = None) -> int:
    """A descriptor of ``name`` in ``folder`` (``flags`` added to :data:`FILE_FLAGS`),
    never reached through a link: opened with ``O_NOFOLLOW`` (in the open folder), or
    where this Python has none, opened by path only if ``lstat`` shows a regular file
    (without ``O_NONBLOCK`` a pipe would block). If ``before`` (what ``lstat_in``
    showed) is given, or on the path-based way, the file opened must be that one;
    OSError if it is a link, not a regular file, or another file."""
    if AT_FOLDER:
        fd = os.open(name, FILE_FLAGS | flags, dir_fd=folder)
    else:
        before = before or lstat_in(name, folder)
        if is_link(before) or not stat.S_ISREG(before.st_mode):
            raise OSError(errno.ELOOP if is_link(before) else errno.EINVAL,
                          "not a regular file, never opened", name)
        fd = os.open(_path(name, folder), FILE_FLAGS | flags)
    if before is not None and not same_file(before, os.fstat(fd)):
        os.close(fd)
        raise OSError(errno.EBUSY, "changed while it was being opened", name)
    return fd


def same_file(before: os.stat_result, after: os.stat_result) -> bool:
    """Whether ``after`` (of an open descriptor) is the file ``before`` was; by path,
    where a link swapped in between would lead elsewhere, its size is compared too."""
    if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
        return False
    return AT_FOLDER or after.st_size == before.st_size


def open_folder(name: str, folder: int | str | None = None) -> int | str:
    """``name`` in ``folder`` held as a folder: a descriptor (AT_FOLDER; close it with
    :func:`close_folder`), else its path once ``lstat`` shows a folder, not a link.
    OSError if it is not a plain folder."""
    if AT_FOLDER:
        return os.open(name, _DIR_FLAGS, dir_fd=folder if isinstance(folder, int) else None)
    path = _path(name, folder)
    info = os.lstat(path)
    if is_link(info) or not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{path} is not a folder")
    return path


def close_folder(folder) -> None:
    if isinstance(folder, int):
        os.close(folder)
