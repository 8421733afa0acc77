"""Running a lesson's run blocks on the course's references, at build time.

This gives the HTML page its outputs (what each block prints, its tables, its pictures)
and the expected numbers of every ``step``, which the notebooks' set-up cell carries.
References are trusted course code (as in grading); no student code runs here.
"""
from __future__ import annotations

import contextlib
import io
import traceback
from dataclasses import dataclass

import numpy as np

from ..course.model import Course
from ..grading.references import References
from . import show
from .source import Lesson, LessonError, Run


@dataclass(frozen=True)
class Output:
    printed: str
    shown: tuple          # show.Shown objects, in order


@dataclass(frozen=True)
class LessonRun:
    expected: dict        # step label -> ndarray (the references' values)
    outputs: dict         # line of each Run block -> Output
    names: dict           # the blocks' namespace at the end (for tests)


def namespace(references) -> dict:
    """What a run block sees: NumPy, the show helpers and the exercise functions."""
    names = {"np": np, "__name__": "__lesson__"}
    names.update({name: getattr(show, name) for name in show.__all__})
    names.update(references)
    return names


def run_lesson(course: Course, lesson: Lesson, functions: set[str]) -> LessonRun:
    """Run every block of ``lesson`` on the references of ``functions`` (those its
    notebook defines: a run block can call no other); errors name file:line."""
    files = {e.function: e.file for e in course.exercises if e.function in functions}
    references = References(course.root / "solutions", files)
    names = namespace({f: references[f] for f in files})
    outputs = {}
    saved = dict(show._expected)
    show._expected.clear()
    try:
        with show.recording() as recorded:
            for block in lesson.blocks:
                if not isinstance(block, Run):
                    continue
                printed = io.StringIO()
                with show.capture() as shown, contextlib.redirect_stdout(printed):
                    try:
                        # the first line of code is the line after the fence
                        code = compile("\n" * block.line + block.code, str(lesson.path),
                                       "exec")
                        exec(code, names)    # noqa: S102 - trusted course code
                    except Exception as exc:
                        line = next((f.lineno for f in reversed(
                            traceback.extract_tb(exc.__traceback__))
                            if f.filename == str(lesson.path)), block.line)
                        raise LessonError(f"{lesson.where(line)}: the block fails on the "
                                          f"references: {type(exc).__name__}: {exc}") from None
                outputs[block.line] = Output(printed.getvalue(), tuple(shown))
            expected = dict(recorded)
    finally:
        show._expected.clear()
        show._expected.update(saved)
    return LessonRun(expected, outputs, names)
