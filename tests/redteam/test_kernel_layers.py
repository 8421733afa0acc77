"""Attacks the audit hook cannot stop (issue 9, classes 2, 3 and 7), each through the
real command line: the hook undone from inside the worker, calls no audit event
covers (pidfd signals, named pipes, unbounded writes, classmates stopped in a batch),
and the imports an honest student expects. Then the file, signal and pipe attacks
again with the audit hook switched off: the kernel's layers hold them alone."""
import json
import os
import stat

import pytest

from classroom import (BOUND, batch, cli, grade_alone, hostile_code, kernel_layers_in_force,
                       left_intact, marker, scores, submission)
from harness import assert_honest, attack, digest, redteam_course  # noqa: F401

from autograder.sandbox.host import WITHOUT_HOOK

needs_kernel = pytest.mark.skipif(not kernel_layers_in_force(),
                                  reason="this host gives workers no Landlock 6+ and seccomp")


# -- class 2: the audit hook is not a boundary ----------------------------------------
def test_undoing_the_hook_then_importing_the_reference_through_the_graders_folder(attack):
    graded = attack({"positional_encoding": hostile_code("break_the_hook.py",
                                                         "steal_after_hook.py")})
    assert_honest(graded, {"positional_encoding": 0}, ran=True)


def test_undoing_the_hook_then_printing_another_reference_into_the_report(attack):
    graded = attack({"softmax": hostile_code("break_the_hook.py", "leak_after_hook.py")})
    assert_honest(graded, {})
    assert graded.marker not in graded.report["output"]


# -- class 3: calls no audit event covers ---------------------------------------------
def test_pidfd_signals_to_the_fork_server_and_the_grading_process(attack):
    # With the hook undone first, as the grader has no other layer, this kills it.
    assert_honest(attack({"positional_encoding": hostile_code("break_the_hook.py",
                                                              "pidfd_kill.py")}),
                  {"positional_encoding": 0}, ran=True)


def fifo_attack(course, tmp_path, env=None):
    tag = marker()
    target = tmp_path / "report.json"
    folder = submission(course, tmp_path / "submission", {
        "softmax": hostile_code("fifo_trap.py", TARGET=str(target), MARKER=tag)})
    before = digest(course)
    done, seconds = cli(course, "grade", str(folder), "--format", "json",
                        "--output", str(target), env=env)
    assert done.returncode == 0, done.stderr
    assert seconds < BOUND, seconds
    assert stat.S_ISREG(os.lstat(target).st_mode)
    report = json.loads(target.read_text())
    assert report["score"] == report["max_score"]   # the references, untouched
    left_intact(course, before, tag, [tmp_path, "/tmp", "/dev/shm"])
    return report


def test_named_pipes_at_the_report_path_and_in_the_shared_temporary_folders(
        redteam_course, tmp_path):
    fifo_attack(redteam_course, tmp_path)


def test_writing_without_bound_into_its_own_folder(attack):
    if os.geteuid() != 0:
        pytest.skip("the private tmpfs that caps the total is root's: without it this "
                    "attack would fill the shared disk")
    graded = attack({"positional_encoding": "disk_filler.py"})
    assert_honest(graded, {"positional_encoding": 0}, ran=True)


def test_a_classmate_stopping_the_other_workers_of_a_two_worker_batch(redteam_course,
                                                                      tmp_path):
    course, tag = redteam_course, marker()
    wrong = "\n\ndef softmax(x, axis=-1):\n    return np.zeros_like(np.asarray(x, float))\n"
    honest = {"alice": {"softmax": wrong}, "bob": {}, "carol": {"softmax": wrong}}
    for name, poison in honest.items():
        submission(course, tmp_path / "class" / name, poison)
    # First in the class's order, so that it runs alongside the others.
    submission(course, tmp_path / "class" / "aaron", {
        # The hook undone first: only the kernel's layers stand between them.
        "positional_encoding": hostile_code("break_the_hook.py", "kill_classmates.py",
                                            MARKER=tag),
        "softmax": hostile_code("pidfd_kill.py", MARKER=tag).replace(
            "def positional_encoding(seq_len, d_model, base=10000.0):",
            "def _unused(seq_len, d_model, base=10000.0):") + "\n_unused(1, 2)\n"})
    alone = {name: grade_alone(course, tmp_path / "class" / name) for name in honest}
    before = digest(course)
    rows = batch(course, tmp_path / "class", tmp_path / "grades.csv")
    for name, report in alone.items():
        assert rows[name]["status"] == "graded", rows[name]
        assert float(rows[name]["total"]) == report["score"], (name, rows[name])
    assert rows["aaron"]["status"] == "graded"
    assert float(rows["aaron"]["total"]) < float(rows["aaron"]["max_total"])
    left_intact(course, before, tag, [tmp_path, "/tmp"])


# -- class 7: imports as the student expects ------------------------------------------
def test_standard_library_imports_work_however_python_is_installed(attack):
    assert_honest(attack({"positional_encoding": "stdlib_imports.py"}), {})


def test_installed_packages_import_as_in_the_students_own_python(attack):
    assert_honest(attack({"positional_encoding": "installed_imports.py"}), {})


# -- the kernel's layers alone ----------------------------------------------------------
@needs_kernel
@pytest.mark.parametrize("hostile", [
    "reference_walk_up.py", "reference_parent_cwd.py", "reference_package_location.py",
    "kill_grader.py", "pidfd_kill.py"])
def test_without_the_audit_hook_the_kernel_alone_holds(attack, monkeypatch, hostile):
    monkeypatch.setenv(WITHOUT_HOOK, "1")
    graded = attack({"positional_encoding": hostile})
    assert "audit-hook" not in graded.report["sandbox"]["layers"]
    assert {"landlock-files", "landlock-signals", "seccomp"} <= set(
        graded.report["sandbox"]["layers"])
    assert_honest(graded, {"positional_encoding": 0}, ran=True)


@needs_kernel
def test_without_the_audit_hook_named_pipes_are_still_refused(redteam_course, tmp_path):
    report = fifo_attack(redteam_course, tmp_path, env={WITHOUT_HOOK: "1"})
    assert "audit-hook" not in report["sandbox"]["layers"]
