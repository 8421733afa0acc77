"""Workers forked from the fork server ("zygote"): hardened exactly like workers started
directly, their ends reported faithfully, and nothing of them or of the server left
once the grading process is gone, even when the server itself dies first.

Each test checks that its worker really was forked by a server (its parent is a
``worker.py --zygote`` process), so that a silent fallback to starting workers directly
cannot make it pass.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograder.sandbox import zygote as zygote_module
from autograder.sandbox.limits import Limits
from autograder.sandbox.session import WorkerSession

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(call_timeout=2, submission_timeout=30, memory_mb=512, output_kb=4)
PROBE = """
    import os, resource, signal, sys
    def inspect(outside):
        refused = []
        for path in (outside, "../solutions/softmax.py", os.path.join(outside, "..", "x")):
            try:
                open(path).close()
            except PermissionError as exc:
                refused.append(str(exc).startswith("sandbox:"))
        descriptors = []
        for fd in range(256):
            try:
                os.fstat(fd)
                descriptors.append(fd)
            except OSError:
                pass
        return {"uid": os.getuid(), "groups": len(os.getgroups()), "refused": refused,
                "descriptors": descriptors, "argv": [int(sys.argv[1]), int(sys.argv[2])],
                "leader": os.getsid(0) == os.getpid() == os.getpgid(0),
                "cwd": os.getcwd(), "environment": dict(os.environ),
                "nproc": list(resource.getrlimit(resource.RLIMIT_NPROC)),
                "ctypes": "ctypes" in sys.modules}
    def draw():
        import random
        import numpy as np
        return [random.random(), float(np.random.random())]
    def fine():
        return 7
    def spin():
        while True:
            pass
    def die_with_code_3():
        os._exit(3)
    def die_by_sigkill():
        os.kill(os.getpid(), signal.SIGKILL)
    def die_by_abort():
        os.abort()
"""


def session_for(tmp_path: Path) -> WorkerSession:
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "probe.py").write_text(textwrap.dedent(PROBE))
    return WorkerSession(folder, LIMITS)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def parent_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def zygote_of(session: WorkerSession) -> int:
    """The pid of the server the session's current worker was forked by."""
    parent = parent_of(session.isolation["pid"])
    assert "worker.py --zygote" in cmdline(parent), "the worker was not forked by a zygote"
    assert parent != os.getpid()
    return parent


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether ``pid`` is gone (or a zombie nobody reaps) within ``within`` seconds."""
    stop = time.monotonic() + within
    while time.monotonic() < stop:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_a_forked_worker_is_hardened_like_one_started_directly(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    with session_for(tmp_path) as session:
        seen = session.call("probe", "inspect", (str(outside),)).value
        zygote_of(session)
        layers = session.isolation["layers"]
        folder = seen["cwd"]
        assert Path(folder, "probe.py").exists() and Path(folder) != tmp_path / "submission"
    assert seen["refused"] == [True, True, True]
    assert seen["leader"] and seen["nproc"] == [0, 0] and not seen["ctypes"]
    # Only its own pipes: not the server's socket, not another worker's descriptors.
    assert seen["descriptors"] == sorted({0, 1, 2, *seen["argv"]})
    assert seen["environment"]["HOME"] == seen["environment"]["TMPDIR"] == folder
    assert seen["environment"]["OPENBLAS_NUM_THREADS"] == "1"
    if os.geteuid() == 0:
        # Another user, or (where Landlock confines it) uid 0 without any capability.
        assert (seen["uid"] != 0 and seen["groups"] == 0) or "no-capabilities" in layers


def test_forked_workers_do_not_share_random_state(tmp_path):
    with session_for(tmp_path) as first, session_for(tmp_path) as second:
        draws = [first.call("probe", "draw").value, second.call("probe", "draw").value]
        assert zygote_of(first) == zygote_of(second)
    assert draws[0][0] != draws[1][0] and draws[0][1] != draws[1][1]


@pytest.mark.parametrize("function, status", [
    ("die_with_code_3", 3),
    ("die_by_sigkill", -signal.SIGKILL),
    ("die_by_abort", -signal.SIGABRT),
])
def test_how_a_forked_worker_ended_is_reported_faithfully(tmp_path, function, status):
    with session_for(tmp_path) as session:
        assert session.call("probe", "fine").value == 7
        zygote_of(session)
        died = session.call("probe", function)
        assert died.kind == "crashed" and died.status == status, died
        assert session.call("probe", "fine").value == 7  # in a fresh worker


def test_a_worker_outlives_its_dead_zygote_only_until_its_deadline(tmp_path):
    with session_for(tmp_path) as session:
        assert session.call("probe", "fine").value == 7
        worker, zygote = session.isolation["pid"], zygote_of(session)
        os.kill(zygote, signal.SIGKILL)
        assert gone(zygote)
        stopped = session.call("probe", "spin")
        assert stopped.kind == "timeout" and stopped.detail == "call"
        assert gone(worker)
        # The next worker comes from a new server.
        assert session.call("probe", "fine").value == 7
        assert zygote_of(session) != zygote


def test_when_no_zygote_can_start_workers_are_started_directly(tmp_path, monkeypatch):
    monkeypatch.setattr(zygote_module, "_servers", {})
    monkeypatch.setattr(zygote_module, "_unavailable", set())
    monkeypatch.setattr(zygote_module, "zygote_command",
                        lambda *args: [sys.executable, "-c", "raise SystemExit(5)"])
    for _ in range(2):  # the second does not try again
        with session_for(tmp_path) as session:
            assert session.call("probe", "fine").value == 7
            assert parent_of(session.isolation["pid"]) == os.getpid()
            died = session.call("probe", "die_with_code_3")
            assert died.kind == "crashed" and died.status == 3
    assert not zygote_module._servers and len(zygote_module._unavailable) == 1


def test_a_process_forked_from_the_grader_uses_a_zygote_of_its_own(tmp_path):
    with session_for(tmp_path) as session:
        session.call("probe", "fine")
        ours = zygote_of(session)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child
        try:
            with session_for(tmp_path) as session:
                session.call("probe", "fine")
                os.write(write, str(zygote_of(session)).encode())
        finally:
            os._exit(0)
    os.close(write)
    theirs = int(os.read(read, 100) or 0)
    os.close(read)
    os.waitpid(child, 0)
    assert theirs and theirs != ours
    assert gone(theirs)  # its grading process ended
    with session_for(tmp_path) as session:  # ours still serves us
        session.call("probe", "fine")
        assert zygote_of(session) == ours


def test_a_grade_run_leaves_no_zygote_and_no_worker_behind(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    for source in (ROOT / "solutions").iterdir():
        if source.suffix in (".py", ".yaml"):
            (submission / source.name).write_bytes(source.read_bytes())
    with open(submission / "softmax.py", "a") as file:
        file.write("\nimport os as _os\nprint('WORKER', _os.getpid(), _os.getppid())\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    grader = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", str(submission), "--format", "json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = grader.communicate(timeout=120)
    assert grader.returncode == 0, err
    worker, parent = map(int, json.loads(out)["output"].split("WORKER ")[1].split()[:2])
    assert parent != grader.pid  # forked by the server, not started by the grader
    assert gone(worker) and gone(parent)
    leftover = [p.name for p in Path("/proc").iterdir()
                if p.name.isdigit() and f'"grader": {grader.pid}' in cmdline(int(p.name))]
    assert not leftover


def test_killing_the_grading_process_takes_its_zygote_and_workers_with_it(tmp_path):
    session_for(tmp_path)  # writes the probe
    script = textwrap.dedent(f"""
        import sys, threading, time
        from pathlib import Path
        from autograder.sandbox.limits import Limits
        from autograder.sandbox.session import WorkerSession
        session = WorkerSession(Path({str(tmp_path / "submission")!r}),
                                Limits(call_timeout=60, submission_timeout=120))
        session.call("probe", "fine")
        print(session.isolation["pid"], flush=True)
        session.call("probe", "spin")  # killed before it times out
    """)
    grader = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        worker = int(grader.stdout.readline())
        zygote = parent_of(worker)
        assert "worker.py --zygote" in cmdline(zygote)
        time.sleep(0.2)  # let it enter the loop
    finally:
        grader.kill()
        grader.wait()
    assert gone(zygote) and gone(worker)


def test_a_fork_server_started_without_the_model_still_grades_the_capstone():
    """A pool that grades no capstone starts its fork server without reading the model
    (prestart(weights=False)); a worker that needs it after all reads it itself."""
    from autograder.course.loader import load_course
    from autograder.grading.engine import grade

    zygote_module.shutdown()
    try:
        zygote_module.prestart(weights=False)
        (server,) = zygote_module._servers.values()
        assert '"weights": false' in server.process.args[-1]   # its JSON config
        course = load_course(ROOT / "course.yaml")
        report = grade(course, ROOT / "solutions", assignments=["capstone"])
        assert report.score == report.max_score > 0
        assert list(zygote_module._servers.values()) == [server]   # the same one served
    finally:
        zygote_module.shutdown()
