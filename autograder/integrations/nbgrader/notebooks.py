"""An assignment's nbgrader source notebook, composed from the course.

Per exercise: a locked markdown cell (the task and its equation), a solution cell (the
stub's signature and docstring, the reference's body between nbgrader's solution
delimiters, so ``generate_assignment`` leaves the stub) and a locked check cell with
the exercise's points. Per question: a locked prompt, an answer cell
(``answer_<id> = None``, the key between the solution delimiters) and a locked check
cell. Check cells call :func:`autograder.integrations.nbgrader.cells.score`; the
hidden part of a check cell (cleared from the released notebook and from feedback)
only asks for the hidden cases: neither references nor the answer key are ever in it.

An assignment whose functions use functions of another assignment (attention's
``softmax``) gets a solution cell for each of those too, graded nowhere but used by
the graded code, because a notebook is graded on its own. Cell metadata is nbgrader's
schema 3; grade ids are what :mod:`autograder.integrations.notebook` reads back.
"""
from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

from ... import _jsonschema  # noqa: F401 - first: nbformat imports jsonschema
import nbformat
from nbformat import v4

from ...checks import FUNCTIONS
from ...course.answers import read_key
from ...course.model import Assignment, Course, Exercise, Question
from ..notebook import ANSWER_PREFIX, answer_variable
from .cells import _points

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
COURSE_MODULES = {f.removesuffix(".py") for f in FUNCTIONS.values()}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
HOW_TO_ANSWER = {       # examples without the variable, so none reads like a key line
    "single": 'one choice id in quotes, such as `"a"`',
    "multiple": 'a list of every true choice id, such as `["a", "c"]`',
    "numeric": "a number, such as `0.5`",
}


class BuildError(Exception):
    """The course cannot be turned into notebooks (says which file and line, and why)."""


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _markdown(grade_id: str, text: str):
    return v4.new_markdown_cell(text, metadata=_meta(grade_id, locked=True))


def _rst(text: str) -> str:
    return text.replace("``", "`")


class _Module:
    """One exercise file of ``solutions/`` (or ``exercises/``), parsed."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.splitlines()
        self.tree = ast.parse(self.text, filename=str(path))
        self.functions = {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}

    def imports(self) -> list[str]:
        """Its imports, except those of other exercise files (a notebook shares names)."""
        return [ast.get_source_segment(self.text, n) for n in self.tree.body
                if isinstance(n, ast.Import)
                or (isinstance(n, ast.ImportFrom) and n.module not in COURSE_MODULES)]

    def check_placeable(self) -> None:
        for node in self.tree.body[1:] if ast.get_docstring(self.tree) else self.tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                    isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS):
                continue
            raise BuildError(
                f"{self.path}:{node.lineno}: only imports and the exercise functions can be "
                "placed in notebook cells; move this into the function that uses it")

    def _span(self, name: str) -> tuple[int, int, int]:
        """Line indices: where the function starts, where its docstring ends, its end."""
        node = self.functions[name]
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        doc = node.body[0]
        has_doc = isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) \
            and isinstance(doc.value.value, str)
        return first - 1, doc.end_lineno if has_doc else doc.lineno - 1, node.end_lineno

    def head(self, name: str) -> list[str]:
        """The function's signature and docstring lines."""
        first, head_end, _ = self._span(name)
        return self.lines[first:head_end]

    def body(self, name: str) -> list[str]:
        """The function's body after its docstring, comments included."""
        _, head_end, end = self._span(name)
        lines = self.lines[head_end:end]
        while lines and not lines[0].strip():
            lines.pop(0)
        return lines

    def calls(self, name: str) -> set[str]:
        return {n.id for n in ast.walk(self.functions[name]) if isinstance(n, ast.Name)} \
            & set(FUNCTIONS) - {name}


class Sources:
    """The course's references and stubs, read once per build."""

    def __init__(self, course: Course):
        self.course = course
        self._modules: dict[Path, _Module] = {}

    def module(self, folder: str, file: str) -> _Module | None:
        path = self.course.root / folder / file
        if not path.is_file():
            return None
        if path not in self._modules:
            try:
                self._modules[path] = _Module(path)
            except SyntaxError as exc:
                raise BuildError(f"{path}:{exc.lineno}: {exc.msg}") from None
        return self._modules[path]

    def reference(self, exercise: Exercise) -> _Module:
        module = self.module("solutions", exercise.file)
        if module is None or exercise.function not in module.functions:
            raise BuildError(f"solutions/{exercise.file} defines no {exercise.function}")
        module.check_placeable()
        return module

    def solution_source(self, exercise: Exercise) -> str:
        reference = self.reference(exercise)
        stub = self.module("exercises", exercise.file)
        head_from = stub if stub and exercise.function in stub.functions else reference
        body = reference.body(exercise.function)
        indent = body[0][:len(body[0]) - len(body[0].lstrip())] if body else "    "
        lines = [*reference.imports(), "", "", *head_from.head(exercise.function),
                 f"{indent}{BEGIN}", *body, f"{indent}{END}"]
        return "\n".join(lines).lstrip("\n")

    def summary(self, exercise: Exercise) -> str:
        """The task: the stub's first docstring paragraph and its first indented block."""
        stub = self.module("exercises", exercise.file)
        module = stub if stub and exercise.function in stub.functions \
            else self.reference(exercise)
        doc = ast.get_docstring(module.functions[exercise.function]) or ""
        paragraphs = [p for p in doc.split("\n\n") if p.strip()]
        text = _rst(paragraphs[0]) if paragraphs else ""
        equation = next((p for p in paragraphs[1:] if p.startswith("    ")), None)
        if equation:
            text += "\n\n```text\n" + "\n".join(line[4:] for line in equation.split("\n")) \
                + "\n```"
        return text

    def file_intro(self, file: str) -> str | None:
        stub = self.module("exercises", file)
        doc = ast.get_docstring(stub.tree) if stub else None
        if not doc:
            return None
        title, *rest = [p for p in doc.split("\n\n") if p.strip()]
        kept = [_rst(p) for p in rest if not p.startswith("Implement")]
        return "\n\n".join([f"## `{file}`: {_rst(title.removeprefix('Exercise: '))}", *kept])

    def carried_over(self, assignment: Assignment) -> list[Exercise]:
        """Other assignments' exercises that this one's references use, directly or not."""
        by_function = {e.function: e for e in self.course.exercises}
        own = {e.function for e in assignment.exercises}
        needed, todo = set(), list(own)
        while todo:
            function = todo.pop()
            for used in self.reference(by_function[function]).calls(function):
                if used in by_function and used not in needed | own:
                    needed.add(used)
                    todo.append(used)
        return [e for e in self.course.exercises if e.function in needed]


def _check_cell(item: str, what: str, points: float):
    source = "\n".join([
        *textwrap.wrap(f"Check cell for {item} ({_points(points)}): {what}", 86,
                       initial_indent="# ", subsequent_indent="# "),
        "from autograder.integrations.nbgrader.cells import score",
        f"score({item!r})",
        BEGIN_HIDDEN,
        f"score({item!r}, hidden=True)",
        END_HIDDEN])
    return v4.new_code_cell(source, metadata=_meta(f"test_{item}", grade=True, locked=True,
                                                   points=points))


def intro_text(course: Course, assignment: Assignment, title: str | None = None) -> str:
    return "\n".join([
        f"# {title or assignment.title}",
        "",
        f"*{course.title}*, assignment `{assignment.id}`: {_points(assignment.max_score)}.",
        "",
        "- Write each function in its **solution cell**, in place of "
        "`raise NotImplementedError()`. Only the code of the solution cells is graded: put "
        "any helper function inside one of them. Use NumPy only.",
        "- The **check cell** under each solution grades this notebook **as saved** on the "
        "public cases, in a separate process: save (Ctrl+S) before running it. Hidden "
        "cases are added when your work is graded.",
        "- Answer each quick-check question by setting its variable to a plain value "
        '(`"b"`, `["b", "d"]` or `0.5`) in its answer cell.',
    ])


def question_cells(question: Question, key) -> list:
    variable = answer_variable(question.id)
    choices = "".join(f"\n- **{c}**: {text}" for c, text in question.choices.items())
    how = HOW_TO_ANSWER[question.kind]
    answer = "\n".join([f"{variable} = None", BEGIN, f"{variable} = {json.dumps(key)}", END])
    return [
        _markdown(f"prompt_{question.id}",
                  f"**{question.id}** ({_points(question.points)}): {question.prompt}"
                  f"\n{choices}\n\nIn the cell below, set `{variable}` to {how}."),
        v4.new_code_cell(answer, metadata=_meta(f"{ANSWER_PREFIX}{question.id}",
                                                solution=True)),
        _check_cell(question.id, "says whether your answer can be read; it is scored "
                                 "against the key when your work is graded.",
                    question.points),
    ]


def carried_cells(course: Course, assignment: Assignment, sources: Sources) -> list:
    """A solution cell for each function of another assignment that this one uses."""
    cells = []
    for exercise in sources.carried_over(assignment):
        owner = next(a for a in course.assignments if exercise in a.exercises)
        cells += [
            _markdown(f"carried_{exercise.function}", (
                f"### `{exercise.function}`, from “{owner.title}” (not graded here)\n\n"
                f"The code below uses your `{exercise.function}`: paste your solution "
                "from that assignment into this cell. It is not scored again here, but the "
                "functions that use it are graded with it.")),
            v4.new_code_cell(sources.solution_source(exercise),
                             metadata=_meta(exercise.function, solution=True))]
    return cells


def exercise_cells(exercise: Exercise, sources: Sources, files_seen: set[str]) -> list:
    """The file's introduction (first time only), the task, the solution, the check."""
    cells = []
    if exercise.file not in files_seen:
        files_seen.add(exercise.file)
        intro = sources.file_intro(exercise.file)
        if intro:
            cells.append(_markdown(f"file_{exercise.module}", intro))
    return cells + [
        _markdown(f"about_{exercise.function}",
                  f"### `{exercise.function}` ({_points(exercise.points)})\n\n"
                  f"{sources.summary(exercise)}\n\nThe docstring in the cell below gives "
                  "the shapes, the conventions and a worked example."),
        v4.new_code_cell(sources.solution_source(exercise),
                         metadata=_meta(exercise.function, solution=True)),
        _check_cell(exercise.function, "grades your saved notebook's code on the "
                    "public cases, in a separate process, as `autograder grade` does.",
                    exercise.points)]


def finish(course: Course, assignment: Assignment, cells: list):
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC, "language_info": {"name": "python"},
        "autograder": {"course": course.id, "assignment": assignment.id}})
    nbformat.validate(notebook)
    return notebook


def source_notebook(course: Course, assignment: Assignment, sources: Sources):
    """The nbgrader source notebook of ``assignment`` (an nbformat v4 notebook): its
    lesson with the exercises and questions where the lesson places them, or, without a
    lesson file, the exercises then the questions."""
    from ...lessons.notebook import lesson_notebook   # the lesson builder uses this module

    lesson = lesson_notebook(course, assignment, sources)
    if lesson is not None:
        return lesson
    cells = [_markdown("intro", intro_text(course, assignment))]
    cells += carried_cells(course, assignment, sources)
    files_seen: set[str] = set()
    for exercise in assignment.exercises:
        cells += exercise_cells(exercise, sources, files_seen)
    if assignment.questions:
        key = read_key(course)
        cells.append(_markdown("quick_checks", "## Quick checks"))
        for question in assignment.questions:
            cells += question_cells(question, key[question.id])
    return finish(course, assignment, cells)
