"""``autograder batch --scheduler``: a class graded on a Dask cluster of separate worker
processes gets the gradebook and the reports the local pool (which needs no Dask) gives
it; ``--resume`` and a Dask worker that dies while grading behave as in the local batch;
each Dask worker applies the local rule against blind grading on its own host."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys

import dask
import pytest
from distributed import Client, LocalCluster, WorkerPlugin

from autograder.course.loader import load_course
from autograder.grading import shipped
from autograder.grading.distributed import pack
from autograder.sandbox import host
from conftest import ROOT, SOLUTIONS, run_autograder
from test_batch import make_class, make_student, read_rows


@pytest.fixture(scope="module")
def scheduler():
    """Two Dask workers, each its own (daemonic) process with one thread, as `dask worker
    ADDRESS --nworkers 2 --nthreads 1` starts them; Dask does not try again a task whose
    worker died, the batch does (the README's advice to staff)."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def _notebook(path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(
        (SOLUTIONS / "softmax.py").read_text(),
        metadata={"nbgrader": {"grade_id": "softmax", "solution": True}}))
    nbformat.write(notebook, path)


def _without_dask(*args) -> subprocess.CompletedProcess:
    """``autograder ARGS`` where Dask cannot be imported, as on an install without the
    cluster extra."""
    code = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None; "
            "from autograder.cli import main; sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def _reports(folder) -> dict:
    """Each json report, less its timing."""
    found = {}
    for path in sorted(folder.glob("*.json")):
        report = json.loads(path.read_text())
        report.pop("execution_time")
        found[path.stem] = report
    return found


def test_a_class_on_dask_workers_gets_the_local_pools_gradebook_reports_and_resume(
        scheduler, tmp_path):
    make_class(tmp_path / "class", ["reference", "stubs", "wrong_softmax", "crashes_on_import",
                                    "bad_answers"])
    os.symlink("/etc/passwd", tmp_path / "class" / "s2_wrong_softmax" / "extra.py")
    os.symlink(tmp_path / "class" / "s0_reference", tmp_path / "class" / "linked")
    _notebook(tmp_path / "class" / "nora.ipynb")
    (tmp_path / "class" / "broken.ipynb").write_text("{not json")
    common = ("batch", tmp_path / "class", "--assignment", "foundations")
    local = _without_dask(*common, "--workers", "2", "--csv", tmp_path / "local.csv",
                          "--reports", tmp_path / "local")
    assert local.returncode == 0, local.stderr    # the local pool needs no Dask
    on_dask = (*common, "--scheduler", scheduler, "--csv", tmp_path / "dask.csv")
    result = run_autograder(*on_dask, "--reports", tmp_path / "dask", check=True)

    assert (tmp_path / "dask.csv").read_text() == (tmp_path / "local.csv").read_text()
    assert _reports(tmp_path / "dask") == _reports(tmp_path / "local")
    assert result.stderr == ""      # Dask's own logging stays off the TA's terminal
    assert "8 of 8 submissions" in result.stdout and "2 could not be graded" in result.stdout
    rows = {r["student"]: r for r in read_rows(tmp_path / "dask.csv")}
    assert [s for s, r in rows.items() if r["status"] == "error"] == ["broken", "linked"]
    assert "symbolic link" in rows["linked"]["reason"]
    assert rows["s0_reference"]["total"] == "28" and rows["s1_stubs"]["total"] == "0"
    assert rows["nora"]["foundations.softmax"] == "10"
    assert 0 < float(rows["s2_wrong_softmax"]["total"]) < 28
    warned = _reports(tmp_path / "dask")["s2_wrong_softmax"]["warnings"]
    assert any(w.startswith("extra.py: a symbolic link") for w in warned)

    whole = (tmp_path / "dask.csv").read_text()
    (tmp_path / "dask.csv").write_text(whole[:-25])   # the last row lost its tail
    result = run_autograder(*on_dask, "--resume", check=True)
    assert "7 kept from before" in result.stdout and "(1 graded in" in result.stdout
    assert (tmp_path / "dask.csv").read_text() == whole


class KillWhileGrading(WorkerPlugin):
    """Kills the Dask worker process that starts grading the student named, as the
    system does when memory runs out."""
    name = "kill-while-grading"

    def __init__(self, student: str):
        self.prefix = f"grade-{student}-"

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and str(key).startswith(self.prefix):
            os.kill(os.getpid(), signal.SIGKILL)


def test_a_dask_worker_dying_under_a_submission_costs_that_row_only(scheduler, tmp_path):
    make_class(tmp_path / "class", ["reference", "stubs"])
    make_student(tmp_path / "class" / "victim", "reference")
    with Client(scheduler, set_as_default=False) as client:
        client.register_plugin(KillWhileGrading("victim"))
        try:
            result = run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv",
                                    "--assignment", "foundations", "--scheduler", scheduler,
                                    check=True)
        finally:
            client.unregister_worker_plugin(KillWhileGrading.name)
    assert "1 could not be graded" in result.stdout
    rows = {r["student"]: r for r in read_rows(tmp_path / "g.csv")}
    assert rows["victim"]["status"] == "error" and rows["victim"]["total"] == "0"
    assert "died each time, the last time with nothing else" in rows["victim"]["reason"]
    assert (rows["s0_reference"]["total"], rows["s1_stubs"]["total"]) == ("28", "0")


def test_a_dask_worker_refuses_what_the_local_batch_refuses(tmp_path, monkeypatch):
    course = load_course(ROOT / "course.yaml")
    folder = make_student(tmp_path / "class" / "ann", "reference")
    where, files, notes = pack(course, folder)
    job = shipped.Job(str(course.path), shipped.fingerprint(course), ("foundations",), None,
                      str(tmp_path / "class"), allow_unconfined=False, slim=True)

    stale = shipped.Job(**{**job.__dict__, "fingerprint": "another checkout"})
    assert shipped.grade_shipped(stale, where, files, notes)[0] is None
    assert "differs from the batch's machine" in shipped.grade_shipped(stale, where, files,
                                                                       notes)[1]

    monkeypatch.setenv(host.SIMULATE, "landlock=0,user")     # a host without Landlock
    host.probe.cache_clear()
    try:
        report, reason = shipped.grade_shipped(job, where, files, notes)
        assert report is None and "--allow-unconfined" in reason
        assert f"workers could read {course.root}" in reason
        accepted = shipped.Job(**{**job.__dict__, "allow_unconfined": True})
        report, reason = shipped.grade_shipped(accepted, where, files, notes)
        assert (report.score, reason) == (28, "")
        assert not report.sandbox["confined"]
    finally:
        host.probe.cache_clear()


def test_scheduler_without_dask_installed_says_what_to_install(tmp_path):
    make_class(tmp_path / "class", ["stubs"])
    result = _without_dask("batch", tmp_path / "class", "--csv", tmp_path / "g.csv",
                           "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode == 2 and not (tmp_path / "g.csv").exists()
    assert result.stderr.strip() == (
        "autograder: --scheduler needs Dask's distributed scheduler, which is not "
        "installed: pip install -e '.[cluster]'")
