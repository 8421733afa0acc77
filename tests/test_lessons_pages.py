"""The lessons' HTML pages in a real headless Chromium (Debian's ``chromium``, driven by
playwright's Python API; no browser download): they load from ``file://`` with no
console error and no network request, show their pictures, and count quick-check
answers without judging them. A screenshot of each page's first screen is kept in
``lesson-<assignment>.png`` among the test artifacts (see ``browser.py``) (what a student sees first)."""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.course.loader import load_course
from autograder.lessons.build import write_pages
from browser import CHROMIUM, FLAGS, screenshot_path
from conftest import ROOT

COURSE = load_course(ROOT / "course.yaml")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="needs Debian's chromium (.ci/run installs it)")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return {p.stem: p for p in write_pages(COURSE, tmp_path_factory.mktemp("pages"))}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


@pytest.mark.parametrize("assignment", [a.id for a in COURSE.assignments])
def test_a_lesson_page_loads_offline_with_its_pictures_and_no_error(
        assignment, pages, browser):
    page, problems, requests = open_page(browser, pages[assignment])
    try:
        assert problems == []
        # the page itself, and data: URIs that Chromium reports as requests, nothing else
        assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, i.src.slice(0, 22)])")
        assert len(images) >= 2
        assert all(ok and src == "data:image/png;base64," for ok, src in images)
        assert page.locator("section.exercise").count() == len(
            next(a for a in COURSE.assignments if a.id == assignment).exercises)
        page.screenshot(path=str(screenshot_path(f"lesson-{assignment}.png")))
    finally:
        page.close()


def test_the_page_counts_answers_and_never_judges_them(pages, browser):
    page, problems, _ = open_page(browser, pages["foundations"])
    try:
        total = len(COURSE.assignments[0].questions)
        assert page.inner_text("header.progress").count(f"0 of {total}") == 1
        page.check("section.question[data-id='attention-role'] input[value='c']")
        page.fill("section.question[data-id='softmax-three-scores'] input", "0.5")
        assert page.inner_text("#answered") == "2"
        line = page.inner_text("section.question[data-id='attention-role'] .answer-line")
        assert line == "answers.yaml: attention-role: c"
        text = page.inner_text("body").lower()
        assert not any(word in text for word in ("correct!", "wrong", "incorrect"))
        assert problems == []
    finally:
        page.close()
