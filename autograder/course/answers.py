"""``answers.yaml``: a student's quick-check answers, or the key in ``solutions/``.

Both have the contract's format: question id -> a choice id (single), a list of choice
ids (multiple) or a number (numeric); a question left out or ``null`` is unanswered.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from pathlib import Path

from .model import Course, Question
from .yamlsource import Document, Problem, YamlError, read

ANSWERS_FILE = "answers.yaml"


@dataclass
class Answers:
    """What a student's ``answers.yaml`` holds, or why it could not be used."""

    values: dict = field(default_factory=dict)
    problem: str | None = None          # the file as a whole is unusable (why)
    warnings: list[str] = field(default_factory=list)
    present: bool = True                # False when there was no file at all


def shape_problem(question: Question, value) -> str | None:
    """Why ``value`` is not a well-formed answer to ``question`` (None if it is)."""
    if question.kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return f"expects a number, got {value!r}"
        return None
    choices = list(question.choices)
    picks = value if question.kind == "multiple" else [value]
    if question.kind == "multiple" and not isinstance(value, list):
        return f"expects a list of choice ids such as [a, c], got {value!r}"
    for pick in picks:
        if not isinstance(pick, str) or pick not in question.choices:
            return f"{pick!r} is not one of the choices {', '.join(choices)}"
    return None


def read_answers(path: Path, course: Course) -> Answers:
    """Read a student's answers; never raises: problems are reported, not fatal."""
    if not path.is_file():
        return Answers(present=False)
    try:
        doc = read(path, display=path.name)
    except YamlError as exc:
        return Answers(problem=str(exc))
    if doc.data is None:
        return Answers()
    if not isinstance(doc.data, dict):
        return Answers(problem=f"{path.name}:1: expected a mapping of question id -> answer")
    known = {q.id for q in course.questions}
    answers = Answers()
    for key, value in doc.data.items():
        if str(key) not in known:
            answers.warnings.append(
                f"{path.name}:{doc.line((key,))}: unknown question id {key!r} is ignored")
            continue
        answers.values[str(key)] = value
    return answers


def key_problems(course: Course, course_doc: Document) -> list[Problem]:
    """Problems of ``solutions/answers.yaml`` as the answer key of ``course``."""
    key_path = course.solutions / ANSWERS_FILE
    try:
        key = read(key_path, display=f"solutions/{ANSWERS_FILE}")
    except YamlError as exc:
        return exc.problems
    values = key.data if isinstance(key.data, dict) else {}
    problems = []
    question_paths = {
        q["id"]: ("assignments", a, "questions", i)
        for a, assignment in enumerate(course_doc.data["assignments"])
        for i, q in enumerate(assignment.get("questions", []))}
    for question in course.questions:
        if values.get(question.id) is None:
            problems.append(course_doc.problem(
                question_paths[question.id] + ("id",),
                f"question {question.id!r} has no answer in solutions/{ANSWERS_FILE}"))
            continue
        reason = shape_problem(question, values[question.id])
        if reason:
            problems.append(key.problem((question.id,), f"key for {question.id!r} {reason}"))
    for extra in sorted(set(map(str, values)) - {q.id for q in course.questions}):
        problems.append(key.problem((extra,), f"key for unknown question {extra!r}"))
    return problems


def read_key(course: Course) -> dict:
    """The answer key (assumes :func:`key_problems` found none)."""
    return read(course.solutions / ANSWERS_FILE).data or {}
