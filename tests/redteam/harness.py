"""The red-team harness: grade a hostile submission through the real command line.

Test modules import the fixtures from here (not a conftest.py: ``tests/conftest.py``
is imported as ``conftest`` by other test modules, and a second one would shadow it).

A hostile submission is a copy of ``solutions/`` with code from ``hostile/`` appended to
one module (redefining a function, or acting when the module is imported), so every
exercise it leaves alone should keep full marks. Each run grades against a throwaway
copy of the course with small limits, from a process group of its own (an attack that
kills its group then kills nothing else), and then checks what every attack must leave
intact: the course copy byte for byte, the grader's package, no process and no file
carrying the run's marker.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).parent / "hostile"
PACKAGE = ROOT / "autograder"
LIMITS = {"call_timeout": 1, "submission_timeout": 30, "memory_mb": 512, "output_kb": 16}


@dataclass
class Graded:
    report: dict
    seconds: float
    marker: str

    def scores(self) -> dict[str, tuple[float, float]]:
        return {e["id"]: (e["score"], e["max_score"])
                for a in self.report["assignments"] for e in a["exercises"]}

    def exercise(self, function: str) -> dict:
        return next(e for a in self.report["assignments"] for e in a["exercises"]
                    if e["id"] == function)

    def messages(self, function: str) -> list[str]:
        return [c["message"] for c in self.exercise(function)["cases"]]


def digest(folder: Path) -> str:
    """A hash of every file's path, mode and bytes under ``folder``."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(f"{path.relative_to(folder)}:{path.lstat().st_mode:o}".encode())
        if path.is_file() and not path.is_symlink():
            h.update(path.read_bytes())
    return h.hexdigest()


def surviving_processes(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


def _entries(folder: Path) -> list[Path]:
    try:  # other runs create and remove temporary folders here all the time
        return [Path(e.path) for e in os.scandir(folder)]
    except OSError:
        return []


def files_with_marker(marker: str, folders) -> list[str]:
    """Files directly in ``folders`` (or in a grader's temporary folder there) that
    hold ``marker``."""
    found = []
    for folder in map(Path, folders):
        entries = _entries(folder)
        for path in [*entries, *(p for e in entries if e.name.startswith("autograder-")
                                 for p in _entries(e))]:
            try:
                if path.is_file() and marker.encode() in path.read_bytes()[:1 << 20]:
                    found.append(str(path))
            except OSError:
                continue
    return found


def package_files_with_marker(marker: str) -> list[str]:
    # Not a digest: other work may change the package while these tests run.
    return [str(p) for p in PACKAGE.rglob("*.py") if marker in p.read_text(errors="replace")]


@pytest.fixture(scope="session")
def redteam_course(tmp_path_factory) -> Path:
    """A copy of the course with small limits, so a hostile run ends quickly."""
    course = tmp_path_factory.mktemp("redteam-course")
    text = (ROOT / "course.yaml").read_text()
    limits = "\n".join(f"    {key}: {value}" for key, value in LIMITS.items())
    text, count = re.subn(r"  limits:\n(?:    .*\n)+", f"  limits:\n{limits}\n", text)
    assert count == 1, "course.yaml's grading.limits block was not found"
    (course / "course.yaml").write_text(text)
    for folder in ("solutions", "public", "exercises"):
        shutil.copytree(ROOT / folder, course / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "mistakes"))
    return course


@pytest.fixture
def attack(redteam_course, tmp_path):
    """Grade the references with hostile code appended: ``attack({"module": "file"})``."""

    def run(poison: dict[str, str]) -> Graded:
        marker = f"redteam-{uuid.uuid4().hex[:16]}"
        submission = tmp_path / "submission"
        submission.mkdir()
        for source in (redteam_course / "solutions").glob("*.py"):
            shutil.copy(source, submission / source.name)
        shutil.copy(redteam_course / "solutions" / "answers.yaml", submission)
        for module, hostile in poison.items():
            code = (HOSTILE / hostile).read_text() if hostile.endswith(".py") else hostile
            with open(submission / f"{module}.py", "a") as file:
                file.write("\n\n" + code.replace("__MARKER__", marker))
        before = digest(redteam_course)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "autograder", "grade", str(submission), "--format", "json",
             "--course", str(redteam_course / "course.yaml")],
            cwd=redteam_course, env=env, capture_output=True, text=True,
            timeout=LIMITS["submission_timeout"] + 120, start_new_session=True)
        seconds = time.monotonic() - started
        assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
        report = json.loads(done.stdout)  # the grader's report, and only that
        assert digest(redteam_course) == before, "the course copy was changed"
        assert not package_files_with_marker(marker), "the grader's package was changed"
        assert not files_with_marker(marker, [tmp_path, Path.home(), "/tmp", ROOT,
                                              "/autograder/results"])
        assert not surviving_processes(marker)
        # The hard cap, plus the command's own start and the report.
        assert seconds < LIMITS["submission_timeout"] + 20, seconds
        return Graded(report, seconds, marker)

    return run


def assert_honest(graded: Graded, attacked: dict[str, float], *, ran: bool = False) -> None:
    """The attacked exercises score at most what their code honestly earns, and every
    other exercise keeps full marks. With ``ran``, the attacked function must also have
    run to a result on every case (its attack found nothing and it returned its
    fallback), so an attack that merely broke, or a sandbox that fails every call,
    cannot pass for one that was blocked."""
    for function, (score, max_score) in graded.scores().items():
        if function in attacked:
            assert score <= attacked[function], (function, score, graded.messages(function))
            if ran:
                outcomes = {c["outcome"] for a in graded.report["assignments"]
                            for e in a["exercises"] if e["id"] == function for c in e["cases"]}
                assert outcomes <= {"passed", "failed"}, (function, outcomes,
                                                           graded.messages(function))
        else:
            assert score == max_score, (function, score, graded.messages(function))
