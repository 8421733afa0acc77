"""Issue 10, item 2: the student install (pyproject.toml's dependencies) holds what
`autograder check` needs and no nbgrader or Jupyter; run with the staff extra hidden
(tests/support/student_install), `check` works end to end and a staff verb says in one
line what to install."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTIONS

STUDENT_INSTALL = Path(__file__).parent / "support" / "student_install"


def run_student(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(STUDENT_INSTALL)
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)


def _names(requirements) -> set[str]:
    return {re.split(r"[\s<>=!;\[]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_student_install_leaves_out_nbgrader_and_jupyter():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    student = _names(project["dependencies"])
    assert not student & {"nbgrader", "jupyter", "jupyterlab", "notebook", "tqdm", "mistune"}
    assert {"nbgrader", "jupyter"} <= _names(project["optional-dependencies"]["staff"])


def test_check_runs_on_the_student_install_and_staff_verbs_say_what_to_install(tmp_path):
    checked = run_student("check", SOLUTIONS, "--format", "json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["score"] == report["max_score"] > 0
    built = run_student("nbgrader", "build", tmp_path / "class")
    assert built.returncode == 2 and "Traceback" not in built.stderr
    assert built.stderr.count("\n") == 1 and "pip install -e '.[staff]'" in built.stderr
    assert not (tmp_path / "class").exists()   # said before anything was written
    lessons = run_student("lessons", tmp_path / "pages")
    assert lessons.returncode == 2 and "'.[staff]'" in lessons.stderr


@pytest.mark.parametrize("module", ["nbgrader", "tqdm", "mistune"])
def test_the_simulation_hides_the_staff_modules(module):
    env = dict(os.environ, PYTHONPATH=str(STUDENT_INSTALL))
    done = subprocess.run([sys.executable, "-c", f"import {module}"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr
