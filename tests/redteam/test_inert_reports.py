"""Attacks on the reader of a report: terminal escape sequences that clear the screen and
print a fake total, characters XML cannot hold, a NaN answer, gradebook cells a
spreadsheet would run as formulas, and a named pipe or a link planted where a report or
the gradebook will be written. Every report must stay inert and strictly parseable."""
import csv
import os

from cli import (cli, honest_copy, inert_text, private_tmp, quick_checks,  # noqa: F401
                 redteam_course, strict_json, strict_xml)

FAKE_TOTAL = ('\n\ndef positional_encoding(*args, **kwargs):\n'
              '    raise ValueError("\\x1b[2J\\x1b[H\\rTotal: 100 / 100\\x00\\x07\\x9b\\u202e'
              '\\ud800 <![CDATA[ ]]> &amp;")\n')
FORMULAS = ("=2+5+cmd|' -C calc'!A0", "@SUM(1+9)", "+1+1", "-1+1", "\tx", "'=quoted")


def test_an_escape_sequence_faking_the_total_is_shown_escaped_and_junit_stays_xml(
        cli, redteam_course, tmp_path):
    submission = honest_copy(redteam_course, tmp_path / "s")
    with open(submission / "positional_encoding.py", "a") as file:
        file.write(FAKE_TOTAL)
    text = inert_text(cli("grade", submission).stdout)
    report = strict_json(cli("grade", submission, "--format", "json").stdout)
    score, total = report["score"], report["max_score"]    # the course's own total
    assert "\\x1b[2J" in text and score < total
    totals = [line for line in text.splitlines() if line.startswith("Total")]
    assert totals == [text.splitlines()[-1]] and totals[0].startswith(
        f"Total: {score:g} / {total:g}")
    junit = strict_xml(cli("grade", submission, "--format", "junit").stdout)
    failed = [c for c in junit.iter("testcase") if c.find("error") is not None
              or c.find("failure") is not None]
    assert failed and all("positional_encoding" in c.get("classname") for c in failed)
    strict_json(cli("grade", submission, "--format", "gradescope").stdout)


def test_a_nan_or_infinite_answer_keeps_the_json_reports_strict(cli, redteam_course, tmp_path):
    submission = honest_copy(redteam_course, tmp_path / "s")
    answers = submission / "answers.yaml"
    kept = [line for line in answers.read_text().splitlines()
            if not line.startswith(("softmax-three-scores:", "pe-row-zero-sum:"))]
    answers.write_text("\n".join([*kept, "softmax-three-scores: .nan",
                                  "pe-row-zero-sum: -.inf"]) + "\n")
    for fmt in ("json", "gradescope"):
        ran = cli("grade", submission, "--format", fmt)
        assert ran.code == 0, ran.stderr
        report = strict_json(ran.stdout)
    report = strict_json(cli("grade", submission, "--format", "json").stdout)
    answers = {q["id"]: q["answer"] for a in report["assignments"] for q in a["questions"]}
    assert answers["softmax-three-scores"] == "nan" and answers["pe-row-zero-sum"] == "-inf"
    assert quick_checks(report) < sum(q["max_score"] for a in report["assignments"]
                                      for q in a["questions"])


def test_folder_names_that_are_spreadsheet_formulas_are_neutralised_in_the_gradebook(
        cli, redteam_course, tmp_path):
    klass = tmp_path / "class"
    for name in FORMULAS:
        honest_copy(redteam_course, klass / name)
    ran = cli("batch", klass, "--csv", tmp_path / "g.csv", "--assignment", "foundations")
    assert ran.code == 0, ran.stderr
    with open(tmp_path / "g.csv", newline="") as file:
        records = list(csv.reader(file))[1:]
    assert sorted(r[0] for r in records) == sorted("'" + name for name in FORMULAS)
    for record in records:
        assert record[1] == "28" and float(record[2]) == 28   # numbers stay numbers
    # --resume reads the neutralised names back as the students they are
    ran = cli("batch", klass, "--csv", tmp_path / "g.csv", "--assignment", "foundations",
              "--resume")
    assert ran.code == 0 and f"{len(FORMULAS)} kept from before" in ran.stdout, ran.stdout

    odd = tmp_path / "odd"          # names that are not UTF-8, or that drive a terminal
    for name in ("bad\udcff", "\x1b[2J\rann"):
        honest_copy(redteam_course, odd / name)
    ran = cli("batch", odd, "--csv", tmp_path / "odd.csv", "--reports", tmp_path / "odd",
              "--assignment", "foundations")
    assert ran.code == 0, ran.stderr
    text = (tmp_path / "odd.csv").read_text(encoding="utf-8")
    assert "bad\\udcff" in text and "\\x1b[2J\\rann" in text
    inert_text(text)
    for report in (tmp_path / "odd").glob("*.txt"):
        inert_text(report.read_text(encoding="utf-8"))


def test_a_named_pipe_or_a_link_where_a_report_goes_is_refused_without_blocking(
        cli, redteam_course, tmp_path):
    submission = honest_copy(redteam_course, tmp_path / "ann")
    os.mkfifo(tmp_path / "report.json")
    ran = cli("grade", submission, "--format", "json", "--output", tmp_path / "report.json")
    assert ran.code == 2 and "named pipe" in ran.stderr
    secret = tmp_path / "secret.txt"
    secret.write_text("keep")
    (tmp_path / "report.txt").symlink_to(secret)
    ran = cli("grade", submission, "--output", tmp_path / "report.txt")
    assert ran.code == 2 and "symbolic link" in ran.stderr and secret.read_text() == "keep"

    klass = tmp_path / "class"
    honest_copy(redteam_course, klass / "ann")
    honest_copy(redteam_course, klass / "bob")
    (tmp_path / "reports").mkdir()
    os.mkfifo(tmp_path / "reports" / "ann.json")
    ran = cli("batch", klass, "--csv", tmp_path / "g.csv", "--reports", tmp_path / "reports",
              "--assignment", "foundations")
    assert ran.code == 0, ran.stderr
    with open(tmp_path / "g.csv", newline="") as file:
        book = {r["student"]: r for r in csv.DictReader(file)}
    assert book["ann"]["total"] == book["bob"]["total"] == "28"
    assert "named pipe" in book["ann"]["reason"] and book["bob"]["reason"] == ""
    strict_json((tmp_path / "reports" / "bob.json").read_text())
    os.mkfifo(tmp_path / "pipe.csv")
    ran = cli("batch", klass, "--csv", tmp_path / "pipe.csv", "--resume")
    assert ran.code == 2 and "named pipe" in ran.stderr
