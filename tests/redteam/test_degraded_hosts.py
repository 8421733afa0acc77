"""Hosts that offer less, simulated (``AUTOGRADER_TEST_HOST`` only takes layers away):
each report names the layers that were in force, and grading refuses to run blind
(exit 2, one line naming the fix) where no layer keeps a worker out of the course,
unless staff pass --allow-unconfined. ``check`` never refuses."""
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from classroom import cli, hostile_code, kernel_layers_in_force
from harness import assert_honest, attack, redteam_course  # noqa: F401

from autograder.sandbox.host import SIMULATE

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="simulates hosts from root")


@pytest.fixture
def open_course(redteam_course):
    """A copy of the course that every user may read (as a checkout usually is)."""
    folder = Path(tempfile.mkdtemp(prefix="open-course-"))
    course = folder / "course"
    shutil.copytree(redteam_course, course)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    yield course
    shutil.rmtree(folder)


def layers(done) -> list[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)["sandbox"]["layers"]


def refused(done) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--allow-unconfined" in lines[0], lines
    return lines[0]


@root_only
def test_no_landlock_as_root_refuses_a_course_others_can_read(open_course, tmp_path):
    env = {SIMULATE: "landlock=0"}
    solutions = str(open_course / "solutions")
    assert "chmod -R o-rwx" in refused(cli(open_course, "grade", solutions, env=env)[0])
    (tmp_path / "class" / "ann").mkdir(parents=True)
    refused(cli(open_course, "batch", str(tmp_path / "class"), "--csv",
                str(tmp_path / "g.csv"), env=env)[0])
    root = tmp_path / "gradescope"
    shutil.copytree(open_course / "solutions", root / "submission")
    refused(cli(open_course, "gradescope", "run", "--root", str(root), env=env)[0])
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "Landlock" in results["output"]
    accepted = layers(cli(open_course, "grade", solutions, "--format", "json",
                          "--allow-unconfined", env=env)[0])
    assert "user-nobody" in accepted and not any(x.startswith("landlock") for x in accepted)
    check = cli(open_course, "check", str(open_course / "exercises"), env=env)[0]
    assert check.returncode in (0, 1) and "allow-unconfined" not in check.stderr


@root_only
def test_no_landlock_as_root_grades_as_nobody_a_course_only_root_can_read(redteam_course):
    env = {SIMULATE: "landlock=0"}
    done = cli(redteam_course, "grade", str(redteam_course / "solutions"), "--format", "json",
               env=env)[0]
    in_force = layers(done)
    assert "user-nobody" in in_force and "seccomp" in in_force
    assert json.loads(done.stdout)["sandbox"]["confined"] is False


def test_no_landlock_and_not_root_always_refuses(redteam_course):
    env = {SIMULATE: "landlock=0,seccomp=0,user"}
    solutions = str(redteam_course / "solutions")
    assert "run as root" in refused(cli(redteam_course, "grade", solutions, env=env)[0])
    text = cli(redteam_course, "grade", solutions, "--allow-unconfined", env=env)[0]
    assert text.returncode == 0 and "Sandbox: rlimits, audit-hook\n" in text.stdout


@pytest.mark.skipif(not kernel_layers_in_force(), reason="needs Landlock 6+ and seccomp")
def test_an_older_landlock_without_signal_scoping_still_holds_signals_by_seccomp(
        attack, monkeypatch):
    monkeypatch.setenv(SIMULATE, "landlock=5")
    graded = attack({"positional_encoding": hostile_code("break_the_hook.py",
                                                         "pidfd_kill.py")})
    in_force = graded.report["sandbox"]["layers"]
    assert "landlock-files" in in_force and "landlock-signals" not in in_force
    assert graded.report["sandbox"]["landlock_abi"] == 5
    assert_honest(graded, {"positional_encoding": 0}, ran=True)


@root_only
@pytest.mark.skipif(not kernel_layers_in_force(), reason="needs Landlock 6+ and seccomp")
def test_landlock_without_seccomp_runs_root_workers_as_nobody(redteam_course):
    # uid 0, even without capabilities, could fork and signal every process root runs.
    done = cli(redteam_course, "grade", str(redteam_course / "solutions"), "--format", "json",
               env={SIMULATE: "landlock=5,seccomp=0"})[0]
    in_force = layers(done)
    assert {"landlock-files", "user-nobody"} <= set(in_force), in_force
    assert "seccomp" not in in_force and "no-capabilities" not in in_force
    assert json.loads(done.stdout)["score"] == json.loads(done.stdout)["max_score"]


@pytest.mark.skipif(not kernel_layers_in_force(), reason="needs Landlock 6+ and seccomp")
def test_not_root_with_landlock_grades_confined_without_the_private_tmpfs(redteam_course):
    done = cli(redteam_course, "grade", str(redteam_course / "solutions"), "--format", "json",
               env={SIMULATE: "user"})[0]
    in_force = layers(done)
    assert {"landlock-files", "landlock-signals", "seccomp"} <= set(in_force)
    assert "disk-cap" not in in_force and "user-nobody" not in in_force
    assert json.loads(done.stdout)["score"] == json.loads(done.stdout)["max_score"]


def test_validate_says_what_a_worker_gets_here(redteam_course):
    done = cli(redteam_course, "validate", env={SIMULATE: "landlock=0,seccomp=0,user"})[0]
    assert done.returncode == 0
    assert "sandbox: no Landlock, no seccomp; grade would refuse" in done.stdout
