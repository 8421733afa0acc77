"""``autograder batch --canvas`` (issue 10, item 9): a gradebook import file in the
column layout Canvas documents (see autograder/reports/canvas.py for the sources):
Student, ID, SIS User ID, SIS Login ID, Section, one column per assignment, and the
Points Possible row; folder names mapped through an optional roster; cells inert."""
from __future__ import annotations

import csv

from autograder.course.loader import load_course
from conftest import ROOT, run_autograder
from test_batch import make_class, make_student

CANVAS_LAYOUT = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_canvas_file_has_canvas_columns_points_possible_and_roster_identities(tmp_path):
    course = load_course(ROOT / "course.yaml")
    make_class(tmp_path / "class", ["reference", "wrong_softmax"])
    make_student(tmp_path / "class" / "=HYPERLINK(1)", "reference")   # not in the roster
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "s0_reference,\"Lovelace, Ada\",101,U1,ada,A1\n"
                      "s1_wrong_softmax,@Mallory,102,U2,mal,A1\n")
    result = run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv",
                            "--canvas", tmp_path / "canvas.csv", "--roster", roster,
                            "--assignment", "foundations", "--workers", "2", check=True)
    assert "1 folder(s) not in the roster" in result.stderr
    header, possible, *students = _rows(tmp_path / "canvas.csv")
    foundations = course.assignment("foundations")
    assert header == CANVAS_LAYOUT + [foundations.title]
    assert possible == ["Points Possible", "", "", "", "", "28"]
    by_id = {r[1]: r for r in students}
    assert by_id["101"] == ["Lovelace, Ada", "101", "U1", "ada", "A1", "28"]
    assert by_id["102"][0] == "'@Mallory"          # neutralised like the CSV gradebook
    assert float(by_id["102"][-1]) < 28
    assert by_id[""][0] == "'=HYPERLINK(1)" and by_id[""][1:5] == ["", "", "", ""]


def test_a_roster_without_a_folder_column_is_refused_with_file_and_line(tmp_path):
    make_class(tmp_path / "class", ["reference"])
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID\nAda,1\n")
    result = run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv",
                            "--canvas", tmp_path / "canvas.csv", "--roster", roster)
    assert result.returncode == 2
    assert f"{roster}:1: no 'folder' column" in result.stderr
    assert not (tmp_path / "g.csv").exists()
