"""Issue 10, item 5: every verb finds the course where staff work: inside a folder made
by `autograder nbgrader build` (through the course it records), through
AUTOGRADER_COURSE, and with --course before or after the verb."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTIONS


def run_in(cwd: Path, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("PYTEST") and k != "AUTOGRADER_COURSE"}
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env={**environ, **(env or {})},
                          timeout=300)


@pytest.fixture(scope="module")
def nbgrader_folder(tmp_path_factory) -> tuple[Path, Path]:
    """A course copy and, outside it, the nbgrader folder the real build made for it."""
    base = tmp_path_factory.mktemp("staff")
    course = base / "course"
    course.mkdir()
    for name in ("course.yaml", "solutions", "public", "exercises", "lessons"):
        source = ROOT / name
        if source.is_dir():
            subprocess.run(["cp", "-r", str(source), str(course / name)], check=True)
        else:
            (course / name).write_bytes(source.read_bytes())
    folder = base / "class"
    built = run_in(base, "nbgrader", "build", folder, "--course", course / "course.yaml")
    assert built.returncode == 0, built.stderr
    return course, folder


def _course_of(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["course"]


def test_verbs_inside_the_nbgrader_folder_find_its_course(nbgrader_folder):
    course, folder = nbgrader_folder
    for cwd in (folder, folder / "source" / "foundations"):
        validated = run_in(cwd, "validate")
        assert validated.returncode == 0 and str(course / "course.yaml") in validated.stdout
    graded = run_in(folder, "grade", SOLUTIONS, "--format", "json")
    report = json.loads(graded.stdout)
    assert graded.returncode == 0 and report["score"] == report["max_score"] > 0
    checked = run_in(folder, "check", SOLUTIONS, "--format", "json")
    assert checked.returncode == 0, checked.stderr
    regenerated = run_in(folder, "regenerate")
    assert regenerated.returncode == 0 and str(course / "public") in regenerated.stdout


def test_environment_variable_and_course_before_or_after_the_verb(nbgrader_folder, tmp_path):
    course, _ = nbgrader_folder
    nowhere = tmp_path / "elsewhere"
    nowhere.mkdir()
    lost = run_in(nowhere, "validate")
    assert lost.returncode == 2 and "AUTOGRADER_COURSE" in lost.stdout + lost.stderr
    file = course / "course.yaml"
    for args, env in ((["validate"], {"AUTOGRADER_COURSE": str(file)}),
                      (["validate"], {"AUTOGRADER_COURSE": str(course)}),
                      (["--course", file, "validate"], None),
                      (["validate", "--course", file], None),
                      (["--course", file, "check", SOLUTIONS], None)):
        result = run_in(nowhere, *args, env=env)
        assert result.returncode == 0, (args, result.stderr)
    wrong = run_in(nowhere, "validate", env={"AUTOGRADER_COURSE": str(tmp_path / "no")})
    said = wrong.stdout + wrong.stderr
    assert wrong.returncode == 2 and said.count("\n") == 1 and "AUTOGRADER_COURSE names" in said
