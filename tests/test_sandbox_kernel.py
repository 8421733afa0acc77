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
