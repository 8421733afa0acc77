"""The course as the grader sees it: typed, validated, read-only."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..sandbox.limits import Limits


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


@dataclass(frozen=True)
class Exercise:
    function: str
    file: str
    points: float
    # (dtype name, tolerance) pairs that override the course's for this exercise.
    tolerances: tuple[tuple[str, Tolerance], ...] = ()

    @property
    def id(self) -> str:
        return self.function

    @property
    def module(self) -> str:
        return self.file.removesuffix(".py")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str                        # single | multiple | numeric
    prompt: str
    points: float
    choices: dict[str, str] = field(default_factory=dict)
    tolerance: float | None = None
    # multiple only: all_or_nothing, or partial (each right pick earns a share, each
    # wrong pick takes one away, never below 0); the course-wide setting when unset.
    scoring: str = "all_or_nothing"


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    exercises: tuple[Exercise, ...]
    questions: tuple[Question, ...]

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises) + sum(q.points for q in self.questions)


@dataclass(frozen=True)
class Grading:
    seed: int
    tolerances: dict[str, Tolerance]
    limits: Limits
    hidden_visibility: str = "after_due_date"
    # When a student sees each quick-check question marked right or wrong: after the
    # due date (the default: resubmitting must not give the answers away) or at once.
    question_visibility: str = "after_due_date"


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    grading: Grading
    assignments: tuple[Assignment, ...]
    path: Path                       # the course.yaml file

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def public_cases(self) -> Path:
        return self.root / "public"

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        known = ", ".join(a.id for a in self.assignments)
        raise KeyError(f"no assignment {assignment_id!r} in {self.path.name} (known: {known})")

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(e for a in self.assignments for e in a.exercises)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for a in self.assignments for q in a.questions)

    def tolerance(self, dtype, exercise: Exercise | None = None) -> Tolerance:
        """The tolerance for comparing arrays of ``dtype`` (the widest known one if
        unlisted); ``exercise``'s own, when it sets one for that dtype."""
        name = str(dtype)
        own = dict(exercise.tolerances) if exercise else {}
        if name in own:
            return own[name]
        if name in self.grading.tolerances:
            return self.grading.tolerances[name]
        return min(self.grading.tolerances.values(), key=lambda t: t.rtol)
