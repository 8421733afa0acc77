"""What student code is refused inside the worker, and what it may still do.

Every attempt runs in a real worker. Each one is tried twice: as grading runs it (as
root, the worker also drops to an unprivileged user) and with the audit hook alone (the
worker keeps the grader's user, as when the grader is not root), so the hook is shown to
hold by itself. An attempt that got through returns a string starting with LEAK.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import session as session_module
from autograder.sandbox.limits import Limits
from autograder.sandbox.session import WorkerSession

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = str(ROOT / "solutions" / "softmax.py")

PROBE = '''
import os, sys

def attempt(code, target):
    scope = {"os": os, "sys": sys, "target": target, "reference": REFERENCE}
    try:
        exec(code, scope)
        return "LEAK: " + repr(scope.get("result"))[:200]
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}"

def allowed(code):
    scope = {"os": os, "sys": sys, "reference": REFERENCE}
    exec(code, scope)
    return scope["result"]
'''

# Each snippet reaches "LEAK" only if what it tries works.
REFUSED = {
    "read the reference by its path": "result = open(reference).read()",
    "read the reference with os.open": "result = os.read(os.open(reference, os.O_RDONLY), 99)",
    "read through the parent's working folder in /proc":
        "result = open(f'/proc/{os.getppid()}/cwd/solutions/softmax.py').read()",
    "read the parent's environment": "result = open(f'/proc/{os.getppid()}/environ').read()",
    "read the parent's command line": "result = open(f'/proc/{os.getppid()}/cmdline').read()",
    "read a descriptor through /dev/fd": "result = open('/dev/fd/0').read()",
    "list the folder above": "result = os.listdir('..')",
    "move to the root folder": "os.chdir('/'); result = os.listdir('.')",
    "read the reference after replacing os.path.realpath": (
        "import posixpath\n"
        "posixpath.realpath = os.path.realpath = lambda path, **kw: os.getcwd() + '/x'\n"
        "result = open(reference).read()"),
    "import the grader's own package": "import autograder; result = autograder.__file__",
    "write outside the folder": "open(target, 'w').write('x'); result = target",
    "link the answer key into the folder":
        "os.symlink(reference, 'answers.yaml'); result = 1",
    "hard-link the reference into the folder": "os.link(reference, 'copy.py'); result = 1",
    "move a file out of the folder": "os.rename('probe.py', target); result = 1",
    "run a shell command": "result = os.system('true')",
    "start a process with subprocess":
        "import subprocess; result = subprocess.run(['true']).returncode",
    "fork": "pid = os.fork()\nif pid == 0: os._exit(0)\nresult = pid",
    "posix_spawn": "result = os.posix_spawn('/bin/true', ['true'], {})",
    "exec another program": "os.execv('/bin/true', ['true'])",
    "signal the grading process": "os.kill(os.getppid(), 0); result = 1",
    "signal the grading process's group": "os.killpg(os.getpgid(os.getppid()), 0); result = 1",
    "lower the grading process's limits":
        "import resource; result = resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE)",
    "import ctypes": "import ctypes; result = ctypes.pythonapi",
    "open a socket": "import socket; result = socket.socket()",
    "walk every object with gc": "import gc; result = len(gc.get_objects())",
    "trace other frames": "sys.settrace(lambda *a: None); result = 1",
    "build a code object": "result = (lambda: 0).__code__.replace(co_consts=(1,))",
    "load an extension module written into the folder": (
        "import importlib.machinery as m\n"
        "open('evil.so', 'wb').write(b'not really a library')\n"
        "spec = m.ModuleSpec('evil', None, origin=os.path.abspath('evil.so'))\n"
        "result = m.ExtensionFileLoader('evil', spec.origin).create_module(spec)"),
    "start a sub-interpreter": "import _xxsubinterpreters as s; result = s.create()",
}
# Refused by the operating system's limits, not the hook: no thread creation is audited.
KERNEL_ONLY = {
    "start a thread": "import _thread; result = _thread.start_new_thread(print, ())",
}
ALLOWED = {
    "NumPy's random, fft and linalg": (
        "import numpy as np\n"
        "rng = np.random.default_rng(0)\n"
        "result = float(np.linalg.norm(np.fft.fft(rng.normal(size=8))))"),
    "write and read back a file in its own folder": (
        "open('notes.txt', 'w').write('hi')\n"
        "import pathlib\n"
        "result = open(pathlib.Path('notes.txt')).read()"),
    "read NumPy's own source": "import numpy; result = len(open(numpy.__file__).read()) > 0",
    "signal itself": "os.kill(os.getpid(), 0); result = True",
}


@pytest.fixture(scope="module", params=["as graded", "hook alone"])
def worker(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("guarded")
    (folder / "probe.py").write_text(f"REFERENCE = {REFERENCE!r}\n" + textwrap.dedent(PROBE))
    limits = Limits(call_timeout=5, submission_timeout=120, memory_mb=512, output_kb=16)
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "hook alone":
            patch.setattr(session_module, "sandbox_user", lambda: None)
        with WorkerSession(folder, limits) as session:
            yield request.param, session, tmp_path_factory.mktemp("outside")


@pytest.mark.parametrize("attempt", REFUSED, ids=list(REFUSED))
def test_the_sandbox_refuses_to(worker, attempt):
    variant, session, outside = worker
    target = str(outside / "results.json")
    outcome = session.call("probe", "attempt", (REFUSED[attempt], target))
    assert outcome.kind == "ok", outcome
    assert not outcome.value.startswith("LEAK"), outcome.value
    if variant == "hook alone":
        assert "sandbox:" in outcome.value, outcome.value
    assert not os.path.exists(target)


@pytest.mark.parametrize("attempt", KERNEL_ONLY, ids=list(KERNEL_ONLY))
def test_the_process_limit_refuses_to(worker, attempt):
    variant, session, _ = worker
    if variant == "hook alone" and os.geteuid() == 0:
        pytest.skip("the kernel exempts root from RLIMIT_NPROC; a root grader always drops")
    outcome = session.call("probe", "attempt", (KERNEL_ONLY[attempt], ""))
    assert outcome.kind == "ok" and not outcome.value.startswith("LEAK"), outcome


@pytest.mark.parametrize("attempt", ALLOWED, ids=list(ALLOWED))
def test_the_sandbox_still_lets_student_code(worker, attempt):
    _, session, _ = worker
    outcome = session.call("probe", "allowed", (ALLOWED[attempt],))
    assert outcome.kind == "ok", outcome
    assert outcome.value not in (None, False)


def test_the_worker_runs_with_its_limits_and_without_ctypes(worker):
    _, session, _ = worker
    code = ("import resource\n"
            "result = [list(resource.getrlimit(getattr(resource, 'RLIMIT_' + name)))\n"
            "          for name in ('NPROC', 'CORE', 'AS', 'NOFILE')]\n"
            "result.append('ctypes' in sys.modules)")
    nproc, core, memory, files, has_ctypes = session.call("probe", "allowed", (code,)).value
    assert nproc == [0, 0] and core == [0, 0] and memory == [512 * 2**20] * 2
    assert files[1] <= 64 and not has_ctypes


def test_numpy_arrays_still_cross_both_ways(worker):
    _, session, _ = worker
    code = "import numpy as np; result = np.arange(4.0) * 2"
    value = session.call("probe", "allowed", (code,)).value
    np.testing.assert_array_equal(value, [0, 2, 4, 6])


def test_a_new_audit_hook_is_not_added(worker):
    # sys.addaudithook swallows the refusal (it does for any Exception): the hook is
    # simply not added, so it cannot see, let alone veto, what happens next.
    _, session, _ = worker
    code = ("seen = []\n"
            "sys.addaudithook(lambda event, args: seen.append(event))\n"
            "sys.audit('probe.event')\n"
            "result = seen")
    assert session.call("probe", "allowed", (code,)).value == []


def test_a_path_that_changes_its_mind_after_the_check_is_read_as_checked(worker):
    # open() converts a path object once; the hook checks that very string.
    _, session, _ = worker
    code = ("class Sly:\n"
            "    calls = 0\n"
            "    def __fspath__(self):\n"
            "        Sly.calls += 1\n"
            "        return 'probe.py' if Sly.calls == 1 else reference\n"
            "text = open(Sly()).read()\n"
            "result = 'def softmax' in text")
    assert session.call("probe", "allowed", (code,)).value is False
