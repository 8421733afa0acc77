"""Issue 10, item 6: a report or gradebook that cannot be written is exit 2 with a
one-line reason (never a traceback, never exit 1, which means "below --fail-under")."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import SOLUTIONS, run_autograder


def _unwritable_folder(tmp_path: Path) -> Path | None:
    """A folder this process may not write in: its own closed folder, or, as root (who
    ignores permissions), sysfs, where no one creates a file."""
    if os.geteuid() != 0:
        closed = tmp_path / "closed"
        closed.mkdir(mode=0o500)
        return closed
    return Path("/sys") if Path("/sys/kernel").is_dir() else None   # sysfs: no new files


def _one_line_exit_2(result, path) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"autograder: cannot write {path}")


@pytest.fixture
def one_student_class(tmp_path) -> Path:
    folder = tmp_path / "class"
    shutil.copytree(SOLUTIONS, folder / "alice", ignore=shutil.ignore_patterns("mistakes"))
    return folder


def test_missing_folder(tmp_path, one_student_class):
    report = tmp_path / "no-such-folder" / "report.json"
    for args in (["grade", SOLUTIONS, "--format", "json", "--output", report],
                 ["check", SOLUTIONS, "--output", report],
                 ["grade", SOLUTIONS, "--fail-under", "200", "--output", report]):
        result = run_autograder(*args)
        _one_line_exit_2(result, report)
        assert "does not exist" in result.stderr
    not_a_folder = SOLUTIONS / "softmax.py" / "grades.csv"
    _one_line_exit_2(run_autograder("batch", one_student_class, "--csv", not_a_folder,
                                    "--allow-unconfined"), not_a_folder)


def test_no_permission(tmp_path, one_student_class):
    folder = _unwritable_folder(tmp_path)
    if folder is None:
        pytest.skip("no folder this process cannot write to")
    report = folder / "report.xml"
    result = run_autograder("grade", SOLUTIONS, "--format", "junit", "--output", report)
    _one_line_exit_2(result, report)
    gradebook = folder / "grades.csv"
    _one_line_exit_2(run_autograder("batch", one_student_class, "--csv", gradebook,
                                    "--allow-unconfined"), gradebook)
    results = folder / "gs" / "results" / "results.json"
    _one_line_exit_2(run_autograder("gradescope", "run", "--root", folder / "gs",
                                    "--allow-unconfined"), results)
