"""`autograder nbgrader build`: source notebooks in nbgrader's schema 3 with the points of
course.yaml, hidden parts that hold nothing secret, and a config nbgrader can load."""
from __future__ import annotations

import re

import pytest
from nbgrader.nbgraderformat import MetadataValidator
from traitlets.config.loader import PyFileConfigLoader

from autograder.course.loader import load_course
from autograder.integrations.nbgrader.build import build
from autograder.integrations.nbgrader.notebooks import Sources, source_notebook
from conftest import ROOT, run_autograder


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


@pytest.fixture(scope="module")
def notebooks(course):
    sources = Sources(course)
    return {a.id: source_notebook(course, a, sources) for a in course.assignments}


def nbgrader_cells(notebook) -> dict[str, dict]:
    return {c.metadata["nbgrader"]["grade_id"]: {**c.metadata["nbgrader"], "source": c.source}
            for c in notebook.cells}


def test_every_cell_passes_nbgraders_own_schema_3_validator(notebooks):
    for notebook in notebooks.values():
        MetadataValidator().validate_nb(notebook)     # raises on any problem
        assert {c.metadata["nbgrader"]["schema_version"] for c in notebook.cells} == {3}


def test_each_exercise_and_question_has_a_solution_and_a_check_cell_worth_its_points(
        course, notebooks):
    for assignment in course.assignments:
        cells = nbgrader_cells(notebooks[assignment.id])
        for exercise in assignment.exercises:
            assert cells[exercise.function]["solution"] and not cells[exercise.function]["grade"]
            check = cells[f"test_{exercise.function}"]
            assert (check["grade"], check["locked"], check["solution"]) == (True, True, False)
            assert check["points"] == exercise.points
        for question in assignment.questions:
            assert cells[f"answer_{question.id}"]["solution"]
            assert cells[f"test_{question.id}"]["points"] == question.points
        points = sum(c.get("points", 0) for c in cells.values())
        assert points == assignment.max_score


def test_hidden_parts_only_ask_for_the_hidden_cases(notebooks):
    for notebook in notebooks.values():
        for grade_id, cell in nbgrader_cells(notebook).items():
            hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)\n### END HIDDEN TESTS",
                                cell["source"], re.S)
            if grade_id.startswith("test_"):
                assert hidden == [f"score({grade_id[5:]!r}, hidden=True)"]
            else:
                assert hidden == []


def test_solution_cells_hold_the_reference_between_the_solution_markers(notebooks):
    cells = nbgrader_cells(notebooks["foundations"])
    softmax = cells["softmax"]["source"]
    head, body = softmax.split("    ### BEGIN SOLUTION\n")
    assert head.startswith("import numpy as np\n\n\ndef softmax(x, axis=-1):")
    assert "Worked example" in head                   # the stub's docstring
    assert "e = np.exp(x - m)" in body and body.endswith("    ### END SOLUTION")
    answer = cells["answer_attention-role"]["source"]
    assert answer == ('answer_attention_role = None\n### BEGIN SOLUTION\n'
                      'answer_attention_role = "b"\n### END SOLUTION')


def test_an_assignment_carries_over_the_functions_its_code_uses(course, notebooks):
    carried = {a: [c.metadata["nbgrader"]["grade_id"] for c in notebooks[a].cells
                   if c.metadata["nbgrader"]["grade_id"].startswith("carried_")]
               for a in notebooks}
    assert carried == {
        "foundations": [],
        "attention": ["carried_softmax"],
        "encoder": ["carried_softmax", "carried_scaled_dot_product_attention",
                    "carried_multi_head_attention"],
        "capstone": ["carried_softmax", "carried_scaled_dot_product_attention",
                     "carried_multi_head_attention", "carried_layer_norm", "carried_gelu",
                     "carried_feed_forward", "carried_encoder_block"]}
    cells = nbgrader_cells(notebooks["encoder"])
    assert "test_softmax" not in cells and cells["softmax"]["solution"]


def test_the_config_is_one_nbgrader_loads(course, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_COURSE", "restored after the test")
    result = build(course, tmp_path / "class", cell_timeout=42)
    config = PyFileConfigLoader(result.config.name, path=str(result.folder)).load_config()
    assert config.CourseDirectory.course_id == course.id
    assert config.CourseDirectory.db_url == f"sqlite:///{tmp_path / 'class' / 'gradebook.db'}"
    assert config.Execute.timeout == 42 and config.Execute.kernel_name == "python3"
    assert "nbgrader.preprocessors.ClearHiddenTests" in config.GenerateFeedback.preprocessors
    assert [p.relative_to(result.folder).as_posix() for p in result.notebooks] == [
        f"source/{a.id}/{a.id}.ipynb" for a in course.assignments]


def test_the_default_cell_timeout_covers_a_whole_submissions_grading(course, tmp_path):
    result = build(course, tmp_path / "class")
    assert result.cell_timeout > course.grading.limits.submission_timeout


def test_a_reference_with_code_outside_its_functions_is_refused_with_file_and_line(
        course_copy, tmp_path):
    softmax = course_copy / "solutions" / "softmax.py"
    lines = softmax.read_text().count("\n")
    softmax.write_text(softmax.read_text() + "\nSCALE = 2.0\n")
    result = run_autograder("nbgrader", "build", "--course", course_copy / "course.yaml",
                            tmp_path / "class")
    assert result.returncode == 2
    assert f"solutions/softmax.py:{lines + 2}: only imports and the exercise functions" \
        in result.stderr
