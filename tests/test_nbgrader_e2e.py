"""nbgrader for real: a small class goes through build, generate_assignment, autograde,
generate_feedback and export as the README says; every score nbgrader records equals
``autograder grade`` of the same notebook, and the audit flags the one student who
tampered with the checks.

The whole workflow runs once (a module fixture, about a minute: nbgrader costs ~2 s a
command and ~3 s a notebook); each test reads one aspect of its outcome.
"""
from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from autograder.checks import cases_of
from autograder.course.loader import load_course
from conftest import ROOT, run_autograder

ASSIGNMENTS = ("foundations", "attention", "encoder")
FULL = {"foundations": 28, "attention": 42, "encoder": 34}
# carol swaps sin and cos: of positional_encoding's cases only those that raise pass.
RAISING = [c for c in cases_of("positional_encoding") if "raises" in c.name]
CAROL_SHARE = sum(c.weight for c in RAISING) / sum(c.weight for c in cases_of(
    "positional_encoding"))
EXPECTED_FOUNDATIONS = {            # what each student's foundations notebook is worth
    "alice": 28, "bob": 0, "carol": 28 - 10 + 10 * CAROL_SHARE, "dave": 28 - 10, "erin": 28,
    "mallory": 0,
}                                   # frank's loop costs what the sandbox's limits decide

WARNING_SOFTMAX = '''\
import sys
import warnings

import numpy as np


def softmax(x, axis=-1):
    # No np.errstate: an all -inf slice warns "invalid value encountered".
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


warnings.warn("a warning while the cell runs")
print("and a line on stderr", file=sys.stderr)
np.log(np.zeros(1))   # RuntimeWarning: divide by zero
'''
LOOPING = '''\
import numpy as np


def softmax(x, axis=-1):
    while axis not in (-1, np.ndim(x) - 1):
        pass          # meant to move `axis` to the end; never does
    with np.errstate(invalid="ignore"):
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
'''
TAMPERING = '''\
import autograder.integrations.nbgrader.cells as checks

checks.score = lambda *args, **kwargs: None   # no value: nbgrader's full marks
'''


def with_cell(notebook, grade_id: str, source: str):
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return notebook
    raise LookupError(grade_id)


def solution(notebook, grade_id: str) -> str:
    return next(c.source for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def submissions(folder: Path) -> dict[tuple[str, str], object]:
    """(student, assignment) -> the notebook they hand in."""
    def read(kind, assignment):
        return nbformat.read(str(folder / kind / assignment / f"{assignment}.ipynb"), 4)

    made = {("alice", assignment): read("source", assignment) for assignment in ASSIGNMENTS}
    made["bob", "foundations"] = read("release", "foundations")
    source = read("source", "foundations")
    made["carol", "foundations"] = with_cell(
        read("source", "foundations"), "positional_encoding",
        solution(source, "positional_encoding").replace("np.sin(angles)", "SIN")
        .replace("np.cos(angles)", "np.sin(angles)").replace("SIN", "np.cos(angles)"))
    made["dave", "foundations"] = with_cell(read("source", "foundations"), "softmax",
                                            "def softmax(x, axis=-1)\n    return x\n")
    made["erin", "foundations"] = with_cell(read("source", "foundations"), "softmax",
                                            WARNING_SOFTMAX)
    made["frank", "foundations"] = with_cell(read("source", "foundations"), "softmax",
                                             LOOPING)
    made["mallory", "foundations"] = with_cell(read("release", "foundations"), "softmax",
                                               TAMPERING)
    return made


def small_course(target: Path) -> Path:
    """The course with 2 s call limits, so the looping student costs seconds; the retry
    limit after a first timeout is 2 s too, so that on a busy machine an honest case
    run after the worker was killed never runs out of time."""
    target.mkdir()
    text = re.sub(r"\n *retry_timeout: [0-9.]+", "", (ROOT / "course.yaml").read_text())
    text, count = re.subn(r"( *)call_timeout: [0-9.]+",
                          r"\1call_timeout: 2\n\1retry_timeout: 2", text)
    assert count == 1 and "retry_timeout: 2" in text
    (target / "course.yaml").write_text(text)
    for folder in ("solutions", "public", "exercises"):
        shutil.copytree(ROOT / folder, target / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "mistakes"))
    return target / "course.yaml"


@dataclass
class Flow:
    folder: Path
    course: object
    gradebook: dict            # (student, assignment) -> nbgrader's score
    cells: dict                # (student, assignment, grade_id) -> nbgrader's cell score
    exported: dict             # (student, assignment) -> score in grades.csv
    audit: subprocess.CompletedProcess
    isolated: dict             # (student, assignment) -> the audit's entry (json)


@pytest.fixture(scope="module")
def flow(tmp_path_factory) -> Flow:
    root = tmp_path_factory.mktemp("nbgrader")
    course_file = small_course(root / "course")
    folder = root / "class"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(root / "jupyter"), IPYTHONDIR=str(root / "ipython"))

    def nbgrader(*args):
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder,
                                env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"nbgrader {args}:\n{result.stdout}\n{result.stderr}"

    run_autograder("nbgrader", "build", "--course", course_file, folder, check=True)
    nbgrader("generate_assignment", "*")
    for (student, assignment), notebook in submissions(folder).items():
        target = folder / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    nbgrader("autograde", "*")
    nbgrader("generate_feedback", "*")
    nbgrader("export")

    from nbgrader.api import Gradebook

    course = load_course(course_file)
    gradebook, cells = {}, {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course.id) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                gradebook[submission.student.id, assignment.name] = submission.score
                for notebook in submission.notebooks:
                    for g in notebook.grades:
                        cells[submission.student.id, assignment.name, g.name] = g.score
    with open(folder / "grades.csv", newline="") as handle:
        exported = {(row["student_id"], row["assignment"]): float(row["score"])
                    for row in csv.DictReader(handle)}
    audit = run_autograder("nbgrader", "audit", folder, "--format", "json")
    assert audit.returncode in (0, 1), audit.stderr
    isolated = {(e["student"], e["assignment"]): e
                for e in json.loads(audit.stdout)["submissions"]}
    return Flow(folder, course, gradebook, cells, exported, audit, isolated)


def submitted(flow: Flow, student: str, assignment: str) -> Path:
    return flow.folder / "submitted" / student / assignment / f"{assignment}.ipynb"


def test_source_notebooks_get_full_marks_and_a_released_stub_zero(flow):
    for assignment in ASSIGNMENTS:
        assert flow.gradebook["alice", assignment] == FULL[assignment]
    assert flow.gradebook["bob", "foundations"] == 0


def test_partial_credit_is_exact_and_printed_warnings_cost_nothing(flow):
    scores = {s: flow.gradebook[s, "foundations"] for s in EXPECTED_FOUNDATIONS}
    honest = {s: v for s, v in EXPECTED_FOUNDATIONS.items() if s != "mallory"}
    assert {s: scores[s] for s in honest} == pytest.approx(honest, abs=1e-5)
    assert flow.cells["erin", "foundations", "test_softmax"] == 10


def test_a_function_that_loops_forever_costs_its_own_cases_only(flow):
    assert 0 < flow.cells["frank", "foundations", "test_softmax"] < 10
    assert flow.cells["frank", "foundations", "test_positional_encoding"] == 10
    assert flow.gradebook["frank", "foundations"] == pytest.approx(
        flow.isolated["frank", "foundations"]["isolated"], abs=1e-5)


def test_every_nbgrader_score_equals_the_isolated_grade_of_the_same_notebook(flow):
    assert set(flow.isolated) == set(flow.gradebook)
    for (student, assignment), entry in flow.isolated.items():
        if student == "mallory":
            continue
        assert flow.gradebook[student, assignment] == pytest.approx(entry["isolated"],
                                                                    abs=1e-5)
        for item, score in entry["items"].items():
            assert flow.cells[student, assignment, f"test_{item}"] == pytest.approx(
                score, abs=1e-6), (student, item)


def test_the_cli_grades_a_notebook_as_nbgrader_did(flow):
    report = json.loads(run_autograder(
        "grade", submitted(flow, "carol", "foundations"), "--format", "json", "--course",
        flow.course.path, check=True).stdout)
    assert report["score"] == pytest.approx(flow.gradebook["carol", "foundations"])


def test_the_export_holds_the_gradebook_scores(flow):
    for key, score in flow.gradebook.items():
        assert flow.exported[key] == pytest.approx(score)


def test_the_audit_flags_the_tamperer_and_no_one_else(flow):
    assert flow.gradebook["mallory", "foundations"] == FULL["foundations"]
    assert flow.audit.returncode == 1, flow.audit.stderr
    verdicts = {key: entry["verdict"] for key, entry in flow.isolated.items()}
    assert {k for k, v in verdicts.items() if v != "same"} == {("mallory", "foundations")}
    assert verdicts["mallory", "foundations"] == "higher"
    assert flow.isolated["mallory", "foundations"]["isolated"] == 0


def _text(path: Path) -> str:
    """A file's text as a reader sees it (HTML tags, which split code into tokens, gone)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def _secrets(folder: Path) -> set[str]:
    """Every line of the references, the answer key and the hidden tests in the source
    notebooks, except lines the stubs hand out too (a docstring's ``d_h = d_model //
    num_heads``)."""
    handed_out = "\n".join(p.read_text() for p in (ROOT / "exercises").glob("*.py"))
    found = set()
    for assignment in ASSIGNMENTS:
        notebook = nbformat.read(str(folder / "source" / assignment / f"{assignment}.ipynb"), 4)
        for cell in notebook.cells:
            inside = False
            for line in cell.source.splitlines():
                if "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                    inside = False
                if inside and len(line.strip()) >= 16 and line.strip() not in handed_out:
                    found.add(line.strip())
                if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                    inside = True
    return found


def test_released_and_feedback_files_hold_no_reference_answer_key_or_hidden_test(flow):
    secrets = _secrets(flow.folder)
    assert any("answer_" in s for s in secrets) and any("hidden=True" in s for s in secrets)
    leaks = [*(flow.folder / "release").glob("*/*.ipynb"),
             *(flow.folder / "feedback").glob("[bm]*/*/*.html")]      # bob and mallory
    assert len(leaks) == 4 + 2
    for path in leaks:
        text = _text(path)
        assert [s for s in secrets if s in text] == [], path
    # The same search does find what alice handed in (the references) in her feedback,
    # except the hidden tests, which feedback never shows.
    alice = _text(flow.folder / "feedback" / "alice" / "foundations" / "foundations.html")
    shown = {s for s in secrets if s in alice}
    assert shown and not any("hidden=True" in s for s in shown)


def test_feedback_counts_hidden_cases_but_never_names_them(flow):
    text = _text(flow.folder / "feedback" / "carol" / "foundations" / "foundations.html")
    hidden = sum(c.hidden for c in cases_of("positional_encoding"))
    assert f"hidden cases: {sum(c.hidden for c in RAISING)} of {hidden} pass" in text
    hidden = [c.name for f in ("softmax", "positional_encoding") for c in cases_of(f)
              if c.hidden]
    public = [c.name for c in cases_of("positional_encoding") if not c.hidden]
    assert [name for name in hidden if name in text] == []
    assert any(name in text for name in public)
