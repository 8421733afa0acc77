"""Running the real command line on hostile input, and what every run must leave true.

For attacks that are not code appended to a module (links, pipes, hostile YAML and
notebooks, hostile folder names): ``cli(*args)`` runs ``python -m autograder`` against
the red team's course copy, with a temporary folder of its own (so "nothing left
behind" can be checked exactly), in a process group of its own, and checks that the
course copy is unchanged, nothing is left in its temporary folder and the run ended in
bounded time. The validators read a report as strictly as its consumers must.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import LIMITS, ROOT, digest, redteam_course  # noqa: F401

from autograder.course.loader import load_course

MB = 1 << 20
# What an honest, correct submission earns over the whole course.
FULL = sum(a.max_score for a in load_course(ROOT / "course.yaml").assignments)
# What one run may take: the hard cap per submission, plus start, retries and reports.
BOUND_S = LIMITS["submission_timeout"] + 60


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float


def _no_constant(name: str):
    raise ValueError(f"not JSON: {name}")


def strict_json(text: str) -> dict:
    """``text`` parsed as JSON that any parser accepts (no NaN, no Infinity), < 1 MB."""
    assert len(text.encode("utf-8")) < MB, len(text.encode("utf-8"))
    return json.loads(text, parse_constant=_no_constant)


def strict_xml(text: str) -> ET.Element:
    assert len(text.encode("utf-8")) < MB
    return ET.fromstring(text.encode("utf-8"))


def inert_text(text: str) -> str:
    """A text report: < 1 MB, and nothing a terminal would act on but newlines and tabs."""
    assert len(text.encode("utf-8")) < MB
    acting = {c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
              or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069}
    assert not acting, sorted(map(hex, map(ord, acting)))
    return text


def scores(report: dict) -> dict[str, float]:
    return {e["id"]: e["score"] for a in report["assignments"] for e in a["exercises"]}


def quick_checks(report: dict) -> float:
    return sum(q["score"] for a in report["assignments"] for q in a["questions"])


@pytest.fixture
def private_tmp():
    """The runs' TMPDIR: its own, and open for other users to enter (as /tmp is), so a
    grader running workers as another user keeps every folder in it."""
    folder = Path(tempfile.mkdtemp(prefix="redteam-tmp-", dir="/tmp"))
    folder.chmod(0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cli(redteam_course, tmp_path, private_tmp):
    """``cli(*args, cwd=None)``: the CLI on the red team's course; checks the invariants."""

    def run(*args, cwd: Path | None = None, env: dict | None = None) -> Ran:
        before = digest(redteam_course)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        environment.update(TMPDIR=str(private_tmp), **(env or {}))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "autograder", *map(str, args),
             "--course", str(redteam_course / "course.yaml")],
            cwd=cwd or tmp_path, env=environment, capture_output=True, text=True,
            timeout=BOUND_S + 60, start_new_session=True)
        seconds = time.monotonic() - started
        assert digest(redteam_course) == before, "the course copy was changed"
        assert seconds < BOUND_S, seconds
        left = list(private_tmp.iterdir())
        assert not left, f"left behind: {left}"
        return Ran(done.returncode, done.stdout, done.stderr, seconds)

    return run


def honest_copy(course: Path, folder: Path) -> Path:
    """A submission that is the references and the answer key, copied (full marks)."""
    folder.mkdir(parents=True)
    for path in [*(course / "solutions").glob("*.py"), course / "solutions" / "answers.yaml"]:
        shutil.copy(path, folder / path.name)
    return folder


def stubs_copy(course: Path, folder: Path) -> Path:
    """The release's stubs, as a student who did nothing hands them in (0 points)."""
    shutil.copytree(course / "exercises", folder)
    return folder


def notebook(cells: list[tuple[str, str]]) -> str:
    """A minimal nbformat-4 notebook: ``(grade_id, source)`` code cells."""
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": f"c{i}", "metadata": {"nbgrader": {"grade_id": gid}},
         "source": source, "outputs": [], "execution_count": None}
        for i, (gid, source) in enumerate(cells)]})
