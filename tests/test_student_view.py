"""What the student needs to see (issue 10, item 7), through the real CLI: what their
code printed, per function; a bare ``check`` in a working folder checks it; a renamed
exercise gets a "did you mean"; scores rounded alike in text and CSV; the public cases
counted as said; answers.yaml problems said once and plainly."""
from __future__ import annotations

import csv
import json
import re
import shutil

from autograder.reports.csv_report import number
from conftest import ROOT, SOLUTIONS, run_autograder


def _lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def test_the_text_report_shows_what_each_function_printed(submission):
    softmax = (SOLUTIONS / "softmax.py").read_text().replace(
        "def softmax(x, axis=-1):\n", "def softmax(x, axis=-1):\n    print('peek', x.shape)\n")
    assert "peek" in softmax
    folder = submission(replace={"softmax.py": softmax,
                                 "encoder.py": (SOLUTIONS / "encoder.py").read_text()
                                 + "\nprint('encoder loaded')\n"})
    out = run_autograder("check", folder, "--assignment", "foundations",
                         "--assignment", "encoder", check=True).stdout
    printed = out[out.index("What your code printed"):out.index("Sandbox:")]
    assert "[printed by softmax]" in printed and "peek (" in printed
    assert "[printed while importing encoder.py]" in printed and "encoder loaded" in printed
    section = printed[printed.index("[printed by softmax]"):]
    assert len(section.splitlines()) <= 45     # bounded per function


def test_a_bare_check_in_a_working_folder_checks_that_folder(tmp_path):
    work = tmp_path / "my work, any name"
    shutil.copytree(SOLUTIONS, work, ignore=shutil.ignore_patterns("mistakes", "mutants.yaml"))
    out = run_autograder("check", "--course", ROOT / "course.yaml", cwd=work,
                         check=True).stdout
    assert out.splitlines()[0].endswith("self-check (public cases only) of .")
    total = re.search(r"Public cases: (\d+) / (\d+) passed", out)
    assert total and total[1] == total[2]


def test_a_renamed_exercise_file_gets_a_did_you_mean(submission):
    folder = submission()
    (folder / "softmax.py").rename(folder / "my_softmax.py")
    out = run_autograder("check", folder, "--assignment", "foundations", check=True).stdout
    assert "softmax.py is missing, but there is my_softmax.py: did you mean softmax.py?" in out


def test_scores_are_rounded_alike_in_text_and_csv_and_exact_in_json(submission, tmp_path):
    broken = (SOLUTIONS / "softmax.py").read_text() + "\nx = (\n"
    folder = submission(replace={"softmax.py": broken})
    report = json.loads(run_autograder("grade", folder, "--assignment", "attention",
                                       "--format", "json", check=True).stdout)
    text = run_autograder("grade", folder, "--assignment", "attention", check=True).stdout
    exercise = next(e for e in report["assignments"][0]["exercises"]
                    if e["id"] == "scaled_dot_product_attention")
    assert exercise["score"] != round(exercise["score"], 2)      # a fraction of its points
    shown = number(exercise["score"])
    assert f" {shown} / 14 " in _lines_with(text, "scaled_dot_product_attention ")[0]
    (tmp_path / "class").mkdir()
    shutil.move(folder, tmp_path / "class" / "ann")
    run_autograder("batch", tmp_path / "class", "--csv", tmp_path / "g.csv", "--assignment",
                   "attention", "--workers", "1", check=True)
    with open(tmp_path / "g.csv", newline="") as f:
        (row,) = csv.DictReader(f)
    assert row["attention.scaled_dot_product_attention"] == shown


def test_public_cases_line_counts_cases_and_points(submission):
    folder = submission(replace={"softmax.py": "def softmax(x, axis=-1):\n    return x\n"})
    report = json.loads(run_autograder("check", folder, "--format", "json").stdout)
    out = run_autograder("check", folder).stdout
    cases = [c for a in report["assignments"] for e in a["exercises"] for c in e["cases"]]
    assert not any(c["hidden"] for c in cases)
    passed = sum(c["passed"] for c in cases)
    assert (f"Public cases: {passed} / {len(cases)} passed, worth "
            f"{number(report['score'])} / {number(report['max_score'])} points") in out


def test_answers_yaml_problems_are_said_once_and_plainly(submission):
    broken = submission("broken", answers="attention-role: [unclosed\n")
    out = run_autograder("grade", broken, "--assignment", "foundations", check=True).stdout
    assert out.count("answers.yaml could not be read") == 2     # the warning, and one line
    assert len(_lines_with(out, "answers.yaml could not be read (see the warnings)")) == 1

    typo = submission("typo", answers="atention-role: b\nposition-needed: z\n")
    out = run_autograder("check", typo, "--assignment", "foundations", check=True).stdout
    assert "unknown question id 'atention-role' is ignored (did you mean 'attention-role'?)" in out
    assert "position-needed: answer not understood" in out
    assert "0/6 answered" in out               # a choice that does not exist is no answer

    missing = submission("missing", drop=("answers.yaml",))
    out = run_autograder("check", missing, "--assignment", "foundations", check=True).stdout
    assert "answers.yaml is not in your submission" in out
