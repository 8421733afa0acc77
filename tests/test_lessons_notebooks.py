"""Every built notebook runs top to bottom on a real Jupyter kernel (nbclient): the
nbgrader source notebook, references and keys filled in, with no error and every picture
drawn; the released student notebook, where the lesson cells run (showing the
reference's numbers) and only the exercise cells may fail."""
from __future__ import annotations

import asyncio
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.checks import FUNCTIONS
from autograder.course.loader import load_course
from autograder.integrations import release
from autograder.integrations.nbgrader.build import build
from autograder.integrations.nbgrader.cells import COURSE_VARIABLE
from autograder.integrations.nbgrader.notebooks import Sources
from autograder.lessons.notebook import load
from conftest import ROOT

COURSE = load_course(ROOT / "course.yaml")
ASSIGNMENTS = [a.id for a in COURSE.assignments]
CELL_TIMEOUT = 180


def execute_all(paths, env=None) -> list:
    """Run the notebooks at ``paths`` at once, each on its own kernel (their check cells
    spend most of the time waiting for the grading process)."""
    notebooks = [nbformat.read(str(path), as_version=4) for path in paths]
    clients = [NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT,
                              allow_errors=True,
                              resources={"metadata": {"path": str(path.parent)}})
               for notebook, path in zip(notebooks, paths)]

    async def run():
        await asyncio.gather(*(client.async_execute() for client in clients))

    saved = dict(os.environ)
    os.environ.update(env or {})      # the kernels inherit it
    try:
        asyncio.run(run())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebooks


def grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def errors(cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", [])
            if o.output_type == "error"]


def pictures(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def texts(cell) -> str:
    return "\n".join(o.get("data", {}).get("text/markdown", "") + o.get("text", "")
                     for o in cell.get("outputs", []))


@pytest.fixture(scope="module")
def expected_pictures():
    """Pictures per lesson cell, as drawn by the build on the references."""
    sources = Sources(COURSE)
    counts = {}
    for assignment in COURSE.assignments:
        _, ran = load(COURSE, assignment, sources)
        counts[assignment.id] = {f"lesson_{line}": sum(s.png is not None for s in out.shown)
                                 for line, out in ran.outputs.items()}
    return counts


@pytest.fixture(scope="module")
def filled_in(tmp_path_factory):
    folder = build(COURSE, tmp_path_factory.mktemp("nbgrader")).folder
    env = {COURSE_VARIABLE: str(ROOT / "course.yaml")}
    paths = [folder / "source" / a / f"{a}.ipynb" for a in ASSIGNMENTS]
    return dict(zip(ASSIGNMENTS, execute_all(paths, env)))


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "bundle"
    release.build(COURSE, out)
    paths = [out / "notebooks" / f"{a}.ipynb" for a in ASSIGNMENTS]
    return dict(zip(ASSIGNMENTS, execute_all(paths)))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_filled_in_notebook_runs_without_error_and_draws_every_picture(
        assignment, filled_in, expected_pictures):
    notebook = filled_in[assignment]
    assert [(grade_id(c), errors(c)) for c in notebook.cells if errors(c)] == []
    drawn = {grade_id(c): pictures(c) for c in notebook.cells if grade_id(c) in
             expected_pictures[assignment]}
    assert drawn == expected_pictures[assignment]
    assert sum(drawn.values()) >= 2
    lesson_text = "\n".join(texts(c) for c in notebook.cells if grade_id(c).startswith(
        ("lesson_", "progress_")))
    assert "not written yet" not in lesson_text and "differs from" not in lesson_text
    questions = len(next(a for a in COURSE.assignments if a.id == assignment).questions)
    assert f"answered so far: {questions} of {questions}" in lesson_text
    scores = [c for c in notebook.cells if grade_id(c) in {f"test_{f}" for f in FUNCTIONS}]
    assert scores and all(c.outputs[-1]["data"]["text/plain"] == str(float(
        c.metadata["nbgrader"]["points"])) for c in scores)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_released_notebook_runs_its_lesson_on_the_stubs(
        assignment, released, expected_pictures):
    notebook = released[assignment]
    exercise_cells = {*FUNCTIONS, *(f"test_{f}" for f in FUNCTIONS)}
    failing = [(grade_id(c), errors(c)) for c in notebook.cells if errors(c)]
    assert all(cell in exercise_cells for cell, _ in failing), failing
    drawn = {grade_id(c): pictures(c) for c in notebook.cells if grade_id(c) in
             expected_pictures[assignment]}
    assert drawn == expected_pictures[assignment]
    lesson_text = "\n".join(texts(c) for c in notebook.cells)
    assert re.search(r"`\w+` is not written yet \(it raises NotImplementedError\)",
                     lesson_text)
    assert "answered so far: 0 of" in lesson_text
