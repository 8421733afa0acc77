"""Points: how an exercise's points split across its cases, and quick-check scoring.

An exercise's points (from ``course.yaml``) are shared among the cases that ran in
proportion to their weights; the exercise scores the sum of its passed cases. Sums
are exact (fractions), so a full score is exactly the points, never 9.999999.
"""
from __future__ import annotations

from fractions import Fraction

from ..checks.kit import Case
from ..course.answers import Answers, shape_problem
from ..course.model import Exercise, Question
from .judge import Verdict
from .results import CaseResult, ExerciseResult, QuestionResult

FEEDBACK_LINES = 3
# A self-check has no answer key: an answered question says so, and reports leave it out
# of what went wrong.
ANSWERED_UNSCORED = "answered (scored when your submission is graded)"
# The messages that say whether an answer is right: shown only where the course lets
# per-question correctness be seen (course.yaml grading.question_visibility).
CORRECT, INCORRECT, PARTLY = "correct", "incorrect", "partly correct"
CORRECTNESS = (CORRECT, INCORRECT, PARTLY)


def rounded(value: Fraction) -> float:
    return round(float(value), 6)


def exercise_result(exercise: Exercise, graded: list[tuple[Case, Verdict]],
                    hints=()) -> ExerciseResult:
    """An exercise's score and status from its cases; ``hints`` (from the diagnosis) come
    first in its feedback, then each distinct problem of its cases."""
    total_weight = sum(Fraction(c.weight) for c, _ in graded) or Fraction(1)
    points = Fraction(exercise.points)
    cases, score = [], Fraction(0)
    for case, verdict in graded:
        share = points * Fraction(case.weight) / total_weight
        earned = share if verdict.passed else Fraction(0)
        score += earned
        cases.append(CaseResult(case.name, rounded(earned), rounded(share), case.hidden,
                                verdict.outcome, verdict.message))
    outcomes = {v.outcome for _, v in graded}
    if outcomes == {"passed"}:
        status = "passed"
    elif outcomes == {"missing"}:
        status = "missing"
    elif outcomes <= {"error", "timeout", "crashed", "missing"}:
        status = "error"
    else:
        status = "failed"
    messages = list(dict.fromkeys(v.message.splitlines()[0] for _, v in graded
                                  if not v.passed and v.message))
    feedback = messages[:FEEDBACK_LINES]
    if len(messages) > FEEDBACK_LINES:
        feedback.append(f"... and {len(messages) - FEEDBACK_LINES} more kinds of problem "
                        "(see the cases)")
    if not graded:  # nothing was collected for it: a broken check, never the student's
        feedback.append("the grader could not run the checks of this exercise, so it scores "
                        "0 for now: please tell the course staff")
    feedback = [*hints, *(line for line in feedback if line not in hints)]
    return ExerciseResult(exercise.function, exercise.file, rounded(score), rounded(points),
                          status, feedback, cases)


def multiple_choice_fraction(answer: list, key: list, scoring: str) -> Fraction:
    """The share of its points a multiple-choice answer earns. ``all_or_nothing``: 1
    for exactly the key's choices (each once), else 0. ``partial``: each right pick
    earns 1/len(key), each wrong pick (or repeated pick) takes 1/len(key) away, never
    below 0; e.g. key [a, c], answer [a, b]: 1/2 - 1/2 = 0; answer [a]: 1/2."""
    picked, right = set(answer), set(key)
    if scoring != "partial":
        return Fraction(int(picked == right and len(answer) == len(picked)))
    wrong = len(picked - right) + (len(answer) - len(picked))
    return max(Fraction(0), Fraction(len(picked & right) - wrong, len(right)))


def _fraction(question: Question, answer, key) -> Fraction:
    if question.kind == "numeric":
        return Fraction(int(abs(float(answer) - float(key)) <= question.tolerance))
    if question.kind == "multiple":
        return multiple_choice_fraction(answer, key, question.scoring)
    return Fraction(int(answer == key))


def question_result(question: Question, answers: Answers, key: dict | None) -> QuestionResult:
    """Score one question; ``key`` is None in a self-check (no answer key at hand)."""
    result = QuestionResult(question.id, 0.0, float(question.points))
    if answers.problem:
        result.message = "answers.yaml could not be read (see the warnings)"
        return result
    answer = answers.values.get(question.id)
    if answer is None:
        result.message = "not answered"
        return result
    result.answer = answer
    problem = shape_problem(question, answer)
    result.answered = problem is None    # an answer not understood is not an answer
    if problem:
        result.message = f"answer not understood: {problem}"
    elif key is None:
        result.message = ANSWERED_UNSCORED
    else:
        share = _fraction(question, answer, key[question.id])
        result.score = rounded(share * Fraction(question.points))
        result.message = ("" if share == 1 else INCORRECT if share == 0 else PARTLY)
    return result
