"""The GitHub Classroom workflow shipped in examples/: its grading steps, run here as
GitHub Actions runs them (``bash -eo pipefail``), grade a released repository and gate
on ``--fail-under`` with the documented exit statuses."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SOLUTIONS, run_autograder

WORKFLOW = ROOT / "examples" / "github-classroom" / ".github" / "workflows" / "autograde.yml"
STEPS = ("Grade (or self-check without the course)", "Show the report on the run's page")


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A runner's workspace: student/ (a released repository with work in it), course/."""
    space = tmp_path_factory.mktemp("workspace")
    run_autograder("release", space / "student", check=True)
    for path in [*SOLUTIONS.glob("*.py"), SOLUTIONS / "answers.yaml"]:
        shutil.copy(path, space / "student" / "exercises" / path.name)
    (space / "student" / "exercises" / "softmax.py").write_text(
        "def softmax(x, axis=-1):\n    return x + 0\n")
    (space / "course").symlink_to(ROOT)
    return space


def run_steps(workflow: dict, space: Path, **env) -> tuple[int, Path]:
    """Run the workflow's grading steps in ``space``; returns (exit status, step summary)."""
    for leftover in space.glob("autograder*.*"):
        leftover.unlink()
    steps = {s.get("name"): s for s in workflow["jobs"]["grade"]["steps"]}
    summary = space / "summary.md"
    summary.write_text("")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(workflow["env"])
    environment.update(PATH=f"{Path(sys.executable).parent}:{environment['PATH']}",
                       GITHUB_STEP_SUMMARY=str(summary), **env)
    status = 0
    for name in STEPS:
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               steps[name]["run"]], cwd=space, env=environment,
                              capture_output=True, text=True, timeout=300)
        status = status or done.returncode
    return status, summary


def test_it_grades_with_junit_and_publishes_even_when_grading_fails(workflow):
    steps = workflow["jobs"]["grade"]["steps"]
    grading = next(s["run"] for s in steps if s.get("name") == STEPS[0])
    assert "autograder grade student/exercises" in grading and "--format junit" in grading
    assert "--fail-under" in grading
    assert all(s.get("if") == "always()" for s in steps[steps.index(next(
        s for s in steps if s.get("name") == STEPS[0])) + 1:])


def test_grading_step_writes_a_junit_report_and_the_summary(workflow, workspace):
    status, summary = run_steps(workflow, workspace, HAS_COURSE="true")
    assert status == 0
    suites = ET.parse(workspace / "autograder-junit.xml").getroot()
    assert int(suites.get("tests")) > 50 and int(suites.get("failures")) > 0
    assert "Total: " in summary.read_text() and "softmax" in summary.read_text()


def test_fail_under_fails_the_run_below_the_threshold(workflow, workspace):
    status, _ = run_steps(workflow, workspace, HAS_COURSE="true", FAIL_UNDER="100")
    assert status == 1
    assert (workspace / "autograder-junit.xml").is_file()   # the report is still there


def test_without_the_course_it_runs_the_students_self_check(workflow, workspace):
    status, summary = run_steps(workflow, workspace, HAS_COURSE="false")
    assert status == 0
    assert "Public cases: " in summary.read_text()
    assert int(ET.parse(workspace / "autograder-junit.xml").getroot().get("tests")) > 0
