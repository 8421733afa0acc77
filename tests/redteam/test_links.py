"""Attacks that point the grader at someone else's work: symbolic links (which git
keeps, so a repository or an upload can carry them), hard links and named pipes, to the
references, to another student's folder, as a batch entry. None may earn a point, and
none may change another student's row."""
import csv
import os
import stat

from autograder.course.loader import load_course
from cli import (cli, honest_copy, private_tmp, quick_checks, redteam_course,  # noqa: F401
                 scores, strict_json, stubs_copy)


def rows(path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return {r["student"]: r for r in csv.DictReader(file)}


def test_a_release_clone_whose_exercises_folder_links_to_the_solutions_scores_nothing(
        cli, redteam_course, tmp_path):
    root = tmp_path / "gradescope"          # an upload to the Gradescope runner
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "exercises").symlink_to(redteam_course / "solutions")
    ran = cli("gradescope", "run", "--root", root)
    results = strict_json((root / "results" / "results.json").read_text())
    assert ran.code == 0 and results["score"] == 0, (ran.stderr, results["score"])
    assert "exercises: a symbolic link" in results["output"]

    klass = tmp_path / "class"             # the same clone in a batch, and graded alone
    (klass / "carl").mkdir(parents=True)
    (klass / "carl" / "exercises").symlink_to(redteam_course / "solutions")
    ran = cli("batch", klass, "--csv", tmp_path / "g.csv", "--workers", "1")
    assert ran.code == 0 and rows(tmp_path / "g.csv")["carl"]["total"] == "0", ran.stderr
    ran = cli("grade", klass / "carl", "--format", "json")
    report = strict_json(ran.stdout)
    assert ran.code == 0 and report["score"] == 0 and set(scores(report).values()) == {0}
    assert any(w.startswith("exercises: a symbolic link") for w in report["warnings"])


def test_every_file_linked_to_the_references_or_hard_linked_is_refused_by_name(
        cli, redteam_course, tmp_path):
    submission = stubs_copy(redteam_course, tmp_path / "mallory")
    for name in ("softmax.py", "positional_encoding.py", "answers.yaml"):
        (submission / name).unlink()
    (submission / "softmax.py").symlink_to(redteam_course / "solutions" / "softmax.py")
    os.link(redteam_course / "solutions" / "positional_encoding.py",
            submission / "positional_encoding.py")
    os.mkfifo(submission / "answers.yaml")        # opening it would block a reader
    if os.geteuid() == 0:      # only root makes devices (tar, as root, extracts them)
        (submission / "encoder.py").unlink()
        os.mknod(submission / "encoder.py", stat.S_IFCHR | 0o644, os.makedev(1, 5))
    (submission / "deep" / "er").mkdir(parents=True)
    (submission / "deep" / "er" / "key").symlink_to(redteam_course / "solutions")
    ran = cli("grade", submission, "--format", "json")
    assert ran.code == 0, ran.stderr
    report = strict_json(ran.stdout)
    assert report["score"] == 0 and quick_checks(report) == 0
    warned = "\n".join(report["warnings"])
    for name, kind in [("softmax.py", "a symbolic link"), ("answers.yaml", "a named pipe"),
                       ("positional_encoding.py", "a hard link"),
                       ("deep/er/key", "a symbolic link"),
                       *[("encoder.py", "a device")] * (os.geteuid() == 0)]:
        assert f"{name}: {kind}" in warned, (name, warned)


def test_grade_refuses_a_submission_path_that_is_a_link(cli, redteam_course, tmp_path):
    (tmp_path / "mine").symlink_to(redteam_course / "solutions")
    ran = cli("grade", tmp_path / "mine")
    assert ran.code == 2 and "is a symbolic link" in ran.stderr and not ran.stdout


def test_batch_entries_linking_to_another_student_are_error_rows_and_ann_keeps_her_row(
        cli, redteam_course, tmp_path):
    klass = tmp_path / "class"
    honest_copy(redteam_course, klass / "ann")
    stubs_copy(redteam_course, klass / "bob")
    (klass / "eve").symlink_to(klass / "ann")                       # a folder link
    (klass / "zed.ipynb").symlink_to(redteam_course / "solutions" / "softmax.py")
    mallory = stubs_copy(redteam_course, klass / "mallory")         # links inside
    for name in ("softmax.py", "attention.py"):
        (mallory / name).unlink()
        (mallory / name).symlink_to(klass / "ann" / name)
    ran = cli("batch", klass, "--csv", tmp_path / "g.csv", "--workers", "2")
    assert ran.code == 0, ran.stderr
    book = rows(tmp_path / "g.csv")
    course = load_course(redteam_course / "course.yaml")      # the course's own total
    full = sum(e.points for e in course.exercises) + sum(q.points for q in course.questions)
    assert book["ann"]["total"] == f"{full:g}" and book["bob"]["total"] == "0"
    for link in ("eve", "zed"):
        assert book[link]["status"] == "error" and book[link]["total"] == "0"
        assert "symbolic link" in book[link]["reason"]
    assert book["mallory"]["status"] == "graded" and book["mallory"]["total"] == "0"
