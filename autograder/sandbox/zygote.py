"""Starting workers from a fork server ("zygote"), on the grading process's side.

Starting a worker directly costs a Python start and NumPy's import on every submission
and after every crash or timeout. Instead, each grading process starts one fork server
the first time it needs a worker (``fork_server.py``: the worker script, started like
a worker, which has imported what a worker imports and nothing else) and asks it for
each worker. The forked child then hardens itself exactly as a worker started directly
does, in the same order, before any student code runs.

:func:`start_worker` returns None when there is no working server (it could not start,
or stopped answering): the session then starts its worker directly, as before. A server
belongs to the process that started it: a process forked from that one (a pool) starts
its own, and the server exits, killing the workers it still has, when the grading
process ends.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from .limits import worker_environment, zygote_command

WORKER = Path(__file__).with_name("worker.py")
# Seconds for any answer of the server: its start (~0.1 s), a fork, the exit status of
# a killed worker. Past it, the server is not used again.
TIMEOUT = 10.0
MAX_REPLY = 1 << 16


class ZygoteError(Exception):
    """The fork server could not do what was asked."""


class Zygote:
    """One fork server process and the socket to it.

    Requests are sent at once and answered in order, so a fork can be asked for while
    the server is still importing NumPy (and the grading process does its own start-up
    meanwhile); each reply is collected when it is needed.
    """

    def __init__(self, user: list[int] | None, weights: bool = True):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                zygote_command(sys.executable, WORKER, theirs.fileno(), user, weights),
                cwd="/", env=worker_environment(Path("/")), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), start_new_session=True)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.owner = os.getpid()
        self.ready = False   # it said so (its first reply, to "ticket" 0)
        self._sock = ours
        self._lock = threading.Lock()
        self._broken = False
        self._sent, self._received, self._replies = 1, 0, {}

    def alive(self) -> bool:
        return not self._broken and self.process.poll() is None

    def spawn(self, fds: tuple[int, int, int], config: dict) -> int:
        """Ask for a worker with ``fds`` (request, reply, output) and ``config``; a
        ticket for :meth:`pid`."""
        return self._send({"op": "spawn", "config": config}, fds)

    def pid(self, ticket: int) -> int:
        """The pid of the worker forked for ``ticket`` (waiting for it)."""
        reply = self._reply(ticket)
        pid = reply.get("pid")
        if type(pid) is not int or pid <= 0:
            raise ZygoteError(str(reply.get("error", "no pid in the fork server's reply")))
        return pid

    def status(self, pid: int) -> int | None:
        """Reap the worker ``pid`` (killed before: this waits for it); its exit status."""
        status = self._reply(self._send({"op": "status", "pid": pid}, ())).get("status")
        return status if type(status) is int else None

    def _send(self, request: dict, fds) -> int:
        with self._lock:
            self._check()
            try:
                socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
            except OSError as exc:
                self._fail(exc)
            self._sent += 1
            return self._sent - 1

    def _reply(self, ticket: int) -> dict:
        with self._lock:
            while ticket not in self._replies:
                self._check()
                try:
                    self._sock.settimeout(TIMEOUT)
                    data = self._sock.recv(MAX_REPLY)
                    if not data:
                        raise ZygoteError("it ended")
                    reply = json.loads(data)
                    if not isinstance(reply, dict):
                        raise ZygoteError("its reply is not a mapping")
                except (OSError, ValueError, ZygoteError) as exc:
                    self._fail(exc)
                if self._received == 0:
                    if reply.get("ready") is not True:
                        self._fail("its first message was not 'ready'")
                    self.ready = True
                else:
                    self._replies[self._received] = reply
                self._received += 1
            return self._replies.pop(ticket)

    def _check(self) -> None:
        if self._broken:
            raise ZygoteError("the fork server is no longer used")

    def _fail(self, why) -> None:
        # Out of step, or gone: whatever it says next cannot be trusted.
        self._stop()
        raise ZygoteError(f"the fork server failed: {why}")

    def _stop(self, grace: float = 1.0) -> None:
        """Close the socket: the server kills the workers it still has, and exits."""
        self._broken = True
        self._sock.close()
        if self.owner != os.getpid():
            return  # another process's server: closing our copy is all there is to do
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        with self._lock:
            self._stop(grace=5.0)


class ForkedWorker:
    """A worker asked of a fork server: the parts of ``subprocess.Popen`` a session
    uses, once :meth:`forked` said it exists."""

    def __init__(self, zygote: Zygote, ticket: int, stdout):
        self.zygote, self.stdout = zygote, stdout
        self._ticket, self._pid, self._pidfd = ticket, None, None

    def forked(self) -> bool:
        """Whether the server forked it (waiting for its answer); if not, nothing runs."""
        if self._pid is None and self._ticket is not None:
            ticket, self._ticket = self._ticket, None
            try:
                self._pid = self.zygote.pid(ticket)
            except ZygoteError:
                return False
            try:
                # Names this very process even if the server dies and another reaps it.
                self._pidfd = os.pidfd_open(self._pid)
            except (AttributeError, OSError):
                self._pidfd = None
        return self._pid is not None

    def kill(self) -> None:
        """SIGKILL the worker and its process group (which it leads)."""
        if not self.forked():
            return
        if self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except OSError:
                pass
        # While the server lives the worker is not reaped, so its pid is still its own.
        if self._pidfd is None or self.zygote.alive():
            for kill in (os.killpg, os.kill):
                try:
                    kill(self._pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def wait(self) -> int | None:
        """The exit status (negative: a signal), or None when the server that knew it
        stopped."""
        if not self.forked():
            return None
        try:
            return self.zygote.status(self._pid)
        except ZygoteError:
            return None
        finally:
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None


_lock = threading.Lock()
_servers: dict[tuple, Zygote] = {}   # one per (hardened, user, kernel): what it prepared for
_unavailable: set[tuple] = set()     # could not start here: not tried again


def _server(config: dict, weights: bool = True) -> Zygote | None:
    key = (config["hardened"], json.dumps(config["user"]),
           json.dumps(config.get("kernel"), sort_keys=True))
    with _lock:
        zygote = _servers.pop(key, None)
        if zygote is not None and zygote.owner == os.getpid() and zygote.alive():
            _servers[key] = zygote
            return zygote
        if zygote is not None:
            zygote._stop()
            if not zygote.ready:
                _unavailable.add(key)  # it could not start here: it will not next time
        if key in _unavailable:
            return None
        try:
            _servers[key] = Zygote(config["user"], weights)
        except OSError:
            _unavailable.add(key)
            return None
        return _servers[key]


def start_worker(folder: Path, fd_in: int, fd_out: int, config: dict) -> ForkedWorker | None:
    """Ask the fork server for a worker in ``folder`` with the pipe ends ``fd_in`` and
    ``fd_out`` and ``config`` (``limits.worker_config``); None if there is no server.
    Whether it was forked is known from :meth:`ForkedWorker.forked`."""
    zygote = _server(config)
    if zygote is None:
        return None
    out_r, out_w = os.pipe()
    try:
        ticket = zygote.spawn((fd_in, fd_out, out_w), dict(
            config, folder=str(folder), env=worker_environment(folder)))
    except ZygoteError:
        os.close(out_r)
        return None
    finally:
        os.close(out_w)  # sent: the server holds its own copy until it has forked
    return ForkedWorker(zygote, ticket, open(out_r, "rb"))


def prestart(weights: bool = True) -> None:
    """Start this process's fork server now, before the grading process imports pytest,
    NumPy and the course: the server's own start (a Python, NumPy, the weights) then runs
    on another core meanwhile instead of being waited for at the first case. Only the
    host decides which server a worker needs (``_server``), so the first session finds
    this one; if none can start here, the session starts its workers directly, as before.
    ``weights=False`` where nothing graded runs the real model (it costs the server 0.25
    s): a worker that needs it after all reads it itself.
    """
    if not hasattr(os, "register_at_fork"):   # Windows: no fork server there
        return
    from .limits import Limits, sandbox_user, worker_config

    try:
        _server(worker_config(Limits(), sandbox_user()), weights)
    except Exception:  # noqa: BLE001 - only a head start: the session tries again
        pass


def shutdown() -> None:
    """Stop this process's fork servers (and any worker they still have); the next
    worker starts a new one."""
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for zygote in servers:
        zygote.close()


def _forget_after_fork() -> None:
    # In a forked child: the servers are the parent's. Close only this copy of their
    # sockets, so that they still end when the parent does.
    global _lock
    _lock = threading.Lock()
    for zygote in _servers.values():
        zygote._broken = True
        zygote._sock.close()
    _servers.clear()


if hasattr(os, "register_at_fork"):  # absent on Windows, where no fork server runs
    os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(shutdown)
