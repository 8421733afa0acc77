"""The worker session: deadlines, crashes, restarts, output, and what a reply may be.

Each test runs a tiny module of its own in a real worker, with small limits.
"""
from __future__ import annotations

import os
import signal
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.printed import MARKS
from autograder.sandbox.limits import Limits
from autograder.sandbox.session import WorkerSession

LIMITS = Limits(call_timeout=1, submission_timeout=30, memory_mb=512, output_kb=4)


def session_for(tmp_path: Path, source: str, limits: Limits = LIMITS) -> WorkerSession:
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "probe.py").write_text(textwrap.dedent(source))
    return WorkerSession(folder, limits)


def test_a_call_past_its_limit_is_stopped_and_the_next_call_runs_in_a_fresh_worker(tmp_path):
    source = """
        import signal
        def spin():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                pass
        def fine():
            return 7
    """
    with session_for(tmp_path, source) as session:
        started = time.monotonic()
        stopped = session.call("probe", "spin")
        assert stopped.kind == "timeout" and stopped.detail == "call"
        assert time.monotonic() - started < LIMITS.call_timeout + 10
        assert session.call("probe", "fine").value == 7
        assert session.restarts == 1


def test_a_function_stopped_twice_is_not_run_again(tmp_path):
    source = """
        def spin(x):
            while True:
                pass
    """
    limits = Limits(call_timeout=2, retry_timeout=0.3, submission_timeout=30, memory_mb=512)
    with session_for(tmp_path, source, limits) as session:
        assert session.call("probe", "spin", (1,)).detail == "call"
        started = time.monotonic()
        retry = session.call("probe", "spin", (2,))
        assert retry.kind == "timeout" and retry.detail == "retry"
        assert time.monotonic() - started < limits.call_timeout  # the shorter retry budget
        again = session.call("probe", "spin", (3,))
        assert again.kind == "timeout" and again.detail == "skipped" and again.seconds == 0
        assert session.restarts == 2


def test_a_function_that_hangs_on_one_input_still_runs_its_other_cases(tmp_path):
    source = """
        def sometimes(x):
            while x == 0:
                pass
            return x
    """
    with session_for(tmp_path, source) as session:
        assert session.call("probe", "sometimes", (0,)).detail == "call"
        assert [session.call("probe", "sometimes", (n,)).value for n in (1, 2, 3)] == [1, 2, 3]


def test_the_submission_cap_ends_every_later_request(tmp_path):
    source = """
        def spin():
            while True:
                pass
        def fine():
            return 1
    """
    limits = Limits(call_timeout=5, submission_timeout=1, memory_mb=512, output_kb=4)
    with session_for(tmp_path, source, limits) as session:
        assert session.call("probe", "spin").detail == "submission"
        late = session.call("probe", "fine")
        assert late.kind == "timeout" and late.detail == "submission"


@pytest.mark.parametrize("ending, status", [
    ("import os; os._exit(3)", 3),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", -signal.SIGKILL),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", -signal.SIGSEGV),
])
def test_a_worker_that_dies_mid_call_is_reported_with_its_exit_status(tmp_path, ending, status):
    source = f"""
        def die():
            {ending}
        def fine():
            return 2
    """
    with session_for(tmp_path, source) as session:
        died = session.call("probe", "die")
        assert died.kind == "crashed" and died.status == status
        assert session.call("probe", "fine").value == 2


def test_sys_exit_in_a_call_is_an_error_not_a_crash(tmp_path):
    with session_for(tmp_path, "def leave():\n    raise SystemExit(4)\n") as session:
        outcome = session.call("probe", "leave")
        assert outcome.kind == "error" and outcome.error["kind"] == "exit"
        assert outcome.error["message"] == "exit code 4"


def test_running_out_of_memory_is_a_memory_error_and_the_worker_survives(tmp_path):
    source = """
        import numpy as np
        hoard = []
        def grow():
            while True:
                hoard.append(np.empty(2**24))  # 128 MB of address space each
        def fine():
            hoard.clear()
            return 5
    """
    with session_for(tmp_path, source) as session:
        outcome = session.call("probe", "grow")
        assert outcome.kind == "error" and outcome.error["type"] == "MemoryError"
        assert session.call("probe", "fine").value == 5


def test_a_flood_of_output_is_truncated_and_control_characters_are_escaped(tmp_path):
    source = """
        import sys
        def shout():
            sys.stdout.write("\\x1b[2J\\rTotal: 100 / 100\\n")
            for _ in range(2000):
                sys.stdout.write("x" * 10000)
            return 1
    """
    with session_for(tmp_path, source) as session:
        assert session.call("probe", "shout").value == 1
    output = MARKS.sub("", session.output)    # the worker's marks of what each call printed
    assert "\x1b" not in output and "\r" not in output
    assert output.startswith("\\x1b[2J\\x0dTotal: 100 / 100\n")
    kept, _, note = output.partition("\n[... ")
    assert len(kept.encode()) <= LIMITS.output_bytes + 20
    # each mark holds two record separators, each shown as 4 characters for 1 byte
    marks = sum(len(m.group(0)) - 6 for m in MARKS.finditer(session.output))
    printed = marks + len("\x1b[2J\rTotal: 100 / 100\n") + 2000 * 10000
    assert note.startswith(f"{printed - LIMITS.output_bytes} more bytes")


def test_a_reply_claiming_more_than_the_limit_is_refused_unread(tmp_path):
    source = """
        import os, sys
        def lie():
            os.write(int(sys.argv[2]), (2**31).to_bytes(4, "big"))
            while True:
                pass
    """
    with session_for(tmp_path, source) as session:
        outcome = session.call("probe", "lie")
        # Refused on its length alone: not read, and not waited for until the timeout.
        assert outcome.kind == "unreadable" and "more than the grader accepts" in outcome.detail
        assert outcome.seconds < LIMITS.call_timeout


def test_a_reply_written_by_the_student_out_of_turn_is_refused(tmp_path):
    source = """
        import os, sys
        sys.path.insert(0, os.getcwd())
        def forge():
            import __main__
            fake = __main__._protocol.encode({"ok": True, "value": 1.0, "id": 999})
            __main__._protocol.write_message(int(sys.argv[2]), fake)
            return 0.0
    """
    with session_for(tmp_path, source) as session:
        outcome = session.call("probe", "forge")
        assert outcome.kind == "unreadable" and outcome.detail == "reply out of order"


def test_the_workers_folder_is_a_private_copy_removed_when_the_worker_ends(tmp_path):
    source = """
        import os
        def where():
            open("left-behind.txt", "w").write("x")
            os.mkdir("locked", 0)
            return os.getcwd()
        def die():
            os._exit(1)
    """
    with session_for(tmp_path, source) as session:
        first = session.call("probe", "where").value
        assert Path(first) != tmp_path / "submission" and Path(first, "probe.py").exists()
        session.call("probe", "die")
        assert not os.path.exists(first)
        second = session.call("probe", "where").value
    assert not os.path.exists(second)
    assert sorted(p.name for p in (tmp_path / "submission").iterdir()) == ["probe.py"]


def test_arguments_arrive_read_only_and_results_come_back_as_fresh_arrays(tmp_path):
    source = """
        import numpy as np
        class Agreeable(np.ndarray):
            def __eq__(self, other):
                return True
        def echo(x):
            assert not x.flags.writeable
            return np.zeros_like(x).view(Agreeable)
    """
    with session_for(tmp_path, source) as session:
        value = session.call("probe", "echo", (np.arange(3.0),)).value
    assert type(value) is np.ndarray and not value.flags.writeable
    assert not (value == np.arange(3.0)).all()


def test_what_the_grader_does_meanwhile_runs_while_the_worker_runs(tmp_path):
    """``meanwhile`` (the reference of a hidden case, worked out beside the student's
    call) overlaps the call; a reply that was there before the grader came back for it
    counts, even past the call's deadline."""
    source = """
        import time
        def slow():
            time.sleep(1.0)
            return 1
        def quick():
            return 2
    """
    limits = Limits(call_timeout=2, submission_timeout=30, memory_mb=512)
    with session_for(tmp_path, source, limits) as session:
        assert session.load("probe").kind == "ok"
        started = time.monotonic()
        outcome = session.call("probe", "slow", meanwhile=lambda: time.sleep(1.0))
        assert outcome.kind == "ok" and outcome.value == 1
        assert time.monotonic() - started < 1.8     # not 2 s one after the other
        late = session.call("probe", "quick",
                            meanwhile=lambda: time.sleep(limits.call_timeout + 0.5))
        assert late.kind == "ok" and late.value == 2 and session.restarts == 0


def test_a_worker_that_trickles_its_reply_past_the_deadline_is_stopped_there(tmp_path):
    """The grace after ``meanwhile`` is for reading a reply sent in time, not a way for
    student code that writes into the reply pipe byte by byte to outlive its limit."""
    source = """
        import os, time, __main__
        def trickle():
            fd = __main__._fd_out
            os.write(fd, (60 << 20).to_bytes(4, "big"))
            while True:     # a byte at a time, so that one is nearly always waiting
                os.write(fd, b"x")
    """
    with session_for(tmp_path, source) as session:
        assert session.load("probe").kind == "ok"
        for meanwhile in (None, lambda: time.sleep(LIMITS.call_timeout + 0.3)):
            started = time.monotonic()
            outcome = session.call("probe", "trickle", meanwhile=meanwhile)
            assert outcome.kind == "timeout" and outcome.detail in ("call", "retry"), outcome
            assert time.monotonic() - started < LIMITS.call_timeout + 3
