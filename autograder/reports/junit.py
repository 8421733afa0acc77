"""JUnit XML for CI systems: one ``testcase`` per case and per quick-check question.

Built with the standard library's ElementTree, which escapes text and attributes
correctly; a failed case is a ``failure``, a case that crashed, timed out, raised or
was missing is an ``error``. ElementTree does not remove characters XML 1.0 cannot hold
(an ESC, a NUL): every text and attribute goes through :func:`.inert.xml_text` first,
so the report is always well-formed.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..grading.results import Report
from .csv_report import number    # rounded as every human-readable format rounds
from .inert import bounded, xml_text


def _suite(parent, name: str, rows) -> None:
    suite = ET.SubElement(parent, "testsuite", name=name)
    counts = {"tests": 0, "failures": 0, "errors": 0}
    for classname, case_name, outcome, message, score, max_score in rows:
        counts["tests"] += 1
        message = xml_text(message)
        case = ET.SubElement(suite, "testcase", classname=classname, name=case_name, time="0")
        ET.SubElement(ET.SubElement(case, "properties"), "property", name="score",
                      value=f"{number(score)}/{number(max_score)}")
        if outcome == "failed":
            counts["failures"] += 1
            ET.SubElement(case, "failure", message=message.splitlines()[0] if message else
                          "failed", type=outcome).text = message
        elif outcome != "passed":
            counts["errors"] += 1
            ET.SubElement(case, "error", message=message.splitlines()[0] if message else outcome,
                          type=outcome).text = message
    for key, value in counts.items():
        suite.set(key, str(value))


def render(report: Report, *, question_visibility: str = "after_due_date", **_) -> str:
    report = bounded(report)
    root = ET.Element("testsuites", name=xml_text(report.course))
    for assignment in report.assignments:
        for exercise in assignment.exercises:
            _suite(root, f"{assignment.id}.{exercise.id}", [
                (f"{assignment.id}.{exercise.id}", c.name, c.outcome, c.message, c.score,
                 c.max_score) for c in exercise.cases])
        if assignment.questions and question_visibility == "visible":
            _suite(root, f"{assignment.id}.quick-check", [
                (f"{assignment.id}.quick-check", q.id,
                 "passed" if q.score == q.max_score else "failed", q.message, q.score,
                 q.max_score) for q in assignment.questions])
        elif assignment.questions:
            # Until the due date, the total only: a line per question would let a student
            # try every choice in a few submissions.
            score = sum(q.score for q in assignment.questions)
            top = sum(q.max_score for q in assignment.questions)
            answered = sum(q.answered for q in assignment.questions)
            _suite(root, f"{assignment.id}.quick-check", [
                (f"{assignment.id}.quick-check", "quick checks (total)", "passed",
                 f"{answered}/{len(assignment.questions)} answered; each question is "
                 "shown after the due date", score, top)])
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key)) for s in root)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
