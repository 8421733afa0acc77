"""The worker's audit hook: what a student's code is refused, from inside the worker.

The worker loads this file by path (standard library only) and calls :func:`install`
after NumPy is imported and before any student code runs. From then on the hook
(``sys.addaudithook``, PEP 578) refuses, with a ``PermissionError`` whose message
starts with ``sandbox:``:

- opening, listing or changing files outside the submission's private folder and the
  Python installation (which is readable only; writes go to the folder alone), anything
  under ``/proc`` or ``/dev`` (bar ``/dev/null``, ``/dev/zero``, ``/dev/urandom``),
  symbolic and hard links, and the ``autograder`` package itself;
- creating processes (``os.system``, ``subprocess``, ``exec``, ``spawn``, ``fork``),
  signals to any process but the worker itself, other processes' resource limits;
- ``ctypes``, sockets, sub-interpreters, extension modules from outside the
  installation, new code objects, new audit hooks, tracing, and ``gc``'s object walks
  (the way to reach this hook's own state).

The hook trusts nothing the student can change: it reads no module globals and looks
up no builtins at call time. Every name it uses is a closure cell bound here, holding a
C function, a string or a frozenset, because student code shares the interpreter and
could otherwise replace ``os.path.realpath`` or ``builtins.isinstance`` to make it
approve anything.

An audit hook is not a sandbox by itself (PEP 578 says so): code that corrupts memory
(crafted bytecode via ``marshal``, ``numpy.lib.stride_tricks.as_strided`` past a
buffer) can get past it, and ten lines of NumPy rewrite this hook's closure. The
kernel's layers (``kernel.py``: Landlock, seccomp, no capabilities) are what hold then;
see the README's "Security model".
"""
from __future__ import annotations

# Paths that stay readable and writable under /dev.
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")
# Refused outright whatever their arguments.
REFUSED = (
    "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty",
    "subprocess.Popen", "pty.spawn", "os.startfile", "os.link", "os.symlink",
    "cpython.PyInterpreterState_New", "gc.get_objects", "gc.get_referrers",
    "gc.get_referents", "sys.settrace", "sys.setprofile", "sys.addaudithook",
    "code.__new__", "os.add_dll_directory", "webbrowser.open",
)
# Modules that may not be loaded (the last part of the name counts, so a renamed copy
# of an extension is refused too).
MODULES = ("ctypes", "_ctypes", "_xxsubinterpreters", "_xxinterpchannels",
           "_interpreters", "_testcapi", "_testinternalcapi", "_cffi_backend")
# Events whose first argument is a path that is changed (os.rename: the first two).
WRITES = ("os.mkdir", "os.rmdir", "os.remove", "os.rename", "os.truncate", "os.utime",
          "os.chmod", "os.chown", "os.chflags", "os.lchflags", "os.setxattr",
          "os.removexattr", "shutil.rmtree")
READS = ("os.listdir", "os.scandir", "os.chdir", "os.getxattr", "os.listxattr")
WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000  # O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND
MAX_LINKS = 40




def _roots(paths) -> tuple[frozenset, tuple]:
    """A set of folders as ``(exact paths, prefixes)`` for ``str.startswith``."""
    import os

    # Resolved once here, before any student code runs, so os.path may be used.
    real = {os.path.realpath(p) for p in paths} - {"/"}
    return frozenset(real), tuple(sorted(r + "/" for r in real))


def install(folder: str, read_roots: list[str], deny_roots: list[str]) -> None:
    """Refuse, from now on, what the module docstring lists.

    ``folder`` is the submission's private folder (read and write), ``read_roots`` the
    Python installation (read only), ``deny_roots`` folders refused even inside those.
    """
    import posix
    import sys

    sys.addaudithook(_hook(posix, _roots([folder]), _roots(read_roots),
                           _roots([folder, *read_roots]), _roots(deny_roots)))


def _hook(posix, home, installed, readable, denied):
    # Everything the hook uses is bound here, once: see the module docstring. It is one
    # flat function on purpose: a helper function would show up in the locals of the
    # frames of a refused call's traceback, and with it its closure, which is mutable.
    lstat, readlink, getcwd, own_pid = posix.lstat, posix.readlink, posix.getcwd, posix.getpid()
    Refused, OSError_, str_, bytes_, int_, type_ = PermissionError, OSError, str, bytes, int, type
    special = ("/proc/", "/dev/", "/sys/")
    devices, refused, modules = frozenset(DEVICES), frozenset(REFUSED), frozenset(MODULES)
    writes, reads, write_flags, max_links = frozenset(WRITES), frozenset(READS), WRITE_FLAGS, MAX_LINKS
    watched = frozenset((*REFUSED, *WRITES, *READS, "open", "import", "os.kill", "os.killpg",
                         "resource.prlimit"))
    denied_exact, denied_prefixes = denied
    outside_home = "outside your submission"
    outside_readable = "outside your submission and Python"

    def hook(event, args):
        if event not in watched:
            if event.startswith(("ctypes.", "socket.")):
                raise Refused(f"sandbox: {event} is refused while grading")
            return
        if event == "open":
            value, mode, flags = args
            write = ((type_(mode) is str_ and ("w" in mode or "a" in mode or "x" in mode
                                               or "+" in mode))
                     or (type_(flags) is int_ and flags & write_flags != 0))
            # os.open (no mode) could hand out a descriptor of a folder to resolve paths
            # against: allowed only where writing is.
            targets, what = ((value, write or mode is None),), "opening"
        elif event == "import":
            name, filename = args[0], args[1]
            if type_(name) is str_ and name.rpartition(".")[2] in modules:
                raise Refused(f"sandbox: importing {name} is refused while grading")
            if filename is None:
                return
            targets, what = ((filename, None),), "loading"  # an extension module
        elif event in writes:
            targets = ((args[0], True), (args[1], True)) if event == "os.rename" else (
                (args[0], True),)
            what = "changing"
        elif event in reads:
            targets, what = ((args[0], False),), "reading"
        elif event == "os.kill" or event == "os.killpg":
            # The worker leads its own process group, so its group id is its pid.
            if args[0] != own_pid:
                raise Refused("sandbox: signals to other processes are refused while grading")
            return
        elif event == "resource.prlimit":
            if args[0] != 0 and args[0] != own_pid:
                raise Refused("sandbox: other processes' limits are refused while grading")
            return
        else:
            raise Refused(f"sandbox: {event} is refused while grading")
        for value, write in targets:
            if value is None:
                value = getcwd()
            kind = type_(value)
            if kind is int_:
                continue  # a descriptor: it passed this check when it was opened
            if kind is bytes_:
                value = value.decode("utf-8", "surrogateescape")
            elif kind is not str_:
                raise Refused(f"sandbox: {what} needs a plain str path while grading")
            path = value if value.startswith("/") else getcwd() + "/" + value
            # The lexical form (for /proc/<pid>/cwd and /dev/fd, refused before
            # anything is followed), then the real one, following symbolic links.
            names = [p for p in path.split("/") if p and p != "."]
            lexical = []
            for name in names:
                if name != "..":
                    lexical.append(name)
                elif lexical:
                    lexical.pop()
            lexical = "/" + "/".join(lexical)
            names.reverse()
            done, hops = [], 0
            while names:
                name = names.pop()
                if name == "..":
                    if done:
                        done.pop()
                    continue
                done.append(name)
                here = "/" + "/".join(done)
                try:
                    mode = lstat(here).st_mode
                except OSError_:
                    continue  # does not exist (yet): the rest resolves lexically
                if mode & 0o170000 != 0o120000:
                    continue
                hops += 1
                try:
                    target = readlink(here)
                except OSError_:
                    target = None
                if target is None or hops > max_links:
                    raise Refused(f"sandbox: {what} {value!r} is refused while grading")
                done.pop()
                if target.startswith("/"):
                    done = []
                more = [p for p in target.split("/") if p and p != "."]
                more.reverse()
                names.extend(more)
            real = "/" + "/".join(done)
            if lexical in devices and real in devices:
                continue
            if write is None:
                exact, prefixes, where = installed[0], installed[1], "outside Python"
            elif write:
                exact, prefixes, where = frozenset(), home[1], outside_home
            else:
                exact, prefixes, where = readable[0], readable[1], outside_readable
            if ((lexical + "/").startswith(special) or (real + "/").startswith(special)
                    or real in denied_exact or real.startswith(denied_prefixes)
                    or not (real in exact or real.startswith(prefixes))):
                raise Refused(f"sandbox: {what} {value!r} ({where}) is refused while grading")

    return hook
