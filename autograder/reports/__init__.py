"""Reports: pure functions from a :class:`~autograder.grading.results.Report` to text."""
from . import gradescope, json_report, junit, text

FORMATS = {"text": text.render, "json": json_report.render,
           "gradescope": gradescope.render, "junit": junit.render}


def render(fmt: str, report, course) -> str:
    """``report`` in ``fmt``, with the course's settings (hidden cases' visibility, and
    whether each quick-check question shows right or wrong)."""
    return FORMATS[fmt](report, hidden_visibility=course.grading.hidden_visibility,
                        question_visibility=course.grading.question_visibility)
