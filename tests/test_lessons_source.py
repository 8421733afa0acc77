"""Lessons as sources: a broken lesson fails with file:line; an assignment without one
still builds; the worked example's numbers are the references'; every built medium
carries the lesson and leaks no answer."""
from __future__ import annotations

import json
import re
import shutil

import nbformat
import numpy as np
import pytest

from autograder.course.loader import load_course
from autograder.grading.references import References
from autograder.checks import FUNCTIONS
from autograder.integrations.nbgrader.notebooks import Sources, source_notebook
from autograder.lessons.build import student_notebook, write_pages
from autograder.lessons.notebook import load
from autograder.lessons.source import LessonError, lesson_path
from conftest import ROOT, run_autograder


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


@pytest.fixture(scope="module")
def attention(course):
    assignment = next(a for a in course.assignments if a.id == "attention")
    return load(course, assignment, Sources(course))


def copy_course(tmp_path):
    for name in ("course.yaml", "exercises", "solutions", "public", "lessons"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    return tmp_path


def build_with(tmp_path, assignment_id, text):
    root = copy_course(tmp_path)
    (root / "lessons" / f"{assignment_id}.md").write_text(text, encoding="utf-8")
    course = load_course(root / "course.yaml")
    assignment = next(a for a in course.assignments if a.id == assignment_id)
    return source_notebook(course, assignment, Sources(course))


def test_every_assignment_of_the_course_has_a_lesson(course):
    assert all(lesson_path(course, a.id).is_file() for a in course.assignments)


@pytest.mark.parametrize("text, line, says", [
    ("Title without hash\n", 1, "starts with its title"),
    ("# T\n\n<!-- exercise: nonsense -->\n", 3, "not one of the exercises of assignment"),
    ("# T\n\n```python run\nsoftmax(np.ones(3))\n", 3, "never closed"),
    ("# T\n\n```python run\nx = positional_encoding(3, 4)\n```\n"
     "<!-- exercise: positional_encoding -->\n<!-- exercise: softmax -->\n", 3,
     "whose exercise cell comes later"),
    ("# T\n\n<!-- exercise: softmax -->\n<!-- exercise: softmax -->\n", 4, "already placed"),
    ("# T\n<!--exercise softmax-->\n", 2, "alone on its line"),
])
def test_a_broken_lesson_fails_with_its_file_and_line(tmp_path, text, line, says):
    with pytest.raises(LessonError) as error:
        build_with(tmp_path, "foundations", text)
    assert f"foundations.md:{line}:" in str(error.value)
    assert says in str(error.value)


def test_what_a_lesson_does_not_place_goes_at_its_end(tmp_path):
    text = "# T\n\n<!-- exercise: positional_encoding -->\n<!-- question: pronoun-animal -->\n"
    notebook = build_with(tmp_path, "foundations", text)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells]
    assert ids.index("positional_encoding") < ids.index("answer_pronoun-animal") \
        < ids.index("lesson_0") < ids.index("softmax") < ids.index("answer_attention-role")
    result = run_autograder("validate", "--course", str(tmp_path / "course.yaml"))
    assert result.returncode == 0
    assert "foundations.md: note: not placed, so put at the end of the lesson: softmax, " \
        "attention-role" in result.stdout


def test_a_run_block_that_fails_on_the_references_names_its_line(tmp_path):
    text = (ROOT / "lessons" / "foundations.md").read_text() + \
        "\n```python run\n\nsoftmax(undefined_name)\n```\n"
    lines = text.count("\n", 0, text.index("softmax(undefined_name)")) + 1
    with pytest.raises(LessonError, match=rf"foundations.md:{lines}: the block fails on "
                                          "the references: NameError"):
        build_with(tmp_path, "foundations", text)


def test_an_assignment_without_a_lesson_builds_the_plain_notebook(tmp_path):
    root = copy_course(tmp_path)
    (root / "lessons" / "encoder.md").unlink()
    course = load_course(root / "course.yaml")
    assignment = next(a for a in course.assignments if a.id == "encoder")
    notebook = source_notebook(course, assignment, Sources(course))
    ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells]
    assert not any(i.startswith("lesson_") for i in ids)
    assert {"layer_norm", "test_layer_norm", "answer_ffn-params"} <= set(ids)
    assert [p.name for p in write_pages(course, tmp_path / "pages")] == [
        f"{a.id}.html" for a in course.assignments if a.id != "encoder"]


def test_the_worked_example_numbers_are_the_references(course, attention):
    """Thinking / Machines with d_k = 3, recomputed here from the lesson's inputs with
    the reference functions, against what the notebook's set-up cell carries."""
    lesson, ran = attention
    names = ran.names
    x, w_q, w_k, w_v = (names[n] for n in ("X", "W_Q", "W_K", "W_V"))
    assert names["tokens"] == ["Thinking", "Machines"] and (x @ w_q).shape == (2, 3)
    references = References(course.root / "solutions", dict(FUNCTIONS))
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    weights = references["softmax"](q @ k.T / np.sqrt(3))
    outputs, attention_weights = references["scaled_dot_product_attention"](q, k, v)
    assert np.allclose(weights.sum(axis=1), 1)
    assert np.allclose(attention_weights, weights)
    assignment = next(a for a in course.assignments if a.id == "attention")
    setup = next(c.source for c in source_notebook(course, assignment, Sources(course)).cells
                 if c.metadata["nbgrader"]["grade_id"] == "lesson_setup")
    carried = json.loads(re.search(r"expect\('(.*)'\)", setup).group(1).replace("\\'", "'"))
    np.testing.assert_allclose(carried["softmax weights"], weights, rtol=1e-12)
    np.testing.assert_allclose(carried["outputs"], outputs, rtol=1e-12)
    # The page shows the same numbers, three decimals, in its step tables.
    page = (ran.outputs, lesson)
    shown = "".join(s.html for out in ran.outputs.values() for s in out.shown)
    for value in [*weights.ravel(), *outputs.ravel(), *(q @ k.T / np.sqrt(3)).ravel()]:
        assert f"<td>{value:.3f}</td>" in shown, (value, page[1].path)


def test_the_student_notebook_has_the_lesson_but_no_solution_or_key(course):
    key_values = {json.dumps(v) for v in
                  __import__("yaml").safe_load((ROOT / "solutions" / "answers.yaml")
                                               .read_text()).values()}
    for assignment in course.assignments:
        notebook = student_notebook(course, assignment, Sources(course))
        ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells]
        assert "lesson_setup" in ids and any(i.startswith("progress_") for i in ids)
        for cell in notebook.cells:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            if grade_id.startswith("answer_"):
                assert cell.source.splitlines()[0].endswith("= None")
                assert not any(f"= {v}" in cell.source for v in key_values)
        text = nbformat.writes(notebook)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
