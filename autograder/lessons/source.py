"""Reading ``lessons/<assignment>.md`` into blocks, and checking it against the course.

The format is described in ``lessons/README.md``. Every error names the lesson file and
line. An assignment without a lesson file has no lesson (``read_lesson`` gives None).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..checks import FUNCTIONS
from ..course.model import Assignment, Course

FOLDER = "lessons"
RUN_INFO = "python run"
DIRECTIVE = re.compile(r"^<!--\s*(exercise|question)\s*:\s*([\w-]+)\s*-->\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*?)\s*$")
CELL_BREAK = re.compile(r"^#{2,3} ")
# The heading above what a lesson does not place (it stays buildable when the course
# gains an exercise before its lesson is updated).
UNPLACED_HEADING = "More of this assignment (not yet placed in the lesson)"


class LessonError(Exception):
    """A lesson file is not valid (says file:line, what, and how to fix it)."""


@dataclass(frozen=True)
class Markdown:
    text: str
    line: int


@dataclass(frozen=True)
class Run:
    code: str
    line: int


@dataclass(frozen=True)
class Place:
    kind: str          # "exercise" or "question"
    name: str
    line: int


@dataclass(frozen=True)
class Lesson:
    assignment: str
    path: Path
    title: str
    blocks: tuple
    unplaced: tuple = ()      # exercises and questions the file does not place

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"


def lesson_path(course: Course, assignment_id: str) -> Path:
    return course.root / FOLDER / f"{assignment_id}.md"


def _flush(blocks: list, text: list[str], start: int) -> None:
    while text and not text[-1].strip():
        text.pop()
    lead = 0
    while lead < len(text) and not text[lead].strip():
        lead += 1
    if lead < len(text):
        blocks.append(Markdown("\n".join(text[lead:]), start + lead))


def parse(path: Path, assignment_id: str) -> Lesson:
    """The blocks of a lesson file, in order (no check against the course)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path}: cannot read it ({exc})") from None
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].startswith("# "):
        raise LessonError(f"{path}:{(first or 0) + 1}: a lesson starts with its title, "
                          "a line `# Title`")
    title = lines[first][2:].strip()
    blocks: list = []
    text: list[str] = []
    text_start = first + 2
    fence = None            # (marker, is_run, start line, code lines) inside a fence
    for number, line in enumerate(lines[first + 1:], first + 2):
        if fence:
            marker, is_run, start, code = fence
            if line.strip().startswith(marker) and not line.strip().strip(marker[0]):
                if is_run:
                    blocks.append(Run("\n".join(code), start))
                else:
                    text.append(line)
                fence = None
                text_start = number + 1 if is_run else text_start
            elif is_run:
                code.append(line)
            else:
                text.append(line)
            continue
        opened = FENCE.match(line)
        directive = DIRECTIVE.match(line.strip())
        if opened:
            is_run = opened.group(2) == RUN_INFO
            if is_run:
                _flush(blocks, text, text_start)
                text = []
            else:
                text.append(line)
            fence = (opened.group(1), is_run, number, [])
        elif directive:
            _flush(blocks, text, text_start)
            text, text_start = [], number + 1
            blocks.append(Place(directive.group(1), directive.group(2), number))
        elif line.lstrip().startswith("<!--") and re.search(r"exercise|question", line):
            raise LessonError(f"{path}:{number}: a marker is written "
                              "`<!-- exercise: FUNCTION -->` or `<!-- question: ID -->`, "
                              "alone on its line")
        elif CELL_BREAK.match(line):
            _flush(blocks, text, text_start)
            text, text_start = [line], number
        else:
            text.append(line)
    if fence:
        raise LessonError(f"{path}:{fence[2]}: this code block is never closed")
    _flush(blocks, text, text_start)
    return Lesson(assignment_id, path, title, tuple(blocks))


def _check_places(lesson: Lesson, kind: str, wanted: list[str]) -> list[str]:
    """Unknown or repeated markers are errors; returns the ``wanted`` left unplaced."""
    seen: dict[str, int] = {}
    for block in lesson.blocks:
        if isinstance(block, Place) and block.kind == kind:
            if block.name not in wanted:
                raise LessonError(
                    f"{lesson.where(block.line)}: {block.name!r} is not one of the "
                    f"{kind}s of assignment {lesson.assignment!r} ({', '.join(wanted)})")
            if block.name in seen:
                raise LessonError(f"{lesson.where(block.line)}: {kind} {block.name!r} is "
                                  f"already placed at line {seen[block.name]}")
            seen[block.name] = block.line
    return [name for name in wanted if name not in seen]


def check(lesson: Lesson, assignment: Assignment, carried: set[str]) -> Lesson:
    """Each marker names an exercise or question of the assignment, once; a run block
    calls only functions defined above it in the notebook; run blocks parse. Returns the
    lesson with what it does not place (an exercise added to the course after the lesson
    was written) appended at its end, so the course still builds; ``unplaced`` says
    which, and ``autograder validate`` reports them."""
    defined = set(carried)
    for block in lesson.blocks:
        if isinstance(block, Place) and block.kind == "exercise":
            defined.add(block.name)
        if not isinstance(block, Run):
            continue
        try:
            tree = ast.parse(block.code)
        except SyntaxError as exc:
            raise LessonError(f"{lesson.where(block.line + (exc.lineno or 1))}: "
                              f"{exc.msg}") from None
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & set(FUNCTIONS)
        early = sorted(used - defined)
        if early:
            raise LessonError(f"{lesson.where(block.line)}: this block calls {early[0]}, "
                              "whose exercise cell comes later; move the block below "
                              f"`<!-- exercise: {early[0]} -->`")
    unplaced = [Place("exercise", name, 0) for name in _check_places(
        lesson, "exercise", [e.function for e in assignment.exercises])]
    unplaced += [Place("question", name, 0) for name in _check_places(
        lesson, "question", [q.id for q in assignment.questions])]
    if not unplaced:
        return lesson
    heading = Markdown(f"## {UNPLACED_HEADING}", 0)
    return replace(lesson, blocks=(*lesson.blocks, heading, *unplaced),
                   unplaced=tuple(p.name for p in unplaced))


def read_lesson(course: Course, assignment: Assignment, carried: set[str]) -> Lesson | None:
    """The checked lesson of ``assignment``, or None when it has no lesson file."""
    path = lesson_path(course, assignment.id)
    if not path.is_file():
        return None
    return check(parse(path, assignment.id), assignment, carried)


def check_lessons(course: Course) -> list[Lesson]:
    """Every lesson file of the course, read and checked (without running it)."""
    from ..integrations.nbgrader.notebooks import Sources

    sources = Sources(course)
    found = []
    for assignment in course.assignments:
        carried = {e.function for e in sources.carried_over(assignment)}
        lesson = read_lesson(course, assignment, carried)
        if lesson is not None:
            found.append(lesson)
    return found
