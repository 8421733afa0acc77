"""``autograder gradescope build``: a zip that Gradescope can run as it is, and whose
``run_autograder`` writes a ``results.json`` that follows Gradescope's specification."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.checks import FUNCTIONS, cases_of
from autograder.course.loader import load_course
from autograder.grading.engine import grade
from conftest import ROOT, SOLUTIONS, run_autograder

# Gradescope's results.json, from https://gradescope-autograders.readthedocs.io/en/latest/specs/
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
TEXT_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
NUMBER = {"type": "number"}
TEST = {
    "type": "object", "additionalProperties": False,
    "required": ["name", "score", "max_score", "status", "output", "visibility"],
    "properties": {
        "name": {"type": "string", "minLength": 1}, "name_format": TEXT_FORMAT,
        "number": {"type": "string"}, "score": NUMBER,
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"},
        "output_format": TEXT_FORMAT, "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY, "extra_data": {"type": "object"},
    },
}
RESULTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False,
    "required": ["score", "execution_time", "output", "visibility", "stdout_visibility",
                 "tests"],
    "properties": {
        "score": NUMBER,
        "max_score": NUMBER,    # not in the specification; this grader adds it for people
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"}, "output_format": TEXT_FORMAT,
        "test_output_format": TEXT_FORMAT, "test_name_format": TEXT_FORMAT,
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"}, "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array"},
    },
}
BROKEN_SOFTMAX = "def softmax(x, axis=-1):\n    return x + 0\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    run_autograder("gradescope", "build", out, check=True)
    return out


def install(archive: Path, root: Path) -> Path:
    """Do what Gradescope does with the zip: unpack it into ROOT/source, copy run_autograder."""
    source = root / "source"
    with zipfile.ZipFile(archive) as z:
        z.extractall(source)
        for info in z.infolist():
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    return root


def run_autograder_script(root: Path) -> subprocess.CompletedProcess:
    """``run_autograder`` as Gradescope starts it, with this python as ``python3``."""
    (root / "bin").mkdir(exist_ok=True)
    python3 = root / "bin" / "python3"
    if not python3.exists():
        # A script, not a symbolic link: a link to a virtual environment's python runs
        # outside that environment (no pyvenv.cfg next to it), without its packages.
        python3.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python3.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(AUTOGRADER_ROOT=str(root), PATH=f"{root / 'bin'}:{env.get('PATH', '')}")
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def sample_submission(folder: Path) -> Path:
    """The references with softmax broken (it returns its input)."""
    folder.mkdir(parents=True)
    for path in [*SOLUTIONS.glob("*.py"), SOLUTIONS / "answers.yaml"]:
        shutil.copy(path, folder / path.name)
    (folder / "softmax.py").write_text(BROKEN_SOFTMAX)
    return folder


def test_zip_has_both_scripts_at_its_root_and_the_course_to_install(built):
    with zipfile.ZipFile(built) as z:
        names = set(z.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in z.infolist()}
    assert {"setup.sh", "run_autograder", "course.yaml", "pyproject.toml", "README.md",
            "autograder/cli.py", "solutions/softmax.py", "solutions/answers.yaml",
            "public/softmax.cases"} <= names
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.split("/")[0] in ("tests", "exercises", ".venv")]


def test_setup_installs_the_package_from_the_zips_copy_of_the_project(built, tmp_path):
    install(built, tmp_path)
    setup = tmp_path / "source" / "setup.sh"
    assert subprocess.run(["bash", "-n", str(setup)]).returncode == 0
    assert 'pip install --no-cache-dir "$ROOT/source"' in setup.read_text()


def test_run_autograder_writes_valid_results_equal_to_grade(built, tmp_path):
    root = install(built, tmp_path / "autograder")
    submission = sample_submission(root / "submission")
    result = run_autograder_script(root)
    assert result.returncode == 0, result.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS)

    expected = grade(load_course(ROOT / "course.yaml"), submission)
    assert results["score"] == expected.score < 132
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])
    softmax = [t for t in results["tests"] if t["name"].startswith("softmax: ")]
    assert softmax and all(t["status"] == "failed" and t["score"] == 0 for t in softmax
                           if "raises" not in t["name"])
    visibility = {t["visibility"] for t in results["tests"]}
    assert visibility == {"visible", "after_due_date"}   # course.yaml: after_due_date


def test_hidden_cases_take_their_visibility_from_course_yaml(course_copy, tmp_path):
    yaml_path = course_copy / "course.yaml"
    yaml_path.write_text(yaml_path.read_text().replace(
        "hidden_visibility: after_due_date", "hidden_visibility: hidden"))
    archive = tmp_path / "hidden.zip"
    run_autograder("gradescope", "build", archive, "--course", yaml_path, check=True)
    root = install(archive, tmp_path / "autograder")
    # a clone of the student release: the work sits in exercises/
    sample_submission(root / "submission" / "exercises")
    assert run_autograder_script(root).returncode == 0
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS)
    visibility = [t["visibility"] for t in results["tests"]]
    assert set(visibility) == {"visible", "hidden", "after_due_date"}
    assert {t["visibility"] for t in results["tests"]    # the questions' own setting
            if t["name"].startswith("quick check")} == {"after_due_date"}
    assert visibility.count("hidden") == sum(c.hidden for f in FUNCTIONS for c in cases_of(f))
    assert 0 < results["score"] < 100


def test_a_submission_that_cannot_be_graded_scores_0_and_says_why(built, tmp_path):
    root = install(built, tmp_path / "autograder")       # no submission folder at all
    result = run_autograder_script(root)
    assert result.returncode == 1
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS)
    assert results["score"] == 0 and results["tests"] == []
    assert "no such file or folder" in results["output"]


def test_build_refuses_a_course_without_public_cases(course_copy, tmp_path):
    (course_copy / "public" / "softmax.cases").unlink()
    result = run_autograder("gradescope", "build", tmp_path / "x.zip",
                            "--course", course_copy / "course.yaml")
    assert result.returncode == 2
    assert "no public cases for softmax" in result.stderr and "regenerate" in result.stderr
    assert not (tmp_path / "x.zip").exists()
