"""Issue 10, item 1: ``autograder check`` where the POSIX sandbox is missing (Windows,
macOS, a Python without fork), simulated by ``tests/support/no_posix/sitecustomize.py``:
no ``pwd``, ``resource``, ``fcntl`` or ``pyseccomp`` can be imported and ``os.fork`` is
gone, in the grading process. ``check`` still runs the student's code in a process it
stops at the time limit and says what protects it; ``grade`` and ``batch`` refuse."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXERCISES, ROOT, SOLUTIONS

NO_POSIX = Path(__file__).parent / "support" / "no_posix"


def run_without_posix(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(NO_POSIX)
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)


def test_the_simulation_really_removes_them():
    probe = "import os, importlib.util as u; print(hasattr(os, 'fork'))\n" + "".join(
        f"try:\n import {m}\n print('{m} imported')\nexcept ImportError:\n pass\n"
        for m in ("pwd", "resource", "fcntl"))
    env = dict(os.environ, PYTHONPATH=str(NO_POSIX))
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ["False"]


def _json_check(path: Path) -> tuple[dict, str]:
    result = run_without_posix("check", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _scores(report: dict) -> dict:
    return {e["id"]: (e["score"], e["max_score"]) for a in report["assignments"]
            for e in a["exercises"]}


def test_check_runs_stub_correct_and_looping_submissions(tmp_path):
    stub, _ = _json_check(EXERCISES)
    assert stub["score"] == 0 and stub["max_score"] > 0
    correct, said = _json_check(SOLUTIONS)
    assert correct["score"] == correct["max_score"] > 0
    assert correct["sandbox"]["layers"][0] == "process"
    assert "without the full sandbox" in said and "the resource module" in said
    assert "os.fork" in said and "separate process" in said
    looping = tmp_path / "looping"
    shutil.copytree(SOLUTIONS, looping)
    source = (looping / "attention.py").read_text()
    (looping / "attention.py").write_text(source.replace(
        "def causal_mask(lq, lk=None):\n", "def causal_mask(lq, lk=None):\n    while True:\n"
        "        pass\n", 1))
    report, _ = _json_check(looping)
    scores = _scores(report)
    assert scores["causal_mask"][0] == 0
    assert all(got == top for name, (got, top) in scores.items() if name != "causal_mask")
    mask = next(e for a in report["assignments"] for e in a["exercises"]
                if e["id"] == "causal_mask")
    assert any("stopped" in c["message"] for c in mask["cases"])


COURSE = ROOT / "course.yaml"


@pytest.mark.parametrize("verb", [["grade", SOLUTIONS, "--allow-unconfined"],
                                  ["batch", "class", "--allow-unconfined"],
                                  ["gradescope", "run", "--root", ".", "--allow-unconfined"],
                                  ["nbgrader", "audit", "."]])
def test_grading_verbs_refuse_without_the_sandbox(verb, tmp_path):
    shutil.copytree(SOLUTIONS, tmp_path / "class" / "alice")
    (tmp_path / "submitted").mkdir()
    result = run_without_posix("--course", COURSE, *verb, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "grading needs the full sandbox" in result.stderr


def test_the_classroom_self_check_job_runs_on_three_systems_and_without_posix(tmp_path):
    """The example workflow's self-check job: Linux, macOS and Windows runners, the
    student install, and its step run here as Actions runs it, on a Python without the
    POSIX modules."""
    import yaml

    workflow = yaml.safe_load((ROOT / "examples" / "github-classroom" / ".github"
                               / "workflows" / "autograde.yml").read_text())
    job = workflow["jobs"]["self-check"]
    assert set(job["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest",
                                                    "windows-latest"}
    assert job["runs-on"] == "${{ matrix.os }}"
    steps = {s.get("name"): s for s in job["steps"]}
    assert steps["Install the student's autograder"]["run"] == "python -m pip install ./student"
    student = tmp_path / "student"
    student.mkdir()
    shutil.copy(ROOT / "course.yaml", student / "course.yaml")
    for name in ("public", "exercises"):
        shutil.copytree(ROOT / name, student / name)
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, student / "exercises" / path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(PYTHONPATH=str(NO_POSIX),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           steps["Self-check (public cases only)"]["run"]], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(r"Public cases: (\d+) / \1\b", done.stdout), done.stdout[-300:]
    assert "without the full sandbox" in done.stderr
