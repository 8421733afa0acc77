"""Grading results: plain dataclasses, no rendering (reports are functions of these)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CaseResult:
    name: str
    score: float
    max_score: float
    hidden: bool
    outcome: str        # passed | failed | error | timeout | crashed | missing
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass
class ExerciseResult:
    id: str
    file: str
    score: float
    max_score: float
    status: str         # passed | failed | error | missing
    feedback: list[str] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)


@dataclass
class QuestionResult:
    id: str
    score: float
    max_score: float
    answer: object = None
    answered: bool = False
    message: str = ""


@dataclass
class AssignmentResult:
    id: str
    title: str
    score: float
    max_score: float
    exercises: list[ExerciseResult] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)


@dataclass
class Report:
    score: float
    max_score: float
    assignments: list[AssignmentResult]
    course: str
    submission: str
    seed: int
    mode: str           # grade (public + hidden cases) | check (public cases only)
    execution_time: float = 0.0
    warnings: list[str] = field(default_factory=list)
    output: str = ""    # what the student's code printed, truncated
    # The layers the worker said were in force (sandbox/host.py: in_force).
    sandbox: dict = field(default_factory=dict)
