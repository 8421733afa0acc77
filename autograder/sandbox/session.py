"""The grading side of the worker boundary.

A :class:`WorkerSession` owns one worker process at a time for one submission. Each
request has a deadline; a worker that misses it, dies, or answers with something
unreadable is killed together with its whole process group and replaced on the next
request, so one bad call costs that call only.
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
from .limits import Limits, worker_command, worker_environment, worker_user

WORKER = Path(__file__).with_name("worker.py")


@dataclass(frozen=True)
class Outcome:
    """What one request to the worker came to.

    ``kind`` is ``ok`` (``value`` holds the decoded result), ``error`` (the student's
    code raised; ``error`` holds type, message, traceback), ``missing`` (no such file or
    function), ``timeout``, ``crashed`` (the worker died; ``detail`` says how) or
    ``unreadable`` (the worker's answer broke the protocol).
    """

    kind: str
    value: object = None
    error: dict = field(default_factory=dict)
    detail: str = ""
    seconds: float = 0.0


class _Output:
    """Keeps the first ``limit`` bytes a worker prints and counts the rest."""

    def __init__(self, stream, limit: int):
        self.kept = bytearray()
        self.dropped = 0
        self._limit = limit
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream) -> None:
        while chunk := stream.read1(65536):
            room = self._limit - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        stream.close()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if -returncode == signal.SIGKILL:
            return f"the process was killed ({name}), often because it ran out of memory"
        return f"the process was stopped by {name}"
    return f"the process exited with code {returncode}"


class WorkerSession:
    """Runs one submission's code, one request at a time, in a sandboxed worker."""

    def __init__(self, folder: Path, limits: Limits, *, deadline: float | None = None):
        self.folder = Path(folder)
        self.limits = limits
        self.deadline = deadline if deadline is not None else (
            time.monotonic() + limits.submission_timeout)
        self._proc: subprocess.Popen | None = None
        self._output: list[_Output] = []
        self.restarts = 0

    # -- process lifecycle -------------------------------------------------------
    def start(self) -> None:
        if self._proc is not None:
            return
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        try:
            self._proc = subprocess.Popen(
                worker_command(sys.executable, WORKER, req_r, resp_w, self.limits),
                cwd=self.folder, env=worker_environment(self.folder),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(req_r, resp_w), start_new_session=True, **worker_user(self.folder))
        finally:
            os.close(req_r)
            os.close(resp_w)
        os.set_blocking(req_w, False)
        self._req, self._resp = req_w, resp_r
        self._output.append(_Output(self._proc.stdout, self.limits.output_bytes))

    def _kill(self) -> int:
        """Kill the worker's whole process group and reap it; returns its exit status."""
        proc, self._proc = self._proc, None
        if proc is None:
            return 0
        for fd in (self._req, self._resp):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        returncode = proc.wait()
        self._output[-1].join(1.0)
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
        """What the student's code printed, truncated to the configured size."""
        kept = b"".join(bytes(o.kept) for o in self._output)[:self.limits.output_bytes]
        dropped = sum(o.dropped for o in self._output)
        text = kept.decode("utf-8", "replace")
        return text + (f"\n[... {dropped} more bytes of output not kept]" if dropped else "")

    # -- requests ------------------------------------------------------------------
    def load(self, module: str) -> Outcome:
        """Import ``module`` from the submission; ``value`` lists its callables."""
        return self._request({"op": "load", "module": module})

    def call(self, module: str, function: str, args=(), kwargs=None) -> Outcome:
        """Call ``module.function(*args, **kwargs)`` in the worker."""
        return self._request({"op": "call", "module": module, "function": function,
                              "args": list(args), "kwargs": dict(kwargs or {})})

    def _request(self, request: dict) -> Outcome:
        started = time.monotonic()
        budget = min(self.limits.call_timeout, self.deadline - started)
        if budget <= 0:
            return Outcome("timeout", detail="submission", seconds=0.0)
        self.start()
        deadline = started + budget
        try:
            self._send(protocol.encode(request), deadline)
            reply = protocol.decode(self._receive(deadline))
        except TimeoutError:
            self._kill()
            self.restarts += 1
            kind = "submission" if deadline >= self.deadline else "call"
            return Outcome("timeout", detail=kind, seconds=time.monotonic() - started)
        except (EOFError, BrokenPipeError, ConnectionError):
            status = self._kill()
            self.restarts += 1
            return Outcome("crashed", detail=_describe_exit(status),
                           seconds=time.monotonic() - started)
        except protocol.ProtocolError as exc:
            self._kill()
            self.restarts += 1
            return Outcome("unreadable", detail=str(exc), seconds=time.monotonic() - started)
        return self._outcome(reply, time.monotonic() - started)

    @staticmethod
    def _outcome(reply, seconds: float) -> Outcome:
        if not isinstance(reply, dict) or "ok" not in reply:
            return Outcome("unreadable", detail="reply is not a mapping", seconds=seconds)
        if reply["ok"]:
            return Outcome("ok", value=reply.get("value", reply.get("names")), seconds=seconds)
        error = {k: reply.get(k) for k in ("kind", "type", "mro", "message", "traceback",
                                           "during")}
        kind = "missing" if error["kind"] == "missing" else "error"
        return Outcome(kind, error=error, seconds=seconds)

    def _send(self, payload: bytes, deadline: float) -> None:
        view = memoryview(len(payload).to_bytes(4, "big") + payload)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            _, ready, _ = select.select([], [self._req], [], remaining)
            if ready:
                try:
                    view = view[os.write(self._req, view):]
                except BlockingIOError:
                    continue

    def _receive_exact(self, size: int, deadline: float) -> bytes:
        chunks, remaining = [], size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._resp], [], [], wait)
            if not ready:
                continue
            chunk = os.read(self._resp, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float) -> bytes:
        size = int.from_bytes(self._receive_exact(4, deadline), "big")
        if size > protocol.MAX_MESSAGE_BYTES:
            raise protocol.ProtocolError(f"reply of {size} bytes exceeds the limit")
        return self._receive_exact(size, deadline)
