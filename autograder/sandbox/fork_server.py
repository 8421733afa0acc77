"""The fork server ("zygote"): starts workers by forking, so each skips Python's start.

The worker script runs this (``worker.py --zygote FD CONFIG``) once per grading
process, after it has imported NumPy and the rest of what a worker imports, and before
anything that hardens a worker: the server installs no audit hook, drops no privileges,
applies no limits, and never runs student code. It answers the grading process
(``zygote.py``) over a Unix socket, one request at a time:

- ``spawn``, carrying three descriptors (the worker's request pipe, its reply pipe, its
  output pipe) and the worker's config: it forks a child, which becomes a worker exactly
  as one started directly would be (see :func:`_become_worker`), and answers its pid;
- ``status`` of a pid it forked: it reaps that child and answers its exit status
  (negative: the signal that ended it).

A child is reaped only when the grading process asks for its status, which it does
after it has killed the child's process group: until then the pid cannot be reused, so
that kill cannot hit another process. When the grading process goes (its end of the
socket closes), the server kills every child it has not reaped, and exits.

Like the worker, it uses the standard library only and nothing of the ``autograder``
package.
"""
import json
import os
import signal
import socket
import sys

MAX_REQUEST = 1 << 16


def serve(fd: int):
    """Serve on the socket ``fd``; returns only in a forked child: its ``(fd_in, fd_out,
    config)``. The server itself exits here when the grading process goes."""
    server = os.getpid()
    sock = socket.socket(fileno=fd)
    children: set[int] = set()
    worker = None
    try:
        sock.sendall(json.dumps({"ready": True, "pid": server}).encode())
        worker = _loop(sock, children)
    except BaseException:  # noqa: B036 - whatever went wrong, the children go with it
        if os.getpid() != server:
            os._exit(1)
    if worker is not None and os.getpid() != server:
        return worker
    _stop(children)
    os._exit(0)


def _loop(sock: socket.socket, children: set[int]):
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(sock, MAX_REQUEST, 3)
        except ConnectionError:
            return None
        if not data:
            for fd in fds:
                os.close(fd)
            return None
        try:
            request = json.loads(data)
            op = request["op"]
        except (ValueError, TypeError, KeyError):
            op = None
        if op == "spawn" and len(fds) == 3:
            try:
                pid = os.fork()
            except OSError as exc:
                reply = {"error": f"fork failed: {exc}"}
            else:
                if pid == 0:
                    return _become_worker(sock, fds, request["config"])
                children.add(pid)
                reply = {"pid": pid}
        elif op == "status" and request.get("pid") in children:
            reply = {"status": _reap(children, request["pid"])}
        else:
            reply = {"error": f"unknown request {str(op)[:40]!r}"}
        # The server's copies go at once: a worker's pipes must end when the worker does.
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps(reply).encode())


def _reap(children: set[int], pid: int) -> int | None:
    children.discard(pid)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def _stop(children: set[int]) -> None:
    for pid in children:  # each leads a process group of its own, and is not reaped yet
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass


def _become_worker(sock: socket.socket, fds: list[int], config: dict):
    """In the child: become what ``session.py`` would have started, in the same state:
    its own session and process group, only its pipes open (the output on 1 and 2,
    /dev/null on 0), the worker's folder as the current one, the worker's environment."""
    try:
        os.setsid()
        sock.close()  # never reachable from student code: it could ask for more forks
        fd_in, fd_out, output = fds
        os.dup2(output, 1)
        os.dup2(output, 2)
        keep = sorted({0, 1, 2, fd_in, fd_out})
        low = 0
        for fd in keep:
            if low < fd:  # closerange(n, n) would close everything from n on
                os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, os.sysconf("SC_OPEN_MAX"))
        os.chdir(config["folder"])
        os.environ.clear()
        os.environ.update(config["env"])
        if "numpy.random" in sys.modules:  # preloaded: do not share the server's state
            sys.modules["numpy.random"].seed()
        return fd_in, fd_out, config
    except BaseException as exc:  # noqa: B036 - never back into the server's loop
        try:
            os.write(2, f"the fork server could not start a worker: {exc!r}\n".encode())
        finally:
            os._exit(1)
