"""An assignment's nbgrader source notebook with its lesson woven in.

Lesson text becomes locked markdown cells, run blocks locked code cells (``lesson_<line>``
grade ids, so nbgrader restores them and the grader ignores them), and the lesson's
markers become the exercise and question cells of
:mod:`autograder.integrations.nbgrader.notebooks`. A locked set-up cell comes first: it
imports the show helpers and carries the references' numbers for every ``step``.
"""
from __future__ import annotations

from .. import _jsonschema  # noqa: F401 - first: nbformat imports jsonschema
from nbformat import v4

from ..course.answers import read_key
from ..course.model import Assignment, Course
from ..integrations.nbgrader import notebooks as nb
from . import show
from .run import LessonRun, run_lesson
from .source import Markdown, Place, Run, read_lesson

SETUP = '''\
# Set-up for the lesson (run it first): NumPy, the course's tables and pictures, and the
# numbers the course's reference code gives for each step of the examples, which the
# lesson shows wherever your own function is not written yet.
import numpy as np
from autograder.lessons.show import *
expect({expected!r})'''


def _code(grade_id: str, source: str):
    return v4.new_code_cell(source, metadata=nb._meta(grade_id, locked=True))


def progress_source(assignment: Assignment) -> str:
    ids = [q.id for q in assignment.questions]
    return f"progress({assignment.id!r}, {ids!r}, globals())"


def lesson_cells(course: Course, assignment: Assignment, sources: nb.Sources,
                 lesson, ran: LessonRun) -> list:
    cells = [nb._markdown("intro", nb.intro_text(course, assignment, lesson.title))]
    cells += nb.carried_cells(course, assignment, sources)
    setup = _code("lesson_setup", SETUP.format(expected=show.expected_json(ran.expected)))
    setup.metadata["jupyter"] = {"source_hidden": True}    # a long line of numbers: folded
    cells.append(setup)
    exercises = {e.function: e for e in assignment.exercises}
    questions = {q.id: q for q in assignment.questions}
    key = read_key(course) if assignment.questions else {}
    files_seen: set[str] = set()
    for block in lesson.blocks:
        if isinstance(block, Markdown):
            cells.append(nb._markdown(f"lesson_{block.line}", block.text))
        elif isinstance(block, Run):
            cells.append(_code(f"lesson_{block.line}", block.code))
        elif isinstance(block, Place) and block.kind == "exercise":
            cells += nb.exercise_cells(exercises[block.name], sources, files_seen)
        elif isinstance(block, Place):
            cells += nb.question_cells(questions[block.name], key[block.name])
            cells.append(_code(f"progress_{block.name}", progress_source(assignment)))
    return cells


def load(course: Course, assignment: Assignment, sources: nb.Sources):
    """``(lesson, run)`` for ``assignment``, or None when it has no lesson file."""
    carried = {e.function for e in sources.carried_over(assignment)}
    lesson = read_lesson(course, assignment, carried)
    if lesson is None:
        return None
    functions = carried | {e.function for e in assignment.exercises}
    return lesson, run_lesson(course, lesson, functions)


def lesson_notebook(course: Course, assignment: Assignment, sources: nb.Sources):
    """The source notebook with the lesson, or None when there is no lesson file."""
    loaded = load(course, assignment, sources)
    if loaded is None:
        return None
    return nb.finish(course, assignment, lesson_cells(course, assignment, sources, *loaded))
