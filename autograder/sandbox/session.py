"""The grading side of the worker boundary.

A :class:`WorkerSession` owns one worker process at a time for one submission. Each
request has a deadline; a worker that misses it, dies, or answers with something
unreadable is killed together with its whole process group, its private folder is
removed, and a fresh one is started on the next request, so one bad call costs that
call only. A function stopped once for running too long is not called again: each of
its other cases would most likely wait out the limit too, and the submission's time
cap would then cost the student exercises that work.
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import _ag_protocol as protocol
from . import workspace, zygote
from .capture import Capture
from .limits import Limits, sandbox_user, worker_command, worker_config, worker_environment

WORKER = Path(__file__).with_name("worker.py")
# Seconds a worker may take to start (import NumPy, harden itself). Not the student's
# time: no student code has run yet; only the submission's cap bounds it as well.
STARTUP_TIMEOUT = 30.0
# Seconds to read a reply the worker sent in time while the grader was busy past the
# call's deadline (``call(meanwhile=)``): a reply is read in milliseconds, and a worker
# that keeps trickling bytes into the pipe gains no more than this.
READ_GRACE = 0.1


@dataclass(frozen=True)
class Outcome:
    """What one request to the worker came to.

    ``kind`` is ``ok`` (``value`` holds the decoded result), ``error`` (the student's
    code raised; ``error`` holds type, message, traceback), ``missing`` (no such file or
    function), ``timeout`` (``detail``: ``call``, ``submission``, or ``skipped`` for a
    function already stopped once), ``crashed`` (the worker died: ``status`` is its exit
    status, negative for a signal, None when it never started; ``detail`` says how) or
    ``unreadable`` (the worker's answer broke the protocol).
    """

    kind: str
    value: object = None
    error: dict = field(default_factory=dict)
    detail: str = ""
    seconds: float = 0.0
    status: int | None = None


def _describe_exit(returncode: int | None) -> str:
    """The detail of a crash; how it ended is put in words by the judge, from ``status``."""
    if returncode is None:
        return "the grader lost track of how its worker ended (its fork server stopped)"
    return f"the worker ended with status {returncode}"


class WorkerSession:
    """Runs one submission's code, one request at a time, in a sandboxed worker."""

    def __init__(self, folder: Path, limits: Limits, *, deadline: float | None = None):
        self.folder = Path(folder)
        self.limits = limits
        self.deadline = deadline if deadline is not None else (
            time.monotonic() + limits.submission_timeout)
        self._proc: subprocess.Popen | zygote.ForkedWorker | None = None
        self._capture = Capture(limits.output_bytes)
        self._drainer: threading.Thread | None = None
        self._workspace: Path | None = None
        self._ready = False
        self._sent = 0
        self._timeouts: dict[tuple[str, str], int] = {}
        self.restarts = 0
        self.isolation: dict = {}  # what the last worker reported of itself when ready

    # -- process lifecycle -------------------------------------------------------
    def start(self, *, direct: bool = False) -> None:
        """Start a worker (without waiting for it): forked by the fork server, unless
        ``direct`` or there is none."""
        if self._proc is not None:
            return
        user = sandbox_user()
        self._workspace = workspace.create(self.folder, user)
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        try:
            # Forked, and hardened the same way, when a fork server can; else started here.
            if not direct:
                self._proc = zygote.start_worker(self._workspace, req_r, resp_w,
                                                 worker_config(self.limits, user))
            if self._proc is None:
                self._proc = subprocess.Popen(
                    worker_command(sys.executable, WORKER, req_r, resp_w, self.limits, user),
                    cwd=self._workspace, env=worker_environment(self._workspace),
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    pass_fds=(req_r, resp_w), start_new_session=True)
        except BaseException:
            for fd in (req_w, resp_r):
                os.close(fd)
            workspace.remove(self._workspace)
            self._workspace = None
            raise
        finally:
            os.close(req_r)
            os.close(resp_w)
        os.set_blocking(req_w, False)
        self._req, self._resp = req_w, resp_r
        self._ready = False
        self._drainer = self._capture.drain(self._proc.stdout)

    def _kill(self) -> int | None:
        """Kill the worker's whole process group, reap it, remove its folder; returns
        its exit status (None if it was lost with the fork server)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return 0
        for fd in (self._req, self._resp):
            try:
                os.close(fd)
            except OSError:
                pass
        # The worker leads its process group and cannot leave it (a session leader), nor
        # start processes (RLIMIT_NPROC): the group is everything it is.
        if isinstance(proc, zygote.ForkedWorker):
            proc.kill()
        else:
            for kill in (os.killpg, os.kill):
                try:
                    kill(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        returncode = proc.wait()
        if self._drainer is not None:
            self._drainer.join(1.0)
        workspace.remove(self._workspace)
        self._workspace = None
        return returncode

    def close(self) -> None:
        """Stop the worker (if any) and everything it started."""
        self._kill()

    def __enter__(self) -> "WorkerSession":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def output(self) -> str:
        """What the student's code printed, truncated to the configured size, with
        control characters shown as escapes."""
        return self._capture.text()

    # -- requests ------------------------------------------------------------------
    def load(self, module: str) -> Outcome:
        """Import ``module`` from the submission; ``value`` lists its callables."""
        return self._request({"op": "load", "module": module})

    def call(self, module: str, function: str, args=(), kwargs=None, *,
             meanwhile=None) -> Outcome:
        """Call ``module.function(*args, **kwargs)`` in the worker; ``meanwhile()``, if
        given, runs here while the worker does (called only if the call was sent; it
        must not raise)."""
        key = (module, function)
        timeouts = self._timeouts.get(key, 0)
        if timeouts >= 2:
            return Outcome("timeout", detail="skipped")
        budget = self.limits.retry_timeout if timeouts else self.limits.call_timeout
        outcome = self._request({"op": "call", "module": module, "function": function,
                                 "args": list(args), "kwargs": dict(kwargs or {})},
                                budget=min(budget, self.limits.call_timeout),
                                meanwhile=meanwhile)
        if outcome.kind == "timeout" and outcome.detail == "call":
            self._timeouts[key] = timeouts + 1
            if timeouts:
                return Outcome("timeout", detail="retry", seconds=outcome.seconds)
        return outcome

    def _fail(self, kind: str, started: float, detail: str) -> Outcome:
        """Kill the worker after a request went wrong (``kind``); the next one restarts it."""
        self._kill()
        self.restarts += 1
        return Outcome(kind, detail=detail, seconds=time.monotonic() - started)

    def _start_worker(self) -> Outcome | None:
        """Start a worker if none runs and wait until it is ready; an Outcome if it
        could not be."""
        started = time.monotonic()
        self.start()
        if self._ready:
            return None
        if isinstance(self._proc, zygote.ForkedWorker) and not self._proc.forked():
            self._kill()  # the fork server failed: nothing ran; this one starts here
            self.start(direct=True)
        try:
            ready = protocol.decode(self._receive(min(self.deadline, started + STARTUP_TIMEOUT)))
            if not (isinstance(ready, dict) and ready.get("ready") is True):
                raise protocol.ProtocolError("the worker's first message was not 'ready'")
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                return self._fail("timeout", started, detail="submission")
            return self._fail("crashed", started, detail=(
                f"the grader's worker did not start within {STARTUP_TIMEOUT:g} s"))
        except (EOFError, OSError, protocol.ProtocolError) as exc:
            last = self.output.strip().splitlines()[-1:] or [str(exc)]
            return self._fail("crashed", started, detail=(
                f"the grader's worker did not start: {last[0]}"))
        self.isolation = ready
        self._ready = True
        return None

    def _request(self, request: dict, budget: float | None = None,
                 meanwhile=None) -> Outcome:
        if time.monotonic() >= self.deadline:
            return Outcome("timeout", detail="submission")
        failed = self._start_worker()
        if failed is not None:
            return failed
        # The call's time starts now, once the worker is ready.
        started = time.monotonic()
        budget = self.limits.call_timeout if budget is None else budget
        deadline = min(started + budget, self.deadline)
        self._sent += 1
        request["id"] = self._sent
        try:
            self._send(protocol.encode(request), deadline)
            if meanwhile is not None:
                meanwhile()
                # The grader's own work may outlast the call's deadline while the worker
                # answered in time: a moment to read what it sent, and not more.
                deadline = min(max(deadline, time.monotonic() + READ_GRACE), self.deadline)
            reply = protocol.decode(self._receive(deadline))
        except TimeoutError:
            kind = "submission" if deadline >= self.deadline else "call"
            return self._fail("timeout", started, detail=kind)
        except (EOFError, BrokenPipeError, ConnectionError):
            status = self._kill()
            self.restarts += 1
            return Outcome("crashed", detail=_describe_exit(status), status=status,
                           seconds=time.monotonic() - started)
        except protocol.ProtocolError as exc:
            return self._fail("unreadable", started, detail=str(exc))
        if not isinstance(reply, dict) or reply.get("id") != self._sent:
            # A reply to another request (or written by the student's code itself).
            return self._fail("unreadable", started, detail="reply out of order")
        return self._outcome(reply, time.monotonic() - started)

    @staticmethod
    def _outcome(reply: dict, seconds: float) -> Outcome:
        if "ok" not in reply:
            return Outcome("unreadable", detail="reply is not a mapping", seconds=seconds)
        if reply["ok"]:
            return Outcome("ok", value=reply.get("value", reply.get("names")), seconds=seconds)
        error = {k: reply.get(k) for k in ("kind", "type", "mro", "message", "traceback",
                                           "during")}
        kind = "missing" if error["kind"] == "missing" else "error"
        return Outcome(kind, error=error, seconds=seconds)

    # -- the pipes -------------------------------------------------------------------
    @staticmethod
    def _wait(fd: int, events: int, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        poller = select.poll()  # not select(): descriptors above 1023 are fine
        poller.register(fd, events)
        return bool(poller.poll(remaining * 1000))

    def _send(self, payload: bytes, deadline: float) -> None:
        view = memoryview(len(payload).to_bytes(4, "big") + payload)
        while view:
            if self._wait(self._req, select.POLLOUT, deadline):
                try:
                    view = view[os.write(self._req, view):]
                except BlockingIOError:
                    continue

    def _read_exact(self, size: int, deadline: float) -> bytearray:
        buffer = bytearray(size)  # never more than MAX_MESSAGE_BYTES: checked first
        view, got = memoryview(buffer), 0
        while got < size:
            if not self._wait(self._resp, select.POLLIN, deadline):
                continue
            count = os.readv(self._resp, [view[got:got + (1 << 20)]])
            if not count:
                raise EOFError
            got += count
        return buffer

    def _receive(self, deadline: float) -> bytearray:
        size = int.from_bytes(self._read_exact(4, deadline), "big")
        if size > protocol.MAX_MESSAGE_BYTES:
            raise protocol.ProtocolError(
                f"a reply of {size / 2**20:.0f} MB, more than the grader accepts "
                f"({protocol.MAX_MESSAGE_BYTES / 2**20:.0f} MB)")
        return self._read_exact(size, deadline)
