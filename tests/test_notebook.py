"""A notebook submission is graded like a folder: the code of its solution cells, the
values of its answer cells, never its test cells, never run in the grading process."""
from __future__ import annotations

import copy

import nbformat
import pytest
import yaml
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from autograder.course.loader import load_course
from autograder.grading.engine import grade
from autograder.grading.submission import SubmissionError
from autograder.integrations.nbgrader.notebooks import Sources, source_notebook
from autograder.integrations.notebook import exercise_files, extract, read_cells
from conftest import ROOT, run_autograder


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


@pytest.fixture(scope="module")
def sources(course):
    return {a.id: source_notebook(course, a, Sources(course)) for a in course.assignments}


def released(notebook):
    """What ``nbgrader generate_assignment`` hands out: solutions and hidden tests cleared."""
    notebook = copy.deepcopy(notebook)
    notebook, _ = ClearSolutions().preprocess(notebook, {})
    notebook, _ = ClearHiddenTests().preprocess(notebook, {})
    return notebook


def with_cell(notebook, grade_id: str, source: str):
    notebook = copy.deepcopy(notebook)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == grade_id)
    cell.source = source
    return notebook


def save(notebook, path):
    nbformat.write(notebook, str(path))
    return path


def exercises(report) -> dict:
    return {e.id: e for a in report.assignments for e in a.exercises}


def test_a_source_notebook_gets_full_marks_for_its_own_assignment_only(course, sources,
                                                                       tmp_path):
    report = grade(course, save(sources["attention"], tmp_path / "attention.ipynb"))
    assert [a.id for a in report.assignments] == ["attention"]
    assert report.score == report.max_score == course.assignment("attention").max_score


@pytest.mark.parametrize("assignment", ["foundations", "attention", "encoder"])
def test_a_released_notebook_scores_zero_and_says_what_is_missing(course, sources, tmp_path,
                                                                  assignment):
    report = grade(course, save(released(sources[assignment]), tmp_path / "x.ipynb"))
    assert [a.id for a in report.assignments] == [assignment]   # from its metadata
    assert report.score == 0
    for exercise in exercises(report).values():
        assert f"{exercise.id} is not written yet" in exercise.feedback[0]
    assert all(q.message == "not answered" for q in report.assignments[0].questions)


@pytest.mark.parametrize("content, reason", [
    ('{"cells": []}', "is JSON but not a Jupyter notebook (it has no 'nbformat' field)"),
    ('{"nbformat": 4, "cells": 3}', "is not a valid Jupyter notebook (TypeError"),
    (b"\xff\xfe{", "is not UTF-8 text"),
])
def test_a_file_that_is_not_a_notebook_cannot_be_graded_and_the_error_names_it(
        course, tmp_path, content, reason):
    # A broken upload is flagged for follow-up (an error row in `batch`), not scored 0.
    path = tmp_path / "foundations.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SubmissionError) as error:
        grade(course, path)
    assert str(error.value).startswith(f"foundations.ipynb {reason}")
    assert str(error.value).endswith("so it cannot be graded: download the notebook again "
                                     "from Jupyter (File > Download) and submit that file")


def test_the_cli_refuses_a_notebook_that_is_not_json_with_one_line_and_exit_2(tmp_path):
    path = tmp_path / "foundations.ipynb"
    path.write_text("this is not { json")
    result = run_autograder("grade", path, "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "autograder: foundations.ipynb is not JSON (line 1, column 1: Expecting value), so "
        "it cannot be graded: download the notebook again from Jupyter (File > Download) "
        "and submit that file"]


def graded_cell(grade_id: str, source: str):
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
        "solution": True}})


def test_cells_share_names_as_in_a_notebook_so_files_import_from_earlier_ones(course,
                                                                              tmp_path):
    # numpy is imported in the softmax cell only; the causal_mask cell relies on it, as
    # the notebook's single namespace allows.
    notebook = nbformat.v4.new_notebook(cells=[
        graded_cell("softmax", "import numpy as np\n\ndef softmax(x, axis=-1):\n"
                               "    return x\n"),
        graded_cell("causal_mask", "def causal_mask(lq, lk=None):\n    lk = lq if lk is "
                                   "None else lk\n    return np.tril(np.ones((lq, lk), bool))\n")])
    path = save(notebook, tmp_path / "attention.ipynb")
    warnings: list[str] = []
    files = exercise_files(read_cells(path, warnings), warnings)
    assert list(files) == ["softmax.py", "attention.py"]
    assert "\nfrom softmax import np\n" in files["attention.py"]
    assert "from" not in files["softmax.py"]
    assert warnings == []
    assert exercises(grade(course, path))["causal_mask"].score == 5


def test_only_solution_cells_are_graded_not_a_helper_in_a_cell_of_its_own(course, sources,
                                                                          tmp_path):
    notebook = with_cell(sources["foundations"], "softmax",
                         "def softmax(x, axis=-1):\n    return helper(x, axis)\n")
    notebook.cells.insert(3, nbformat.v4.new_code_cell(
        "def helper(x, axis):\n    return x\n"))
    report = grade(course, save(notebook, tmp_path / "foundations.ipynb"))
    softmax = exercises(report)["softmax"]
    assert softmax.score == 0
    assert "NameError" in softmax.feedback[0] and "helper" in softmax.feedback[0]
    assert exercises(report)["positional_encoding"].score == 10


def test_the_last_of_duplicate_grade_ids_is_graded_as_nbgrader_does(course, sources,
                                                                    tmp_path):
    notebook = copy.deepcopy(sources["foundations"])
    stub = copy.deepcopy(next(c for c in released(notebook).cells
                              if c.metadata["nbgrader"]["grade_id"] == "softmax"))
    notebook.cells.insert(1, graded_cell("softmax", notebook.cells[3].source))  # correct...
    notebook.cells.append(graded_cell("softmax", stub.source))                  # ...stub last
    report = grade(course, save(notebook, tmp_path / "foundations.ipynb"))
    assert exercises(report)["softmax"].score == 0
    assert any("both have grade_id 'softmax'" in w for w in report.warnings)


def test_ipython_commands_in_a_solution_cell_are_skipped_with_a_note(course, sources,
                                                                     tmp_path):
    source = next(c.source for c in sources["foundations"].cells
                  if c.metadata["nbgrader"]["grade_id"] == "softmax")
    notebook = with_cell(sources["foundations"], "softmax",
                         "%load_ext autoreload\n" + source + "\n!ls\n")
    report = grade(course, save(notebook, tmp_path / "foundations.ipynb"))
    assert exercises(report)["softmax"].score == 10
    assert any("IPython command(s) on line(s) 1" in w for w in report.warnings)


@pytest.mark.parametrize("cell, answer, note", [
    ('answer_attention_role = None\nanswer_attention_role = "b"', "b", None),
    ('answer_attention_role: str = "b"', "b", None),
    ('answer_attention_role = __import__("os").getcwd()', None, "is not a plain value"),
    ('answer_attention_role = ("b"', None, "has a syntax error on line 1"),
])
def test_answers_are_read_as_plain_values_never_evaluated(tmp_path, sources, cell, answer,
                                                          note):
    notebook = with_cell(sources["foundations"], "answer_attention-role", cell)
    warnings: list[str] = []
    extract(save(notebook, tmp_path / "foundations.ipynb"), tmp_path, warnings)
    values = yaml.safe_load((tmp_path / "answers.yaml").read_text())
    assert values["attention-role"] == answer
    assert values["pronoun-animal"] == "c"
    relevant = [w for w in warnings if "attention-role" in w]
    assert len(relevant) == (note is not None)
    assert all(note in w for w in relevant)


def test_a_multiple_choice_answer_given_as_a_tuple_is_a_list(tmp_path, sources):
    notebook = with_cell(sources["encoder"], "answer_long-range-vs-rnn",
                         'answer_long_range_vs_rnn = ("b", "d", "e")')
    extract(save(notebook, tmp_path / "encoder.ipynb"), tmp_path, [])
    answers = yaml.safe_load((tmp_path / "answers.yaml").read_text())
    assert answers["long-range-vs-rnn"] == ["b", "d", "e"]


def test_a_notebook_without_graded_cells_says_so(course, tmp_path):
    path = save(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                tmp_path / "foundations.ipynb")
    report = grade(course, path)
    assert report.score == 0
    assert any("has no cell the grader reads" in w for w in report.warnings)


def test_a_process_that_only_reads_a_notebook_leaves_the_slow_format_checkers_out(
        sources, tmp_path):
    """A batch's pool process reads notebooks without loading a course: nbformat's
    jsonschema must come without the optional format checkers, one of which builds a
    parser for seconds on every import (a class of notebooks took 3.4 s more per
    process)."""
    import subprocess
    import sys

    from autograder._jsonschema import _FORMAT_CHECKERS

    path = save(sources["attention"], tmp_path / "attention.ipynb")
    script = ("import sys\nfrom pathlib import Path\n"
              "from autograder.integrations.notebook_file import load\n"
              f"notebook, why = load(Path({str(path)!r}))\n"
              "assert notebook is not None, why\n"
              f"print(sorted(set({list(_FORMAT_CHECKERS)!r}) & set(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
