"""Issue 10, item 6: a report or gradebook that cannot be written is exit 2 with a
one-line reason (never a traceback, never exit 1, which means "below --fail-under")."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTIONS, run_autograder


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


def _entry(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    """Run the `autograder` command's own entry point (what the installed script calls),
    with an exit handler of the caller's, and report what reached the handler."""
    script = tmp_path / "entry.py"
    script.write_text(
        "import atexit, sys\n"
        "import autograder.sandbox.zygote as zygote\n"
        "started = zygote.prestart\n"
        "def spy():\n"
        "    heavy = [m for m in ('numpy', 'pytest', 'jsonschema', 'yaml') if m in sys.modules]\n"
        "    print('prestart, already imported:', heavy, file=sys.stderr)\n"
        "    started()\n"
        "zygote.prestart = spy\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        f"sys.argv = ['autograder', *{list(argv)!r}]\n"
        "from autograder.cli import entry\n"
        "entry()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=300)


def test_the_command_exits_as_documented_and_runs_every_exit_handler(tmp_path):
    """`entry` ends the process at once after main: its statuses stay main's, what was
    printed is all there, and exit handlers (the fork server's, a caller's) still run."""
    version = _entry(tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("autograder ")
    assert "handler ran" in version.stderr and "prestart" not in version.stderr
    usage = _entry(tmp_path, "no-such-verb")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    graded = _entry(tmp_path, "grade", str(SOLUTIONS), "--assignment", "foundations",
                    "--format", "json", "--fail-under", "1000")
    assert graded.returncode == 1, graded.stderr
    report = json.loads(graded.stdout)   # all of it was written before the process ended
    assert report["score"] == report["max_score"] > 0
    assert "handler ran" in graded.stderr and "below --fail-under" in graded.stderr


def test_a_grading_verb_starts_the_fork_server_before_its_own_imports(tmp_path):
    """So that the server's own start (a Python, NumPy, the weights) runs beside the
    grading process's imports rather than after them."""
    result = _entry(tmp_path, "check", str(SOLUTIONS), "--assignment", "foundations")
    assert result.returncode == 0, result.stderr
    assert "prestart, already imported: []" in result.stderr
