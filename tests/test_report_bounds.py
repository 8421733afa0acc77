"""Every report stays under 1 MB and parseable whatever a submission made its messages,
answers and output, however many cases the course has; a report or gradebook is only
ever written to a regular file."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from autograder.grading.results import (AssignmentResult, CaseResult, ExerciseResult,
                                        QuestionResult, Report)
from autograder.reports import FORMATS, csv_report, files

WORST = "\x1b\u202e\ud800\x00\n" * 200_000   # 1M characters, each escaped 6 bytes wide
LONG = WORST[:20_000]                         # ten times the bound of one message


def hostile_report(cases: int) -> Report:
    exercises = [ExerciseResult(f"f{i}", "f.py", 0, 1, "error", [WORST] * 10, [
        CaseResult(f"case {j}", 0, 1, False, "error", f"{j}{LONG}") for j in range(cases)])
        for i in range(8)]
    questions = [QuestionResult(f"q{i}", 0, 1, answer, True, WORST)
                 for i, answer in enumerate([float("nan"), float("-inf"), [WORST] * 1000,
                                             10 ** 400])]
    # ids, titles and case names come from course.yaml; everything else from the student
    return Report(0, 8, [AssignmentResult("a", "A", 0, 8, exercises, questions)], "c",
                  WORST, 1, "grade", 0.1, [WORST] * 10_000, WORST * 2)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("cases", [10, 60])   # 80 and 480 cases (the course has 76)
def test_every_format_stays_under_1mb_and_parses_strictly(fmt, cases):
    text = FORMATS[fmt](hostile_report(cases), hidden_visibility="visible")
    assert len(text.encode("utf-8")) < 1 << 20
    if fmt in ("json", "gradescope"):
        json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard {name}"))
    elif fmt == "junit":
        ET.fromstring(text.encode("utf-8"))
    else:
        assert not {c for c in text if ord(c) < 32 and c not in "\n\t"}


def test_gradebook_text_cells_are_neutralised_and_numbers_stay_numbers():
    row = csv_report.written(["=HYPERLINK(1)", "12.5", "-0", "error", "@SUM(1)\x1b"])
    assert row == ["'=HYPERLINK(1)", "12.5", "-0", "error", "'@SUM(1)\\x1b"]


def test_a_report_replaces_a_regular_file_but_never_a_pipe_or_a_link(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    files.write_text(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["r.json"]
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(target)
    for name, kind in (("pipe", "a named pipe"), ("link", "a symbolic link")):
        with pytest.raises(files.UnsafeTarget, match=kind):
            files.write_text(tmp_path / name, "x")
        with pytest.raises(files.UnsafeTarget, match=kind):
            files.open_append(tmp_path / name)
    assert target.read_text() == "new" and len(os.listdir(tmp_path)) == 3
