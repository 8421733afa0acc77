"""The explorer's page in a real headless Chromium: click "it", and every word's shading
is the weight the page was built from, for the chosen layer and head and for the
average over heads; offline (no request leaves the file) and without console errors.
A screenshot, explorer.png, is kept among the test artifacts (see browser.py)."""
from pathlib import Path

import numpy as np
import pytest

from autograder.course.loader import load_course
from autograder.explorer.attention import explore
from autograder.explorer.page import render
from browser import open_page, screenshot_path

ROOT = Path(__file__).resolve().parent.parent
ANIMAL = "The animal did not cross the street because it was too tired"
# Chromium keeps a colour's alpha to about 1/255.
ALPHA = 0.005


@pytest.fixture(scope="module")
def exploration():
    return explore(load_course(ROOT / "course.yaml"), None, [ANIMAL])


def shading(page) -> list[float]:
    """The alpha of every token's background, as the browser computed it."""
    colours = page.eval_on_selector_all(
        "#tokens .tok", "spans => spans.map(s => getComputedStyle(s).backgroundColor)")
    alphas = []
    for colour in colours:
        parts = colour[colour.index("(") + 1:-1].split(",")
        alphas.append(float(parts[3]) if len(parts) == 4 else 1.0)
    return alphas


def test_clicking_it_shades_every_word_by_the_weights_the_page_holds(exploration, tmp_path):
    page_file = tmp_path / "attention.html"
    page_file.write_text(render(exploration), encoding="utf-8")
    weights = exploration.sentences[0].weights              # (layers, heads, L, L)
    tokens = exploration.sentences[0].tokens
    it = tokens.index("it")
    with open_page(page_file) as (page, log):
        assert page.inner_text("#tokens").split() == list(tokens)
        page.click(f"#tokens .tok[data-index='{it}']")
        for layer, head in ((0, 0), (4, 2), (5, 11)):
            page.select_option("#layer", str(layer))
            page.select_option("#head", str(head))
            expected = weights[layer, head, it]
            assert np.abs(np.array(shading(page)) - expected).max() <= ALPHA
            # The hover numbers are the same weights.
            hover = page.get_attribute(f"#tokens .tok[data-index='{tokens.index('animal')}']",
                                       "title")
            assert hover.endswith(f"{expected[tokens.index('animal')]:.4f}")
        page.select_option("#head", "avg")
        assert np.abs(np.array(shading(page)) - weights[5, :, it].mean(axis=0)).max() <= ALPHA
        page.select_option("#layer", "5")       # re-renders, so the readout is the row's
        assert page.inner_text("#readout") == ("\u201cit\u201d, layer 6, average of 12 heads; "
                                               "its weights add up to 1.0000")
        page.screenshot(path=str(screenshot_path("explorer.png")), full_page=True)
    assert log.requests == [] and log.errors == []


def test_the_page_says_what_computed_the_weights(exploration, tmp_path):
    page_file = tmp_path / "attention.html"
    page_file.write_text(render(exploration), encoding="utf-8")
    with open_page(page_file) as (page, log):
        assert "reference solutions" in page.inner_text("#source")
        assert "not the model's reason" in page.inner_text(".panel")
    assert log.requests == [] and log.errors == []
