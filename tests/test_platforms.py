"""Issue 10, item 1: ``autograder check`` where the POSIX sandbox is missing (Windows,
macOS, a Python without fork), simulated by ``tests/support/no_posix/sitecustomize.py``:
no ``pwd``, ``resource``, ``fcntl`` or ``pyseccomp`` can be imported and ``os.fork`` is
gone, in the grading process. ``check`` still runs the student's code in a process it
stops at the time limit and says what protects it; ``grade`` and ``batch`` refuse."""
from __future__ import annotations

import json
import os
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


@pytest.mark.parametrize("verb", [["grade", SOLUTIONS], ["batch", SOLUTIONS.parent]])
def test_grade_and_batch_refuse_without_the_sandbox(verb, tmp_path):
    result = run_without_posix(*verb, "--allow-unconfined")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "grading needs the full sandbox" in result.stderr
