"""Shared fixtures: the project's paths, a throwaway copy of the course, and running
the real ``autograder`` command in a subprocess."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A copy of the course (course.yaml, solutions/, public/, exercises/) to break or grade."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(ROOT / "course.yaml", target / "course.yaml")
    for folder in ("solutions", "public", "exercises"):
        shutil.copytree(ROOT / folder, target / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "mistakes"))
    return target


@pytest.fixture
def submission(tmp_path):
    """Make a submission folder: a copy of the references with some files replaced."""
    def make(name: str = "student", replace: dict[str, str] | None = None,
             drop: tuple[str, ...] = (), answers: str | None = None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for source in SOLUTIONS.glob("*.py"):
            if source.name not in drop:
                shutil.copy(source, folder / source.name)
        if "answers.yaml" not in drop:
            shutil.copy(SOLUTIONS / "answers.yaml", folder / "answers.yaml")
        for file, text in (replace or {}).items():
            (folder / file).write_text(text)
        if answers is not None:
            (folder / "answers.yaml").write_text(answers)
        return folder
    return make


def run_autograder(*args, cwd: Path = ROOT, check: bool = False) -> subprocess.CompletedProcess:
    """Run ``python -m autograder ARGS`` as a user would, and capture its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"autograder {' '.join(map(str, args))} exited "
                             f"{result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def grade_json(path, *extra, course: Path | None = None) -> dict:
    """Grade ``path`` through the CLI and return the json report."""
    course_args = ("--course", course / "course.yaml") if course else ()
    result = run_autograder("grade", path, "--format", "json", *course_args, *extra, check=True)
    return json.loads(result.stdout)


def exercises_of(report: dict) -> dict[str, dict]:
    return {e["id"]: e for a in report["assignments"] for e in a["exercises"]}
