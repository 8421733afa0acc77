"""Loading ``course.yaml`` strictly: every problem is reported, each as ``file:line``."""
from __future__ import annotations

import ast
from pathlib import Path

from .._jsonschema import jsonschema  # without the format checkers: see there
from ..checks import FUNCTIONS
from ..sandbox.limits import Limits
from . import answers as answers_mod
from .locate import find_course
from .model import Assignment, Course, Exercise, Grading, Question, Tolerance
from .schema import COURSE
from .yamlsource import Document, Problem, YamlError, read

def _schema_problems(doc: Document) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(COURSE)
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(e.absolute_path)):
        path = tuple(error.absolute_path)
        where = ".".join(str(p) for p in path) or "top level"
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - allowed):
                problems.append(doc.problem(path + (key,), (
                    f"unknown key {key!r} in {where} (allowed: {', '.join(sorted(allowed))})")))
            continue
        problems.append(doc.problem(path, f"{where}: {error.message}"))
    return problems


def _defines(path: Path, function: str) -> bool:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    return any(isinstance(n, ast.FunctionDef) and n.name == function for n in tree.body)


def _semantic_problems(doc: Document, solutions: Path | None) -> list[Problem]:
    problems: list[Problem] = []
    seen_assignments, seen_functions, seen_questions = {}, {}, {}

    def unique(seen: dict, key, path, what: str) -> None:
        if key in seen:
            problems.append(doc.problem(path, f"duplicate {what} {key!r} (first on line {seen[key]})"))
        else:
            seen[key] = doc.line(path)

    for a, assignment in enumerate(doc.data["assignments"]):
        unique(seen_assignments, assignment["id"], ("assignments", a, "id"), "assignment id")
        for e, exercise in enumerate(assignment["exercises"]):
            path = ("assignments", a, "exercises", e)
            function, file = exercise["function"], exercise["file"]
            unique(seen_functions, function, path + ("function",), "exercise")
            if function not in FUNCTIONS:
                problems.append(doc.problem(path + ("function",), (
                    f"no checks exist for function {function!r} "
                    f"(known: {', '.join(FUNCTIONS)})")))
                continue
            if file != FUNCTIONS[function]:
                problems.append(doc.problem(path + ("file",), (
                    f"{function} belongs in {FUNCTIONS[function]!r}, not {file!r}")))
            elif solutions is not None and not _defines(solutions / file, function):
                problems.append(doc.problem(path + ("function",), (
                    f"solutions/{file} defines no function {function!r}")))
        for q, question in enumerate(assignment.get("questions", [])):
            path = ("assignments", a, "questions", q)
            unique(seen_questions, question["id"], path + ("id",), "question id")
            has_choices = "choices" in question
            if question["kind"] == "numeric":
                if has_choices:
                    problems.append(doc.problem(path + ("choices",), "a numeric question has no choices"))
                if "tolerance" not in question:
                    problems.append(doc.problem(path, "a numeric question needs 'tolerance'"))
            else:
                if not has_choices:
                    problems.append(doc.problem(path, f"a {question['kind']} question needs 'choices'"))
                if "tolerance" in question:
                    problems.append(doc.problem(path + ("tolerance",), (
                        f"'tolerance' is only for numeric questions, not {question['kind']}")))
            if "scoring" in question and question["kind"] != "multiple":
                problems.append(doc.problem(path + ("scoring",), (
                    f"'scoring' is only for multiple questions, not {question['kind']}")))
    return problems


def _exercise(entry: dict) -> Exercise:
    own = tuple((k, Tolerance(**v)) for k, v in entry.get("tolerances", {}).items())
    return Exercise(**{k: v for k, v in entry.items() if k != "tolerances"}, tolerances=own)


def _build(doc: Document, path: Path) -> Course:
    data = doc.data
    grading = data["grading"]
    limits = Limits(**grading.get("limits", {}))
    scoring = grading.get("multiple_choice_scoring", "all_or_nothing")
    return Course(
        id=data["course"]["id"], title=data["course"]["title"], path=path,
        grading=Grading(
            seed=grading["seed"],
            tolerances={k: Tolerance(**v) for k, v in grading["tolerances"].items()},
            limits=limits,
            hidden_visibility=grading.get("hidden_visibility", "after_due_date"),
            question_visibility=grading.get("question_visibility", "after_due_date")),
        assignments=tuple(
            Assignment(
                id=a["id"], title=a["title"],
                exercises=tuple(_exercise(e) for e in a["exercises"]),
                questions=tuple(Question(**{"scoring": scoring, **q})
                                for q in a.get("questions", [])))
            for a in data["assignments"]),
    )


def load_course(path: Path | str | None = None, *, require_solutions: bool = True) -> Course:
    """Load and validate a course file; raises :class:`YamlError` listing every problem.

    With ``require_solutions`` (the default when ``solutions/`` exists), each exercise's
    function must be defined in ``solutions/`` and every question must have a valid key
    in ``solutions/answers.yaml``. A student's release bundle has no ``solutions/``;
    there those checks are skipped.
    """
    path = Path(path).resolve() if path else find_course()
    doc = read(path, display=str(path.name if path.parent == Path.cwd() else path))
    problems = _schema_problems(doc)
    if problems:
        raise YamlError(problems)
    solutions = path.parent / "solutions"
    use_solutions = require_solutions and solutions.is_dir()
    problems = _semantic_problems(doc, solutions if use_solutions else None)
    course = _build(doc, path)
    if use_solutions:
        problems += answers_mod.key_problems(course, doc)
    if problems:
        raise YamlError(problems)
    return course
