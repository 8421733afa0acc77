"""Attacks on what the grading process parses itself: answers.yaml and notebooks built
to exhaust memory or the parser's recursion, and messages built to swell the report.
Each must end in a score with a plain reason (or, for a notebook that cannot be read at
all, exit 2 / an error row saying why), never a traceback, in bounded time, with every
report under 1 MB."""
import csv

from cli import (cli, honest_copy, inert_text, notebook, private_tmp,  # noqa: F401
                 quick_checks, redteam_course, scores, strict_json, strict_xml)

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
NESTED = "attention-role: " + "[" * 995 + "]" * 995 + "\n"
HUGE_NAME = ('\n\ndef softmax(x, axis=-1):\n'
             '    raise type("E" * 1_000_000, (Exception,), {})("why " * 300_000)\n')


def test_a_billion_laughs_or_995_nested_lists_in_answers_yaml_cost_only_the_quick_checks(
        cli, redteam_course, tmp_path):
    for name, text in (("laughs", LAUGHS), ("nested", NESTED)):
        submission = honest_copy(redteam_course, tmp_path / name)
        (submission / "answers.yaml").write_text(text)
        ran = cli("grade", submission, "--format", "json")
        assert ran.code == 0, ran.stderr
        report = strict_json(ran.stdout)
        assert quick_checks(report) == 0
        assert report["score"] == sum(e["max_score"] for a in report["assignments"]
                                      for e in a["exercises"])   # the code is honest
        (reason,) = [w for w in report["warnings"] if "answers.yaml could not be read" in w]
        assert len(reason.splitlines()) == 2 and len(reason) < 400, reason


def test_numbers_no_float_can_hold_are_wrong_answers_not_crashes(cli, redteam_course, tmp_path):
    submission = honest_copy(redteam_course, tmp_path / "s")
    (submission / "answers.yaml").write_text(
        f"softmax-three-scores: {'9' * 999}\npe-row-zero-sum: .inf\nhead-two-keys: .NaN\n")
    ran = cli("grade", submission, "--format", "json")
    report = strict_json(ran.stdout)
    questions = {q["id"]: q for a in report["assignments"] for q in a["questions"]}
    for qid in ("softmax-three-scores", "pe-row-zero-sum", "head-two-keys"):
        assert questions[qid]["score"] == 0 and "finite number" in questions[qid]["message"]


def test_notebooks_nested_5000_deep_or_with_120000_cells_are_refused_with_a_reason(
        cli, tmp_path):
    deep = tmp_path / "class" / "deep.ipynb"
    deep.parent.mkdir()
    deep.write_text('{"nbformat": 4, "cells": [], "metadata": {"x": '
                    + "[" * 5000 + "]" * 5000 + "}}")
    many = tmp_path / "class" / "many.ipynb"
    cell = '{"cell_type":"code","metadata":{"nbgrader":{"grade_id":"softmax"}},"source":""}'
    many.write_text('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":['
                    + ",".join([cell] * 120_000) + "]}")
    for path, reason in ((deep, "5002 levels deep"), (many, "120000 cells")):
        ran = cli("grade", path)
        assert ran.code == 2 and reason in ran.stderr and "Traceback" not in ran.stderr
        assert len(ran.stderr) < 2000 and not ran.stdout
    ran = cli("batch", tmp_path / "class", "--csv", tmp_path / "g.csv")
    with open(tmp_path / "g.csv", newline="") as file:
        book = {r["student"]: r for r in csv.DictReader(file)}
    assert ran.code == 0 and {r["status"] for r in book.values()} == {"error"}
    assert "5002 levels deep" in book["deep"]["reason"]


def test_a_3000_term_expression_in_a_notebook_cell_is_graded_not_a_traceback(cli, tmp_path):
    answer = "answer_softmax_three_scores = " + "+".join(["1"] * 3000)
    code = "def softmax(x, axis=-1):\n    return " + "+".join(["x"] * 3000) + "\n"
    path = tmp_path / "foundations.ipynb"
    path.write_text(notebook([("softmax", code), ("answer_softmax-three-scores", answer)]))
    for fmt, check in (("json", strict_json), ("junit", strict_xml), ("text", inert_text)):
        ran = cli("grade", path, "--format", fmt)
        assert ran.code == 0 and "Traceback" not in ran.stderr, ran.stderr
        check(ran.stdout)
    report = strict_json(cli("grade", path, "--format", "json").stdout)
    assert report["score"] == 0


def test_an_exception_with_a_1mb_type_name_and_message_keeps_every_report_under_1mb(
        cli, redteam_course, tmp_path):
    submission = honest_copy(redteam_course, tmp_path / "s")
    with open(submission / "softmax.py", "a") as file:
        file.write(HUGE_NAME)
    outputs = {}
    for fmt in ("json", "gradescope", "junit", "text"):
        ran = cli("grade", submission, "--format", fmt, "--output", tmp_path / f"r.{fmt}")
        assert ran.code == 0, ran.stderr
        outputs[fmt] = (tmp_path / f"r.{fmt}").read_text()
    report = strict_json(outputs["json"])
    strict_json(outputs["gradescope"])
    strict_xml(outputs["junit"])
    inert_text(outputs["text"])
    assert scores(report)["softmax"] == 0
    assert {s for f, s in scores(report).items() if f != "softmax"} != {0}
