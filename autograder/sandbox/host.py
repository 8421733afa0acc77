"""What this host's kernel offers the workers, and what the grader does with it.

Probed once per grading process (:func:`probe`): the Landlock ABI, whether seccomp
filters can be loaded through libseccomp, and whether the grader runs as root. From
that, :meth:`Host.plan` is what every worker applies to itself (``kernel.py``), and
:func:`refusal` says when grading would be blind: no kernel layer keeps a worker out
of ``solutions/`` (which holds the answer key) or another student's folder.

Tests simulate weaker hosts with ``AUTOGRADER_TEST_HOST`` (comma-separated:
``landlock=N`` caps the ABI used, ``seccomp=0``, ``user`` plans as if not root); it can
only take layers away, never add one. ``AUTOGRADER_TEST_WITHOUT_AUDIT_HOOK=1`` leaves
the audit hook out, to prove the kernel's layers hold alone; it is honoured only when
they are all in force (Landlock with signal scoping, and seccomp).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

DISK_BYTES = 64 * 1024 * 1024   # the most a worker's private folder holds (as root)
SIMULATE = "AUTOGRADER_TEST_HOST"
WITHOUT_HOOK = "AUTOGRADER_TEST_WITHOUT_AUDIT_HOOK"
ACCEPT_OPTION = "--allow-unconfined"


@dataclass(frozen=True)
class Host:
    landlock_abi: int   # 0: no Landlock
    seccomp: bool       # seccomp filters through libseccomp (pyseccomp)
    root: bool

    @property
    def confined(self) -> bool:
        """Whether the kernel keeps a worker's reads to Python and its own folder."""
        return self.landlock_abi >= 1

    @property
    def keeps_uid(self) -> bool:
        """Whether a root worker keeps uid 0 (without capabilities): only where Landlock
        keeps it to its files and seccomp refuses it new processes and signals. Without
        seccomp, uid 0 could signal every process root runs (before Landlock ABI 6), and
        fork (``RLIMIT_NPROC`` does not bind root): it becomes ``nobody`` instead."""
        return self.confined and self.seccomp

    def plan(self) -> dict:
        """The kernel's layers each worker applies (``worker.py``, ``kernel.py``)."""
        if not (self.landlock_abi or self.seccomp):
            return {}
        # Capabilities are dropped whenever the worker keeps uid 0 (Landlock, not
        # another user, keeps it out then), even in a simulation of a non-root host.
        keeps_root = os.geteuid() == 0 and (self.keeps_uid or not self.root)
        return {"landlock": self.landlock_abi, "seccomp": self.seccomp,
                "drop_caps": keeps_root, "last_cap": _last_cap() if keeps_root else 0,
                "disk_bytes": DISK_BYTES if self.root and self.landlock_abi else 0}

    def audit_hook(self) -> bool:
        """Whether workers install the audit hook (always, but in the test above)."""
        alone = self.landlock_abi >= 6 and self.seccomp
        return not (alone and os.environ.get(WITHOUT_HOOK) == "1")

    def describe(self) -> str:
        """One line for staff: what a worker gets here."""
        parts = [f"Landlock ABI {self.landlock_abi} (files"
                 + (", network" if self.landlock_abi >= 4 else "")
                 + (", signals" if self.landlock_abi >= 6 else "") + ")"
                 if self.landlock_abi else "no Landlock",
                 "seccomp" if self.seccomp else "no seccomp"]
        if self.root:
            parts.append("capabilities dropped" if self.keeps_uid else "user nobody")
            if self.confined:
                parts.append("64 MiB private tmpfs")
        return ", ".join(parts)


def _last_cap() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 40


def _seccomp_available() -> bool:
    if importlib.util.find_spec("pyseccomp") is None:
        return False
    import ctypes

    from .kernel import find_library

    try:  # as the worker will find it
        ctypes.CDLL(find_library("seccomp") or "libseccomp.so.2")
    except OSError:
        return False
    return ctypes.CDLL(None).prctl(21, 0, 0, 0, 0) >= 0  # PR_GET_SECCOMP: built in


# What the full sandbox needs that a host may lack (Windows lacks them all; a module
# name, or os.<name>): without them only `autograder check` runs (``portable.py``).
NEEDED_MODULES = ("pwd", "resource", "fcntl")
NEEDED_CALLS = ("fork", "register_at_fork", "setsid", "killpg")


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


@functools.cache
def missing() -> tuple[str, ...]:
    """What this host lacks of the full sandbox (empty: it has it all)."""
    lacks = [] if sys.platform.startswith("linux") else [f"Linux (this is {sys.platform})"]
    lacks += [f"the {name} module" for name in NEEDED_MODULES if not _importable(name)]
    return (*lacks, *(f"os.{name}" for name in NEEDED_CALLS if not hasattr(os, name)))


@functools.cache
def probe() -> Host:
    """What this host offers (less what ``AUTOGRADER_TEST_HOST`` takes away)."""
    if missing():  # no worker of the full sandbox runs here, whatever the kernel has
        return Host(0, False, False)
    from . import kernel

    host = Host(kernel.landlock_abi(), _seccomp_available(), os.geteuid() == 0)
    for token in filter(None, os.environ.get(SIMULATE, "").split(",")):
        name, _, value = token.strip().partition("=")
        if name == "landlock":
            host = Host(min(host.landlock_abi, int(value)), host.seccomp, host.root)
        elif name == "seccomp" and value == "0":
            host = Host(host.landlock_abi, False, host.root)
        elif name == "user":
            host = Host(host.landlock_abi, host.seccomp, False)
    return host


def _readable_by_others(path: Path) -> bool:
    """Whether a user with no relation to the owners may read ``path``'s files."""
    path = Path(os.path.realpath(path))
    for folder in (path, *path.parents):
        mode = os.stat(folder).st_mode
        if not mode & stat.S_IXOTH or (folder == path and not mode & stat.S_IROTH):
            return False
    return True


def exposed(paths) -> Path | None:
    """The first of ``paths`` a worker could read on this host, or None."""
    host = probe()
    if host.confined:
        return None
    for path in map(Path, paths):
        # Not root: the worker is the grader's own user. Root: it is nobody.
        if path.exists() and (not host.root or _readable_by_others(path)):
            return path
    return None


def refusal(paths) -> str | None:
    """Why grading here would be blind, with the fix, in one line; None if it is not."""
    path = exposed(paths)
    if path is None:
        return None
    fix = (f"make it unreadable to other users (`chmod -R o-rwx {path}`)" if probe().root
           else "run as root with it unreadable to other users")
    return (f"workers could read {path} on this host (it has no Landlock): use a Linux "
            f"kernel 5.13+ with Landlock enabled, or {fix}, or pass {ACCEPT_OPTION} to grade "
            "anyway")


def in_force(ready: dict) -> dict:
    """The ``sandbox`` of a report: the layers the worker said were in force."""
    layers = list(ready.get("layers") or [])
    return {"layers": layers, "confined": "landlock-files" in layers,
            "landlock_abi": probe().landlock_abi}
