"""The lessons' two student media: HTML pages, and the student notebooks of a release.

The student notebook is the nbgrader source notebook passed through nbgrader's own
``ClearSolutions`` and ``ClearHiddenTests`` (what ``nbgrader generate_assignment`` does
to it), then checked: no solution delimiter and no hidden-test delimiter may remain.
"""
from __future__ import annotations

from pathlib import Path

from .. import _jsonschema  # noqa: F401 - first: nbformat imports jsonschema
import nbformat

from ..course.model import Course
from ..integrations.notebook import ANSWER_PREFIX
from ..integrations.nbgrader.notebooks import BEGIN, BEGIN_HIDDEN, Sources, source_notebook
from .notebook import load
from .page import render


class LessonBuildError(Exception):
    """A built medium would leak or is broken (says what)."""


def write_pages(course: Course, out: Path) -> list[Path]:
    """``out/<assignment>.html`` for every assignment with a lesson file."""
    sources = Sources(course)
    written = []
    for assignment in course.assignments:
        loaded = load(course, assignment, sources)
        if loaded is None:
            continue
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{assignment.id}.html"
        path.write_text(render(course, assignment, *loaded, sources), encoding="utf-8")
        written.append(path)
    return written


def student_notebook(course: Course, assignment, sources: Sources):
    """The notebook a student starts from: the stubs in place of the solutions."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    notebook = source_notebook(course, assignment, sources)
    notebook, _ = ClearSolutions().preprocess(notebook, {})
    notebook, _ = ClearHiddenTests().preprocess(notebook, {})
    for cell in notebook.cells:
        # An answer cell keeps its `answer_x = None` but not nbgrader's stub, which
        # raises: "Run all" must get past the questions to the rest of the lesson.
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith(ANSWER_PREFIX):
            cell.source = cell.source.replace("raise NotImplementedError()",
                                              "# (set your answer on the line above)")
    text = nbformat.writes(notebook)
    for marker in (BEGIN, BEGIN_HIDDEN):
        if marker in text:
            raise LessonBuildError(f"the student notebook of {assignment.id} still holds "
                                   f"{marker!r}")
    return notebook


def write_notebooks(course: Course, out: Path) -> list[Path]:
    """``out/<assignment>.ipynb``, the student notebook of every assignment."""
    sources = Sources(course)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment in course.assignments:
        path = out / f"{assignment.id}.ipynb"
        nbformat.write(student_notebook(course, assignment, sources), str(path))
        written.append(path)
    return written
