"""Reports: pure functions from a :class:`~autograder.grading.results.Report` to text."""
from . import gradescope, json_report, junit, text

FORMATS = {"text": text.render, "json": json_report.render,
           "gradescope": gradescope.render, "junit": junit.render}


def render(fmt: str, report, course) -> str:
    """``report`` in ``fmt``, with the course's settings (hidden cases' visibility)."""
    return FORMATS[fmt](report, hidden_visibility=course.grading.hidden_visibility)
