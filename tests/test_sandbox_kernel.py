"""Who a worker is on each kind of host: as root with Landlock, uid 0 without any
capability (so it reads the Python installation however its permissions are set); as
root without Landlock (simulated), the sandbox user without groups."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from autograder.sandbox import host
from autograder.sandbox.limits import Limits
from autograder.sandbox.session import WorkerSession

LIMITS = Limits(call_timeout=2, submission_timeout=30, memory_mb=512, output_kb=4)
PROBE = """
    import os

    def who():
        return [os.getuid(), os.geteuid(), os.getgid(), len(os.getgroups())]

    def privileged():
        refused = []
        for attempt in (lambda: os.setuid(1), lambda: os.chown("probe.py", 1, 1),
                        lambda: os.nice(-5)):
            try:
                attempt()
                refused.append(False)
            except PermissionError:
                refused.append(True)
        return refused
"""
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="only root changes who a worker is")


@pytest.fixture
def simulated(monkeypatch):
    def simulate(spec: str) -> None:
        monkeypatch.setenv(host.SIMULATE, spec)
        host.probe.cache_clear()
    yield simulate
    monkeypatch.undo()
    host.probe.cache_clear()


def session_for(tmp_path: Path) -> WorkerSession:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(textwrap.dedent(PROBE))
    return WorkerSession(folder, LIMITS)


@root_only
@pytest.mark.skipif(not host.probe().confined, reason="this host has no Landlock")
def test_as_root_with_landlock_the_worker_keeps_uid_0_without_any_capability(tmp_path):
    with session_for(tmp_path) as session:
        uid, euid, _gid, _groups = session.call("probe", "who").value
        refused = session.call("probe", "privileged").value
        assert "no-capabilities" in session.isolation["layers"]
    assert uid == euid == 0 and refused == [True, True, True]


@root_only
def test_as_root_without_landlock_the_worker_is_the_sandbox_user_without_groups(
        tmp_path, simulated):
    simulated("landlock=0")
    with session_for(tmp_path) as session:
        uid, euid, gid, groups = session.call("probe", "who").value
        assert session.isolation["uid"] == uid
        assert "user-nobody" in session.isolation["layers"]
    assert uid == euid != 0 and gid != 0 and groups == 0


def test_gradescope_setup_makes_the_course_unreadable_to_other_users(tmp_path):
    """setup.sh run for real, with apt-get, python3 and pip stubbed out (they install)."""
    import stat
    import subprocess

    import autograder.integrations.gradescope as gradescope

    stubs, root = tmp_path / "bin", tmp_path / "autograder"
    stubs.mkdir()
    (stubs / "apt-get").write_text("#!/bin/sh\nexit 0\n")
    # python3 -m venv DIR: a DIR/bin/python that accepts anything (pip install).
    (stubs / "python3").write_text('#!/bin/sh\nmkdir -p "$3/bin"\n'
                                   'printf "#!/bin/sh\\nexit 0\\n" > "$3/bin/python"\n'
                                   'chmod +x "$3/bin/python"\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    (root / "source" / "solutions").mkdir(parents=True)
    (root / "source" / "solutions" / "answers.yaml").write_text("q: 1\n")
    for path in [root / "source", *(root / "source").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "AUTOGRADER_ROOT": str(root)}
    setup = Path(gradescope.__file__).with_name("setup.sh")
    done = subprocess.run(["bash", str(setup)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in [root / "source", *(root / "source").rglob("*")]:
        assert not stat.S_IMODE(path.stat().st_mode) & 0o007, path


@pytest.mark.skipif(not host.probe().confined, reason="this host has no Landlock")
def test_the_graders_package_installed_inside_python_stays_unreadable(tmp_path):
    """As in a Gradescope image: ``autograder`` installed in the site-packages a worker
    imports from. Applied in a forked child, so this test process stays free."""
    from autograder.sandbox import kernel

    site = tmp_path / "prefix" / "lib" / "site-packages"
    (site / "autograder").mkdir(parents=True)
    (site / "autograder" / "checks.py").write_text("SECRET = 1\n")
    (site / "numpylike").mkdir()
    (site / "numpylike" / "__init__.py").write_text("")
    rules = kernel.readable_rules([str(tmp_path / "prefix")], [str(site / "autograder")])
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports by its exit status only
        status = 1
        try:
            kernel.landlock(host.probe().landlock_abi, rules)
            listed = sorted(os.listdir(site)) == ["autograder", "numpylike"]
            readable = os.path.exists(site / "numpylike" / "__init__.py")
            open(site / "numpylike" / "__init__.py").close()
            try:
                open(site / "autograder" / "checks.py").close()
            except PermissionError:
                status = 0 if listed and readable else 2
        finally:
            os._exit(status)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
