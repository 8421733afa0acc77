"""Attacks on everyone else's grade: a grading process that dies under one submission
(as when the system kills it for memory), and notebooks no one can read in an nbgrader
audit. The one submission gets its row (an error, with the reason); every other student
gets exactly the row they get when graded alone."""
import csv
import json
import os
import signal
import threading
import time

from cli import (cli, honest_copy, notebook, private_tmp, redteam_course,  # noqa: F401
                 strict_json, stubs_copy)


def rows(path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return {r["student"]: r for r in csv.DictReader(file)}


def kill_whoever_grades(number: int, tmp: os.PathLike, done: threading.Event) -> list[int]:
    """SIGKILL every batch process that takes up submission ``number`` (the batch marks
    the submission each of its processes grades in ``autograder-batch-*/marks/<number>``),
    as the system's out-of-memory killer would; the pids killed."""
    killed: list[int] = []

    def watch() -> None:
        while not done.is_set():
            for folder in list(os.scandir(tmp)):
                try:
                    with open(os.path.join(folder.path, "marks", str(number))) as mark:
                        pid = int(mark.read() or 0)
                except (OSError, ValueError):
                    continue
                if pid and pid not in killed:
                    killed.append(pid)
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.002)

    threading.Thread(target=watch, daemon=True).start()
    return killed


def test_a_batch_process_killed_under_one_submission_costs_only_that_row(
        cli, redteam_course, tmp_path, private_tmp):
    klass = tmp_path / "class"
    honest_copy(redteam_course, klass / "ann")
    stubs_copy(redteam_course, klass / "bob")
    honest_copy(redteam_course, klass / "carl")
    honest_copy(redteam_course, klass / "mallory")        # number 3: sorted fourth
    honest_copy(redteam_course, klass / "zoe")
    done = threading.Event()
    killed = kill_whoever_grades(3, private_tmp, done)
    try:
        ran = cli("batch", klass, "--csv", tmp_path / "g.csv", "--workers", "2")
    finally:
        done.set()
    assert ran.code == 0, ran.stderr
    assert len(killed) == 2          # in the pool of two, then alone
    book = rows(tmp_path / "g.csv")
    assert book["mallory"]["status"] == "error" and book["mallory"]["total"] == "0"
    assert "killed by SIGKILL" in book["mallory"]["reason"]
    reports = {s: strict_json(cli("grade", klass / s, "--format", "json").stdout)
               for s in ("ann", "bob", "zoe")}
    full = reports["ann"]["max_score"]           # the course's own total
    alone = {s: r["score"] for s, r in reports.items()}
    assert alone == {"ann": full, "bob": 0, "zoe": full}
    for student in ("ann", "bob", "carl", "zoe"):
        assert book[student]["status"] == "graded", book[student]
        assert float(book[student]["total"]) == alone.get(student, full)


def test_an_audit_lists_unreadable_and_linked_notebooks_and_audits_everyone_else(
        cli, redteam_course, tmp_path):
    folder = tmp_path / "nbgrader"
    submitted = folder / "submitted"
    cells = [(name, (redteam_course / "solutions" / f"{name}.py").read_text())
             for name in ("softmax", "positional_encoding")]
    for student in ("ann", "deep", "linked", "zed"):
        (submitted / student / "foundations").mkdir(parents=True)
    for student in ("ann", "zed"):
        (submitted / student / "foundations" / "foundations.ipynb").write_text(notebook(cells))
    (submitted / "deep" / "foundations" / "foundations.ipynb").write_text(
        '{"nbformat": 4, "cells": ' + "[" * 5000 + "]" * 5000 + "}")
    (submitted / "linked" / "foundations" / "foundations.ipynb").symlink_to(
        submitted / "ann" / "foundations" / "foundations.ipynb")
    ran = cli("nbgrader", "audit", folder, "--format", "json")
    assert ran.code == 0, ran.stderr          # no gradebook: nothing credited, no flag
    entries = {e["student"]: e for e in json.loads(ran.stdout)["submissions"]}
    assert entries["ann"]["isolated"] == entries["zed"]["isolated"] == 20
    for student, why in (("deep", "levels deep"), ("linked", "symbolic link")):
        assert entries[student]["verdict"] == "unreadable" and entries[student]["isolated"] == 0
        assert why in entries[student]["unreadable"], entries[student]
    text = cli("nbgrader", "audit", folder).stdout
    assert "UNREADABLE" in text and text.count("\n") == 6
