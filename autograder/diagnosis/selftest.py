"""The grader grades itself: every catalogued variant, graded as a submission.

Each variant submission (``solutions/`` with one function replaced, see
:mod:`.catalogue`) is graded in-process by the engine, on the assignments holding every
exercise it could touch (those of its own file and of the files importing it; nothing
else runs changed code). A variant must lose points on its own exercise, cost nothing
to an exercise that does not call it, and ideally be named: its own hint comes first in
its exercise's feedback.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..course.model import Course
from ..grading.engine import grade
from .catalogue import Mistake, write_variant
from .dependencies import dependencies, dependents, importers
from .variants import catalogue


@dataclass(frozen=True)
class VariantGrade:
    mistake: Mistake
    score: float                    # of the variant's own exercise
    max_score: float
    collateral: tuple[str, ...]     # exercises that lost points without calling the variant
    feedback: tuple[str, ...]       # the own exercise's feedback, hints first

    @property
    def loses_points(self) -> bool:
        return self.score < self.max_score

    @property
    def named(self) -> bool:
        return bool(self.feedback) and self.feedback[0] == self.mistake.hint


@dataclass(frozen=True)
class Summary:
    variants: int
    losing_points: int
    without_collateral: int
    named: int

    @property
    def named_share(self) -> float:
        return self.named / self.variants if self.variants else 0.0


def grade_variant(course: Course, mistake: Mistake) -> VariantGrade:
    with tempfile.TemporaryDirectory(prefix="autograder-mistake-") as folder:
        folder = write_variant(mistake, course.solutions, Path(folder))
        callers = dependents(dependencies(folder), mistake.function)
        touched = importers(folder, mistake.file)
        chosen = [a.id for a in course.assignments if any(e.file in touched for e in a.exercises)]
        report = grade(course, folder, assignments=chosen)
    exercises = {e.id: e for a in report.assignments for e in a.exercises}
    own = exercises[mistake.function]
    collateral = tuple(e.id for e in exercises.values()
                       if e.id != mistake.function and e.id not in callers
                       and e.score < e.max_score)
    return VariantGrade(mistake, own.score, own.max_score, collateral, tuple(own.feedback))


def grade_catalogue(course: Course, *, only: Callable[[Mistake], bool] = lambda m: True,
                    progress: Callable[[VariantGrade], None] | None = None) -> list[VariantGrade]:
    """Grade every catalogued variant (or those ``only`` selects), in catalogue order."""
    grades = []
    for mistake in catalogue(str(course.solutions)):
        if only(mistake):
            grades.append(grade_variant(course, mistake))
            if progress:
                progress(grades[-1])
    return grades


def summarise(grades: list[VariantGrade]) -> Summary:
    return Summary(len(grades), sum(g.loses_points for g in grades),
                   sum(not g.collateral for g in grades), sum(g.named for g in grades))
