"""Reports: pure functions from a :class:`~autograder.grading.results.Report` to text."""
from . import gradescope, json_report, junit, text

FORMATS = {"text": text.render, "json": json_report.render,
           "gradescope": gradescope.render, "junit": junit.render}
