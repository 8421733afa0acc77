"""What a check cell runs: a plain float within the cell's points, feedback on stdout
only, hidden cases counted not named, and a failure (never full marks) when it cannot
grade."""
from __future__ import annotations

import copy
import shutil

import nbformat
import pytest

from autograder.checks import cases_of
from autograder.course.loader import load_course
from autograder.integrations.nbgrader import cells
from autograder.integrations.nbgrader.cells import CheckError, score
from autograder.integrations.nbgrader.notebooks import Sources, source_notebook
from conftest import ROOT


@pytest.fixture(scope="module")
def foundations():
    course = load_course(ROOT / "course.yaml")
    return source_notebook(course, course.assignment("foundations"), Sources(course))


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """A kernel's surroundings: its folder (holding the notebook) and the course variable."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(cells.COURSE_VARIABLE, str(ROOT / "course.yaml"))
    for name in ("JPY_SESSION_NAME", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_a_check_gives_a_plain_float_and_writes_nothing_to_stderr(kernel, foundations,
                                                                   capsys):
    nbformat.write(foundations, str(kernel / "foundations.ipynb"))
    values = [score("softmax"), score("softmax", hidden=True),
              score("attention-role"), score("attention-role", hidden=True)]
    assert values == [10.0, 10.0, 0.0, 1.0]
    assert all(type(v) is float for v in values)
    out, err = capsys.readouterr()
    assert err == ""
    public = sum(not c.hidden for c in cases_of("softmax"))
    hidden = sum(c.hidden for c in cases_of("softmax"))
    assert f"softmax: {public} of {public} public cases pass" in out
    assert f"hidden cases: {hidden} of {hidden} pass" in out
    assert "attention-role: answered 'b'" in out


def test_a_check_cell_worth_other_points_than_the_course_fails(kernel, foundations):
    notebook = copy.deepcopy(foundations)
    cell = next(c for c in notebook.cells
                if c.metadata["nbgrader"]["grade_id"] == "test_positional_encoding")
    cell.metadata["nbgrader"]["points"] = 12
    nbformat.write(notebook, str(kernel / "foundations.ipynb"))
    with pytest.raises(CheckError, match="worth 12 points but course.yaml gives "
                                         "positional_encoding 10: rebuild"):
        score("positional_encoding", hidden=True)


def test_without_the_course_a_check_fails_and_says_how_to_fix_it(kernel, foundations,
                                                                 monkeypatch):
    monkeypatch.delenv(cells.COURSE_VARIABLE)
    nbformat.write(foundations, str(kernel / "foundations.ipynb"))
    with pytest.raises(CheckError, match="cannot find the course: set the environment "
                                         "variable AUTOGRADER_COURSE"):
        score("softmax")


def test_without_a_saved_notebook_a_check_fails(kernel):
    with pytest.raises(CheckError, match="no notebook in .* has the check cell of 'softmax'"):
        score("softmax")


def test_a_students_machine_checks_public_cases_only(kernel, foundations, tmp_path,
                                                     monkeypatch, capsys):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "course.yaml", course)
    shutil.copytree(ROOT / "public", course / "public")          # no solutions/
    monkeypatch.setenv(cells.COURSE_VARIABLE, str(course / "course.yaml"))
    nbformat.write(foundations, str(kernel / "foundations.ipynb"))
    assert score("softmax") == 10.0
    with pytest.raises(CheckError, match="grading machine only"):
        score("softmax", hidden=True)
    assert score("attention-role") == 0.0
    assert "attention-role: answered 'b' (scored when your work is graded)" \
        in capsys.readouterr().out


def test_in_jupyter_the_open_notebook_is_checked_and_its_problems_shown(kernel, foundations,
                                                                        monkeypatch, capsys):
    nbformat.write(foundations, str(kernel / "older copy.ipynb"))
    notebook = copy.deepcopy(foundations)
    cell = next(c for c in notebook.cells
                if c.metadata["nbgrader"]["grade_id"] == "answer_attention-role")
    cell.source = "answer_attention_role = chr(98)"
    nbformat.write(notebook, str(kernel / "mine.ipynb"))
    monkeypatch.setenv("JPY_SESSION_NAME", "course/week1/mine.ipynb")   # relative to the server
    assert score("attention-role") == 0.0
    out = capsys.readouterr().out
    assert "attention-role: not answered" in out
    assert "note: mine.ipynb, cell" in out and "is not a plain value" in out
