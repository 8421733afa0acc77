"""More of the red-team harness: a hostile submission graded with options of its own
(``--output``, the audit hook switched off, a simulated host) and a class graded by
``batch`` with one attacker among honest students, each compared with their score
graded alone. Built on ``harness.py`` (its course copy and its checks of what must be
left intact); imported by the test modules like it."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from harness import HOSTILE, LIMITS, digest, files_with_marker, surviving_processes

BOUND = LIMITS["submission_timeout"] + 20   # the hard cap, plus start-up and reports


def kernel_layers_in_force() -> bool:
    """Whether this host gives workers Landlock with signal scoping, and seccomp."""
    from autograder.sandbox.host import probe

    host = probe()
    return host.landlock_abi >= 6 and host.seccomp


def hostile_code(*names: str, **replace: str) -> str:
    """The hostile files ``names``, one after the other, with ``__KEY__`` replaced."""
    code = "\n\n".join((HOSTILE / name).read_text() for name in names)
    for key, value in replace.items():
        code = code.replace(f"__{key}__", value)
    return code


def submission(course: Path, folder: Path, poison: dict[str, str]) -> Path:
    """A copy of the references with ``poison`` (module -> code) appended."""
    folder.mkdir(parents=True)
    for source in (course / "solutions").glob("*.py"):
        shutil.copy(source, folder / source.name)
    shutil.copy(course / "solutions" / "answers.yaml", folder)
    for module, code in poison.items():
        with open(folder / f"{module}.py", "a") as file:
            file.write("\n\n" + code)
    return folder


def cli(course: Path, *args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``autograder ARGS --course COURSE`` from the course folder; its result and
    how long it took."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(env or {})
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "autograder", *args, "--course", str(course / "course.yaml")],
        cwd=course, env=environment, capture_output=True, text=True, timeout=BOUND + 120,
        start_new_session=True)
    return done, time.monotonic() - started


def scores(report: dict) -> dict[str, float]:
    return {e["id"]: e["score"] for a in report["assignments"] for e in a["exercises"]}


def grade_alone(course: Path, folder: Path, env: dict | None = None) -> dict:
    done, seconds = cli(course, "grade", str(folder), "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert seconds < BOUND, seconds
    return json.loads(done.stdout)


def left_intact(course: Path, before: str, marker: str, folders) -> None:
    """What every attack must leave: the course, no file and no process of its own."""
    assert digest(course) == before, "the course copy was changed"
    assert not files_with_marker(marker, folders)
    assert not surviving_processes(marker)
    for folder in map(Path, folders):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        assert not [n for n in names if marker in n], f"left behind in {folder}"


def batch(course: Path, folder: Path, csv_path: Path, env: dict | None = None) -> dict:
    """Grade ``folder`` with ``batch --workers 2``; each student's row."""
    done, seconds = cli(course, "batch", str(folder), "--csv", str(csv_path),
                        "--workers", "2", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert seconds < 2 * BOUND, seconds
    with open(csv_path, newline="") as file:
        return {row["student"]: row for row in csv.DictReader(file)}


def marker() -> str:
    return f"redteam-{uuid.uuid4().hex[:16]}"
