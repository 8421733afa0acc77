"""``--html FILE`` of ``check`` and ``grade``: each failing public case with an array
result is drawn (the student's, the expected, the difference; for attention both
weight heatmaps); hidden cases are never drawn nor named; the page loads in headless
Chromium with no console error and no request (its first screen is kept in
``feedback-attention.png`` among the test artifacts, see ``browser.py``)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograder.checks import cases_of
from autograder.course.loader import load_course
from autograder.grading.engine import grade
from autograder.grading.replay import failing_public_cases, replay
from autograder.reports.pictures import render
from browser import CHROMIUM, FLAGS, screenshot_path
from conftest import ROOT, SOLUTIONS, run_autograder



@pytest.fixture(scope="module")
def transposed(tmp_path_factory):
    """References, except that attention returns its weights transposed."""
    folder = tmp_path_factory.mktemp("submission")
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, folder)
    source = (folder / "attention.py").read_text()
    assert "return weights @ v, weights\n" in source
    (folder / "attention.py").write_text(
        source.replace("return weights @ v, weights\n", "return weights @ v, weights.T\n"))
    return folder


def test_check_html_draws_both_weight_heatmaps_of_a_failing_attention_case(
        transposed, tmp_path):
    page = tmp_path / "feedback.html"
    result = run_autograder("check", str(transposed), "--assignment", "attention",
                            "--html", str(page))
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    case = text.split("2-D inputs, no mask</h3>")[1].split("<section")[0]
    assert "output: matches the expected result." in case
    weights = case.split("<h4>attention weights</h4>")[1]
    assert re.findall(r"<figcaption>(.*?)</figcaption>", weights) == [
        "your result", "expected", "difference"]
    assert weights.count("src='data:image/png;base64,") == 3


def test_grade_html_never_draws_or_names_a_hidden_case(transposed, tmp_path):
    course = load_course(ROOT / "course.yaml")
    report = grade(course, transposed, assignments=["attention"], mode="grade")
    failing = [c for a in report.assignments for e in a.exercises for c in e.cases
               if not c.passed]
    assert any(c.hidden for c in failing) and any(not c.hidden for c in failing)
    replays = replay(course, transposed, report)
    hidden_names = {c.name for c in cases_of("scaled_dot_product_attention") if c.hidden}
    assert {r.case for r in replays} == {n for _, n in failing_public_cases(report)}
    assert not {r.case for r in replays} & hidden_names
    page = render(report, replays)
    assert not any(f">{n}<" in page or f": {n}</h3>" in page for n in hidden_names)
    drawn = len(re.findall(r"<section class='case'>", page))
    assert drawn == len([c for c in failing if not c.hidden])
    assert re.search(r"\d+ hidden case\(s\) did not pass", page)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_the_feedback_page_loads_in_chromium_without_error(transposed, tmp_path):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "feedback.html"
    assert run_autograder("check", str(transposed), "--assignment", "attention",
                          "--html", str(page_file)).returncode == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        problems, requests = [], []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri(), wait_until="load")
        loaded = page.eval_on_selector_all("img", "i => i.map(x => x.naturalWidth > 0)")
        page.screenshot(path=str(screenshot_path("feedback-attention.png")))
        browser.close()
    assert problems == [] and loaded and all(loaded)
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
