"""A broken file costs only what uses it (issue 10, item 3): the functions that never
call into a file with a syntax error keep their points, those that do lose them with a
message naming the broken file and line (in a notebook: the cell and its line)."""
from __future__ import annotations

import shutil

import nbformat

from autograder.course.loader import load_course
from autograder.integrations.nbgrader.notebooks import Sources, source_notebook
from conftest import EXERCISES, ROOT, SOLUTIONS, exercises_of, grade_json, run_autograder
from test_notebook import with_cell


def test_a_stray_line_in_softmax_costs_only_what_calls_softmax(submission):
    text = (SOLUTIONS / "softmax.py").read_text() + "\nx = (\n"
    lines = text.count("\n")
    folder = submission(replace={"softmax.py": text})
    scores = exercises_of(grade_json(folder))
    for kept in ("positional_encoding", "causal_mask", "layer_norm", "feed_forward"):
        assert scores[kept]["score"] == scores[kept]["max_score"], kept
    assert scores["softmax"]["score"] == 0
    for lost in ("scaled_dot_product_attention", "multi_head_attention", "encoder_block"):
        assert scores[lost]["score"] < scores[lost]["max_score"] / 2, lost
        assert f"softmax.py cannot be imported: a syntax error on line {lines}" in str(
            scores[lost]), lost


def test_a_file_that_raises_at_import_costs_only_what_calls_into_it(submission):
    text = (SOLUTIONS / "softmax.py").read_text() + "\nraise ValueError('boom')\n"
    folder = submission(replace={"softmax.py": text})
    scores = exercises_of(grade_json(folder, "--assignment", "attention"))
    assert scores["causal_mask"]["score"] == scores["causal_mask"]["max_score"]
    line = text.count("\n")
    assert (f"softmax.py cannot be imported: an error (ValueError) on line {line} (boom)"
            in str(scores["scaled_dot_product_attention"]))


def test_the_self_check_of_the_exercises_with_a_broken_softmax_says_where(tmp_path):
    # The Done-when of issue 10: a copy of exercises/ (stubs) and of solutions/.
    for origin in (EXERCISES, SOLUTIONS):
        folder = tmp_path / origin.name
        shutil.copytree(origin, folder, ignore=shutil.ignore_patterns("mistakes", "*.yaml"))
        with open(folder / "softmax.py", "a") as f:
            f.write("\nx = (\n")
        out = run_autograder("check", folder).stdout
        assert "softmax.py has a syntax error: '(' was never closed (softmax.py, line" in out
        if origin == SOLUTIONS:
            for line in out.splitlines():
                if line.lstrip().startswith(("causal_mask ", "layer_norm ", "feed_forward ",
                                             "positional_encoding ")):
                    assert "passed" in line, line


def test_a_broken_carried_cell_is_reported_and_costs_only_its_callers(tmp_path):
    course = load_course(ROOT / "course.yaml")
    notebook = source_notebook(course, course.assignment("attention"), Sources(course))
    cell = next(c for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "softmax")
    notebook = with_cell(notebook, "softmax", cell.source + "\nx = (\n")
    path = tmp_path / "attention.ipynb"
    nbformat.write(notebook, str(path))
    report = grade_json(path)
    scores = exercises_of(report)
    assert scores["causal_mask"]["score"] == scores["causal_mask"]["max_score"]
    assert scores["scaled_dot_product_attention"]["score"] < 14
    said = str(report)
    assert "the softmax cell (attention.ipynb, cell " in said
    assert "has a syntax error on line " in said and " of the cell" in said
    assert "softmax.py, line" not in said   # the stand-in is never a line shown
