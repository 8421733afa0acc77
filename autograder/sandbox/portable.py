"""The self-check's worker on a host without the POSIX sandbox (Windows, macOS, a Linux
Python without ``fork`` or ``resource``).

``autograder grade``, ``batch`` and the runners need what ``host.py`` and ``worker.py``
use (a fork server, resource limits, a sandbox user or Landlock) and refuse without it
(``host.missing``). A student's ``autograder check`` of their own code on their own
machine needs isolation from the grader's state, not from the machine: here it still
runs the student's code in a separate process, started with ``subprocess`` alone
(``portable_worker.py``), which it times out and kills exactly as the full session does,
with the same protocol over the process's standard input and output, and it says which
protections it has (:func:`protections`).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import _ag_protocol as protocol
from .host import missing
from .limits import Limits, worker_environment
from .session import WorkerSession

PORTABLE_WORKER = Path(__file__).with_name("portable_worker.py")
# Words for the layers a portable worker reports (portable_worker.py names them).
LAYER_WORDS = {
    "process": "your code runs in a separate process, stopped at its time limit",
    "rlimits": "memory and processor-time limits",
    "audit-hook": "the grader's audit hook (no other processes, files outside your folder "
                  "refused)",
}


def session_class(mode: str) -> type[WorkerSession]:
    """The session a run in ``mode`` uses: the portable one only for ``check`` on a host
    that lacks the full sandbox (``grade`` has refused before it gets here)."""
    return PortableSession if mode == "check" and missing() else WorkerSession


def protections(layers) -> str:
    """One line for the student: what their self-check runs under."""
    have = [LAYER_WORDS[name] for name in layers if name in LAYER_WORDS]
    return "self-check protections here: " + ("; ".join(have) or "none")


def _copy_sources(source: Path) -> Path:
    """A new folder with copies of the plain ``*.py`` files directly in ``source`` (the
    portable counterpart of ``workspace.create``: no ``O_NOFOLLOW`` or ``dir_fd``)."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-check-"))
    for path in Path(source).iterdir():
        if path.suffix == ".py" and not path.is_symlink() and path.is_file():
            shutil.copyfile(path, folder / path.name)
    return folder


class PortableSession(WorkerSession):
    """:class:`WorkerSession` over a plain subprocess: requests on its stdin, replies on
    its stdout (read by a thread, so every wait has a deadline), prints on its stderr."""

    def __init__(self, folder: Path, limits: Limits, *, deadline: float | None = None):
        super().__init__(folder, limits, deadline=deadline)
        self._replies: queue.Queue = queue.Queue()

    def start(self, *, direct: bool = False) -> None:
        if self._proc is not None:
            return
        self._workspace = _copy_sources(self.folder)
        config = {"memory_bytes": self.limits.memory_mb * 1024 * 1024,
                  "cpu_seconds": int(self.limits.submission_timeout) + 2,
                  "audit_hook": os.name == "posix"}
        flags = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} \
            if os.name == "nt" else {"start_new_session": True}
        env = dict(worker_environment(self._workspace))
        if os.name == "nt":  # Windows needs its own system folder to start Python at all
            env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", r"C:\Windows")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-B", str(PORTABLE_WORKER), json.dumps(config)],
            cwd=self._workspace, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, **flags)
        self._replies = queue.Queue()
        threading.Thread(target=self._read_replies, args=(self._proc.stdout, self._replies),
                         daemon=True).start()
        self._ready = False
        self._drainer = self._capture.drain(self._proc.stderr)

    @staticmethod
    def _read_replies(stream, replies: queue.Queue) -> None:
        """Each message the worker writes, or the exception that ends the stream."""
        def exact(size: int) -> bytes:
            data = stream.read(size)
            if len(data) < size:
                raise EOFError("the worker closed its output")
            return data

        try:
            while True:
                size = int.from_bytes(exact(4), "big")
                if size > protocol.MAX_MESSAGE_BYTES:
                    raise protocol.ProtocolError(
                        f"a reply of {size / 2**20:.0f} MB, more than the grader accepts "
                        f"({protocol.MAX_MESSAGE_BYTES / 2**20:.0f} MB)")
                replies.put(exact(size))
        except (EOFError, OSError, ValueError, protocol.ProtocolError) as exc:
            replies.put(exc if not isinstance(exc, (OSError, ValueError)) else EOFError(str(exc)))

    def _kill(self) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return 0
        killpg = getattr(os, "killpg", None)
        if killpg is not None and os.name == "posix":
            try:  # the worker leads its own session: whatever it started goes too
                killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.kill()
        returncode = proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self._drainer is not None:
            self._drainer.join(1.0)
        shutil.rmtree(self._workspace, ignore_errors=True)
        self._workspace = None
        return returncode

    def _send(self, payload: bytes, deadline: float) -> None:
        failed: list[BaseException] = []

        def write() -> None:
            try:
                self._proc.stdin.write(len(payload).to_bytes(4, "big") + payload)
                self._proc.stdin.flush()
            except (OSError, ValueError) as exc:
                failed.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(max(deadline - time.monotonic(), 0))
        if writer.is_alive():
            raise TimeoutError
        if failed:
            raise BrokenPipeError(str(failed[0]))

    def _receive(self, deadline: float) -> bytes:
        try:
            item = self._replies.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            raise TimeoutError from None
        if isinstance(item, BaseException):
            raise item
        return item
