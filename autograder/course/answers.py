"""``answers.yaml``: a student's quick-check answers, or the key in ``solutions/``.

Both have the contract's format: question id -> a choice id (single), a list of choice
ids (multiple) or a number (numeric); a question left out or ``null`` is unanswered.

A student's file is parsed by the grading process itself, so it is bounded before
anything is built from it: at most ``MAX_BYTES``, ``MAX_DEPTH`` levels of nesting,
``MAX_SCALAR`` characters per value and ``MAX_EVENTS`` parser events, and no anchors
or aliases (answers never need them; aliases are how a few hundred bytes of YAML
become gigabytes). The parser's event stream is checked first, then the document is
built. Any failure, ``RecursionError`` and ``MemoryError`` included, is a one-line
reason, and the quick checks score 0.
"""
from __future__ import annotations

import difflib
import math
import numbers
import reprlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import Course, Question
from .yamlsource import LOADER, Document, Problem, YamlError, parse, read

MAX_BYTES = 64 << 10
MAX_DEPTH = 4          # a mapping of lists of choice ids is 2
MAX_SCALAR = 1000
MAX_EVENTS = 20_000
UNKNOWN_SHOWN = 10
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = 8

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
            return f"expects a number, got {_SHORT.repr(value)}"
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            return f"expects a finite number, got {_SHORT.repr(value)}"
        return None
    choices = list(question.choices)
    picks = value if question.kind == "multiple" else [value]
    if question.kind == "multiple" and not isinstance(value, list):
        return f"expects a list of choice ids such as [a, c], got {value!r}"
    for pick in picks:
        if not isinstance(pick, str) or pick not in question.choices:
            return f"{pick!r} is not one of the choices {', '.join(choices)}"
    return None


def _events_problem(text: str, name: str) -> Problem | None:
    """Why ``text`` is refused before a document is built from it (None if it is not)."""
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=LOADER)):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if count >= MAX_EVENTS:
            return Problem(name, line, f"more than {MAX_EVENTS} values and markers")
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return Problem(name, line, "anchors and aliases (&name, *name) are not allowed "
                           "in answers.yaml: write each answer out")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(name, line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR:
            return Problem(name, line, f"a value of {len(event.value)} characters, over "
                           f"the {MAX_SCALAR} character limit")
    return None


def _read_bounded(path: Path) -> Document:
    """``path`` parsed, within the bounds above; raises YamlError naming the problem."""
    name = path.name
    try:
        text = path.read_bytes()[:MAX_BYTES + 1].decode("utf-8")
    except UnicodeDecodeError:
        raise YamlError([Problem(name, 1, "not UTF-8 text")]) from None
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlError([Problem(name, 1, f"over the {MAX_BYTES} byte limit")])
    try:
        problem = _events_problem(text, name)
    except yaml.YAMLError:
        problem = None          # parse() below says where the syntax is wrong
    if problem:
        raise YamlError([problem])
    return parse(text, name)


def read_answers(path: Path, course: Course) -> Answers:
    """Read a student's answers; never raises: problems are reported, not fatal."""
    if not path.is_file():
        return Answers(present=False)
    try:
        doc = _read_bounded(path)
    except YamlError as exc:
        return Answers(problem=str(exc).splitlines()[0][:300])
    except (RecursionError, MemoryError, OSError, ValueError) as exc:
        return Answers(problem=f"{path.name}:1: could not be read ({type(exc).__name__})")
    if doc.data is None:
        return Answers()
    if not isinstance(doc.data, dict):
        return Answers(problem=f"{path.name}:1: expected a mapping of question id -> answer")
    known = {q.id for q in course.questions}
    answers = Answers()
    for key, value in doc.data.items():
        if str(key) not in known:
            if len(answers.warnings) == UNKNOWN_SHOWN:
                answers.warnings.append(f"{path.name}: more unknown question ids, ignored")
            if len(answers.warnings) >= UNKNOWN_SHOWN:
                continue
            near = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
            answers.warnings.append(
                f"{path.name}:{doc.line((key,))}: unknown question id {_SHORT.repr(key)} "
                "is ignored" + (f" (did you mean {near[0]!r}?)" if near else ""))
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
