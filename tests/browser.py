"""A real headless browser for the tests: Debian's Chromium driven by playwright.

Chromium comes from Debian's packages (``apt-get install -y chromium``, done by
``.ci/run``) and playwright's Python API drives it through ``executable_path``, so no
browser is downloaded. :func:`open_page` opens a local file and records every request
that is not that file and every console error or uncaught exception, so a test can
assert that a page works offline and cleanly.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Screenshots are test artifacts, rewritten on every run: under $AUTOGRADER_ARTIFACTS, by
# default test-artifacts/ in the checkout (ignored by git, so a test run leaves the tree
# clean); docs/screenshots/ holds committed copies for the README.
ARTIFACTS = Path(os.environ.get("AUTOGRADER_ARTIFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artifacts") / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def screenshot_path(name: str) -> Path:
    """Where the screenshot ``name`` (e.g. ``explorer.png``) is kept."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


@dataclass
class PageLog:
    requests: list[str] = field(default_factory=list)   # every URL but the page's own file
    errors: list[str] = field(default_factory=list)     # console errors, uncaught exceptions


def require_browser():
    """Skip (with how to install) where Chromium or playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@contextlib.contextmanager
def open_page(path: Path, *, width: int = 1100, height: int = 800):
    """``(page, log)`` for the local file ``path``; any other request is recorded and
    aborted, so nothing reaches the network even if a page tried."""
    sync_api = require_browser()
    url = Path(path).resolve().as_uri()
    log = PageLog()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: m.type == "error" and log.errors.append(m.text))
            page.on("pageerror", lambda e: log.errors.append(str(e)))

            def route(r):
                if r.request.url == url:
                    r.continue_()
                else:
                    log.requests.append(r.request.url)
                    r.abort()
            page.route("**/*", route)
            page.goto(url)
            yield page, log
        finally:
            browser.close()
