"""``autograder batch``: a whole class into one gradebook, each row what ``grade`` gives
that submission; broken submissions cost their own row only; Ctrl-C keeps the finished
rows and ``--resume`` grades only the rest."""
from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from autograder.course.loader import load_course
from autograder.grading import batch
from autograder.grading.engine import grade
from autograder.grading.submission import locate
from autograder.reports import csv_report
from conftest import EXERCISES, ROOT, SOLUTIONS, run_autograder

IDENTITY_SOFTMAX = "def softmax(x, axis=-1):\n    return x + 0\n"
KINDS = {
    "reference": {},
    "wrong_softmax": {"softmax.py": IDENTITY_SOFTMAX},
    "crashes_on_import": {"attention.py": "import os\nos._exit(3)\n"},
    "no_encoder": {"encoder.py": None},
    "bad_answers": {"answers.yaml": "attention-role: [unclosed\n"},
}
FAST = ("--assignment", "foundations", "--workers", "2")   # where all assignments add nothing


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


def make_student(folder: Path, kind: str) -> Path:
    """One student's folder: the stubs, or the references with ``KINDS[kind]`` applied."""
    folder.mkdir(parents=True)
    source = EXERCISES if kind == "stubs" else SOLUTIONS
    for path in [*source.glob("*.py"), source / "answers.yaml"]:
        shutil.copy(path, folder / path.name)
    for name, text in KINDS.get(kind, {}).items():
        if text is None:
            (folder / name).unlink()
        else:
            (folder / name).write_text(text)
    return folder


def make_class(folder: Path, kinds: list[str]) -> dict[str, str]:
    """A class folder with one student per kind (named ``s<i>_<kind>``): student -> kind."""
    students = {f"s{i}_{kind}": kind for i, kind in enumerate(kinds)}
    for student, kind in students.items():
        make_student(folder / student, kind)
    return students


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_each_row_is_what_grade_gives_that_submission(course, tmp_path):
    students = make_class(tmp_path / "class", ["reference", "stubs", *list(KINDS)[1:]])
    gradebook, reports = tmp_path / "grades.csv", tmp_path / "reports"
    result = run_autograder("batch", tmp_path / "class", "--csv", gradebook, "--reports",
                            reports, "--workers", "2", check=True)
    assert f"{len(students)} of {len(students)} submissions" in result.stdout
    rows = read_rows(gradebook)
    assert [r["student"] for r in rows] == sorted(students)
    assert list(rows[0]) == csv_report.columns(list(course.assignments))
    for row in rows:
        single = grade(course, tmp_path / "class" / row["student"])
        assert row["status"] == "graded" and row["reason"] == ""
        assert float(row["total"]) == single.score
        assert float(row["max_total"]) == single.max_score == 132
        for a in single.assignments:
            assert float(row[a.id]) == a.score
            for e in a.exercises:
                assert float(row[f"{a.id}.{e.id}"]) == e.score, (row["student"], e.id)
            assert float(row[f"{a.id}.quick_checks"]) == sum(q.score for q in a.questions)
        saved = json.loads((reports / f"{row['student']}.json").read_text())
        assert saved["score"] == single.score
        assert (reports / f"{row['student']}.txt").read_text().startswith(course.id)
    totals = {students[r["student"]]: float(r["total"]) for r in rows}
    assert totals["reference"] == 132 and totals["stubs"] == 0
    assert 0 < totals["wrong_softmax"] < 132 and 0 < totals["crashes_on_import"] < 132
    assert totals["bad_answers"] < 132 and totals["no_encoder"] == 86


def test_a_submission_that_cannot_be_graded_gets_an_error_row_worth_nothing(course, tmp_path):
    make_student(tmp_path / "class" / "ann", "reference")
    submissions = batch.discover(tmp_path / "class")
    submissions.append(batch.Submission("gone", tmp_path / "class" / "gone"))  # moved away
    gradebook = batch.Gradebook(tmp_path / "g.csv", list(course.assignments), resume=False)
    summary = batch.grade_all(course, submissions, gradebook, workers=2)
    assert (summary.graded, summary.errors, summary.interrupted) == (1, 1, "")
    rows = {r["student"]: r for r in read_rows(tmp_path / "g.csv")}
    assert rows["ann"]["total"] == "132"
    gone = rows["gone"]
    assert gone["status"] == "error" and "no such file or folder" in gone["reason"]
    assert gone["total"] == "0" and gone["max_total"] == "132"
    assert {v for k, v in gone.items() if k not in ("student", "max_total", "status",
                                                     "reason")} == {"0"}


def test_a_report_that_cannot_be_written_keeps_the_grade_and_says_why(course, tmp_path):
    make_student(tmp_path / "class" / "ann", "reference")
    (tmp_path / "reports" / "ann.json").mkdir(parents=True)    # in the report's way
    gradebook = batch.Gradebook(tmp_path / "g.csv", [course.assignment("foundations")],
                                resume=False)
    batch.grade_all(course, batch.discover(tmp_path / "class"), gradebook, workers=1,
                    reports=tmp_path / "reports")
    (row,) = read_rows(tmp_path / "g.csv")
    assert row["status"] == "graded" and row["total"] == "28"
    assert row["reason"].startswith("reports not written: ") and "ann.json" in row["reason"]


def test_only_the_chosen_assignments_are_columns(tmp_path):
    make_class(tmp_path / "class", ["reference"])
    run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv",
                   "--assignment", "encoder", "--workers", "1", check=True)
    (row,) = read_rows(tmp_path / "g.csv")
    assert list(row) == ["student", "total", "max_total", "encoder", "encoder.layer_norm",
                         "encoder.gelu", "encoder.feed_forward", "encoder.encoder_block",
                         "encoder.quick_checks", "status", "reason"]
    assert row["total"] == row["max_total"] == "34"


def _run_on_a_pty(args: list[str]) -> tuple[int, str]:
    """Run the command with its stdout and stderr on a pseudo-terminal; returns its text."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "autograder", *args], cwd=ROOT,
                            stdout=terminal, stderr=terminal, stdin=subprocess.DEVNULL)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:     # EIO: every holder of the terminal has closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_and_none_when_not(tmp_path):
    make_class(tmp_path / "class", ["reference", "stubs"])
    status, shown = _run_on_a_pty(["batch", str(tmp_path / "class"), *FAST,
                                   "--csv", str(tmp_path / "tty.csv")])
    assert status == 0
    assert "grading: 100%" in shown and "2/2" in shown and "submission/s" in shown
    piped = run_autograder("batch", tmp_path / "class", *FAST,
                           "--csv", tmp_path / "piped.csv", check=True)
    assert piped.stderr == ""
    assert "%|" not in piped.stdout and "\r" not in piped.stdout


def test_ctrl_c_keeps_finished_rows_and_resume_grades_only_the_rest(tmp_path):
    kinds = ["reference", "stubs", "wrong_softmax"] * 3
    students = make_class(tmp_path / "class", kinds)
    gradebook = tmp_path / "grades.csv"
    args = [sys.executable, "-m", "autograder", "batch", str(tmp_path / "class"),
            "--csv", str(gradebook), "--workers", "1", "--assignment", "foundations"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if gradebook.exists() and len(gradebook.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "rerun with --resume" in stderr
    first = read_rows(gradebook)
    assert 2 <= len(first) < len(students)
    assert all(r["status"] == "graded" for r in first)

    result = run_autograder("batch", tmp_path / "class", "--csv", gradebook, "--resume",
                            *FAST, check=True)
    assert f"{len(first)} kept from before" in result.stdout
    rows = read_rows(gradebook)
    assert [r["student"] for r in rows] == sorted(students)
    assert [r for r in rows if r["student"] in {f["student"] for f in first}] == first
    expected = {"reference": 28.0, "stubs": 0.0}     # foundations is worth 28
    for row in rows:
        kind = students[row["student"]]
        assert row["status"] == "graded"
        if kind in expected:
            assert float(row["total"]) == expected[kind]
        else:
            assert 0 < float(row["total"]) < 28


def test_resume_regrades_a_row_cut_off_mid_write(tmp_path):
    students = make_class(tmp_path / "class", ["reference", "stubs", "wrong_softmax"])
    gradebook = tmp_path / "grades.csv"
    run_autograder("batch", tmp_path / "class", "--csv", gradebook, *FAST, check=True)
    whole = gradebook.read_text()
    gradebook.write_text(whole[:-25])      # the last row lost its tail (and its newline)
    result = run_autograder("batch", tmp_path / "class", "--csv", gradebook, "--resume",
                            *FAST, check=True)
    assert "2 kept from before" in result.stdout
    assert gradebook.read_text() == whole
    assert len(read_rows(gradebook)) == len(students)


def test_resume_refuses_a_gradebook_with_other_columns(tmp_path):
    make_class(tmp_path / "class", ["reference"])
    gradebook = tmp_path / "grades.csv"
    run_autograder("batch", tmp_path / "class", "--csv", gradebook, "--assignment",
                   "encoder", "--workers", "1", check=True)
    result = run_autograder("batch", tmp_path / "class", "--csv", gradebook, "--resume")
    assert result.returncode == 2
    assert "columns are not this batch's" in result.stderr


def test_a_notebook_is_one_student_graded_as_grade_grades_it(course, tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(
        (SOLUTIONS / "softmax.py").read_text(),
        metadata={"nbgrader": {"grade_id": "softmax", "solution": True}}))
    (tmp_path / "class").mkdir()
    nbformat.write(notebook, tmp_path / "class" / "nora.ipynb")
    make_student(tmp_path / "class" / "ann", "stubs")
    run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv", *FAST,
                   check=True)
    rows = {r["student"]: r for r in read_rows(tmp_path / "g.csv")}
    single = grade(course, tmp_path / "class" / "nora.ipynb", assignments=["foundations"])
    assert rows["nora"]["status"] == "graded"
    assert float(rows["nora"]["total"]) == single.score == 10    # softmax only
    assert rows["nora"]["foundations.softmax"] == "10"
    assert rows["ann"]["total"] == "0"


def test_a_built_notebook_without_assignment_option_fills_every_column(course, tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook(metadata={"autograder": {"assignment": "foundations"}})
    notebook.cells.append(nbformat.v4.new_code_cell(
        (SOLUTIONS / "softmax.py").read_text(),
        metadata={"nbgrader": {"grade_id": "softmax", "solution": True}}))
    (tmp_path / "class").mkdir()
    nbformat.write(notebook, tmp_path / "class" / "nora.ipynb")
    run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv", "--workers", "1",
                   check=True)
    (row,) = read_rows(tmp_path / "g.csv")
    assert row["status"] == "graded" and row["total"] == "10" and row["max_total"] == "132"
    assert row["foundations.softmax"] == "10" and row["attention"] == "0"


def test_discover_takes_folders_and_notebooks_by_name_and_skips_the_rest(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "bob.ipynb").write_text("{}")
    (tmp_path / ".git").mkdir()
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "reports").mkdir()
    found = batch.discover(tmp_path, exclude=(tmp_path / "reports",))
    assert [(s.student, s.path.name) for s in found] == [("ann", "ann"),
                                                         ("bob", "bob.ipynb")]
    (tmp_path / "ann.ipynb").write_text("{}")
    with pytest.raises(batch.BatchError, match="two submissions for 'ann'"):
        batch.discover(tmp_path)


def test_a_clone_of_the_student_release_is_graded_from_its_exercises_folder(course, tmp_path):
    clone = tmp_path / "repo"
    make_student(clone / "exercises", "reference")
    (clone / "README.md").write_text("my work")
    assert locate(course, clone) == clone / "exercises"
    assert locate(course, clone / "exercises") == clone / "exercises"


def test_gradebook_numbers_and_reasons_stay_on_one_line(course):
    assert [csv_report.number(x) for x in (100.0, 12.5, 1 / 3, 0.0, -0.0)] == [
        "100", "12.5", "0.333333", "0", "0"]
    row = csv_report.error_row("ann", "Boom:\n  first line\n  second", list(course.assignments))
    assert csv_report.line(row).count("\n") == 1
    assert row[-1] == "Boom: / first line / second"
