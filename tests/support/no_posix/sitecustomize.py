"""Loaded through PYTHONPATH by tests/test_platforms.py: this Python is shaped like
Windows' where the grader could trip over it, so the grader must get by without:

- the modules ``pwd``, ``grp``, ``resource``, ``fcntl``, ``termios`` (nor the kernel
  layers' ``pyseccomp``), and ``os.fork``;
- the ``os`` flags Windows lacks (``O_NOFOLLOW``, ``O_DIRECTORY``, ``O_NONBLOCK``,
  ``O_NOCTTY``) and the calls it lacks (``killpg``, ``setsid``, ``getuid``...);
- ``dir_fd`` and listing a folder by its descriptor: ``os.supports_dir_fd`` and
  ``os.supports_fd`` are empty, and the calls refuse them as Windows' do
  (``NotImplementedError``, ``TypeError``), so code that uses them without asking fails
  here as it would there.

It is loaded before anything imports ``shutil`` or ``subprocess``, which then choose
their Windows-like paths (no ``rmtree`` by descriptor, no ``poll``).
"""
import functools
import os
import select
import sys

BLOCKED = frozenset({"pwd", "grp", "resource", "fcntl", "termios", "pyseccomp"})
# What Windows' os module lacks and the grading process could reach.
ABSENT = ("fork", "forkpty", "register_at_fork", "O_NOFOLLOW", "O_DIRECTORY", "O_NONBLOCK",
          "O_NOCTTY", "killpg", "setsid", "getuid", "geteuid", "getgid", "sysconf",
          "set_blocking", "fchmod", "fchown", "chown", "fwalk")


class _Absent:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _no_dir_fd(call):
    @functools.wraps(call)
    def without(*args, dir_fd=None, **kwargs):
        if dir_fd is not None:
            raise NotImplementedError("dir_fd unavailable on this platform")
        return call(*args, **kwargs)
    return without


def _no_fd(call):
    @functools.wraps(call)
    def by_path(*args, **kwargs):
        if isinstance(args[0] if args else kwargs.get("path"), int):
            raise TypeError(f"{call.__name__}: path should be string, bytes or "
                            "os.PathLike, not int")
        return call(*args, **kwargs)
    return by_path


sys.meta_path.insert(0, _Absent)
for _module in BLOCKED & set(sys.modules):
    del sys.modules[_module]
for _name in ABSENT:
    if hasattr(os, _name):
        delattr(os, _name)
if hasattr(select, "poll"):
    del select.poll
for _name in ("open", "stat", "lstat", "mkdir", "rmdir", "unlink", "remove", "rename",
              "replace", "chmod", "access", "readlink", "utime", "link", "symlink"):
    setattr(os, _name, _no_dir_fd(getattr(os, _name)))
for _name in ("listdir", "scandir"):
    setattr(os, _name, _no_fd(getattr(os, _name)))
os.supports_dir_fd = set()
os.supports_fd = set()
