"""The audit's verdicts and report: nbgrader higher than the isolated grader is flagged,
and the command finds the course the folder was built for."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from autograder.course.loader import load_course
from autograder.integrations.nbgrader.build import build
from autograder.integrations.nbgrader.audit import AuditEntry, AuditResult, render, submissions
from autograder.integrations.nbgrader.notebooks import Sources, source_notebook
from conftest import ROOT, run_autograder


def entry(student: str, nbgrader, isolated: float) -> AuditEntry:
    return AuditEntry(student, "foundations", Path("n.ipynb"), isolated, 28, nbgrader)


def test_only_a_higher_nbgrader_score_is_flagged():
    verdicts = {e.student: e.verdict for e in (
        entry("tamperer", 28, 0), entry("timed-out", 10, 18), entry("honest", 21.0000004, 21),
        entry("absent", None, 0))}
    assert verdicts == {"tamperer": "higher", "timed-out": "lower", "honest": "same",
                        "absent": "not autograded"}
    result = AuditResult(Path("/class"), (entry("honest", 21, 21), entry("tamperer", 28, 0)))
    assert [e.student for e in result.flagged] == ["tamperer"]


def test_the_report_lists_flagged_students_first():
    result = AuditResult(Path("/class"), (entry("amy", 21, 21), entry("zed", 28, 0)))
    lines = render(result).splitlines()
    assert lines[0] == "audit of /class: 2 submissions, 1 flagged"
    assert lines[2].split()[:5] == ["zed", "foundations", "28", "0", "28"]
    assert "FLAGGED" in lines[2] and lines[3].endswith("  ok")


def test_submissions_are_found_per_student_and_assignment(tmp_path):
    for student, assignment in [("b", "foundations"), ("a", "attention"), ("a", "other")]:
        (tmp_path / "submitted" / student / assignment).mkdir(parents=True)
    found = submissions(tmp_path, ["foundations", "attention"])
    assert [(s, a, p.relative_to(tmp_path).as_posix()) for s, a, p in found] == [
        ("a", "attention", "submitted/a/attention/attention.ipynb"),
        ("b", "foundations", "submitted/b/foundations/foundations.ipynb")]


def test_the_command_grades_with_the_course_recorded_by_the_build(tmp_path):
    folder = tmp_path / "class"
    course = load_course(ROOT / "course.yaml")
    build(course, folder)
    notebook = source_notebook(course, course.assignment("foundations"), Sources(course))
    target = folder / "submitted" / "amy" / "foundations" / "foundations.ipynb"
    target.parent.mkdir(parents=True)
    nbformat.write(notebook, str(target))
    broken = folder / "submitted" / "bea" / "foundations" / "foundations.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text("not a notebook")
    result = run_autograder("nbgrader", "audit", folder, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr      # not autograded: nothing flagged
    amy, bea = json.loads(result.stdout)["submissions"]
    assert (amy["isolated"], amy["nbgrader"], amy["verdict"]) == (28, None, "not autograded")
    assert bea["isolated"] == 0 and bea["warnings"][0].startswith("foundations.ipynb is not JSON")


def test_the_command_refuses_a_folder_without_submissions(tmp_path):
    result = run_autograder("nbgrader", "audit", tmp_path)
    assert result.returncode == 2
    assert "has no submitted/ folder" in result.stderr
