"""The explorer's page: one HTML file with its data, style and script inline.

No CDN, no server, no request of any kind (its Content-Security-Policy forbids them):
it opens from a file, offline. The data is JSON inside a ``<script
type="application/json">`` element, with ``<``, ``>`` and ``&`` escaped so no sentence can
close the element or inject markup; the script writes every text with
``textContent``, never as HTML.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..model import checkpoint
from .attention import Exploration

TEMPLATE = Path(__file__).with_name("template.html")
DIGITS = 5   # weights on the page: enough for the hover numbers and the shading


def data_of(exploration: Exploration) -> dict:
    first = exploration.sentences[0].weights
    return {
        "model": checkpoint.NAME, "source": exploration.source,
        "layers": int(first.shape[0]), "heads": int(first.shape[1]),
        "sentences": [{"text": s.text, "tokens": list(s.tokens),
                       "weights": s.weights.astype(float).round(DIGITS).tolist()}
                      for s in exploration.sentences],
    }


def render(exploration: Exploration) -> str:
    """The page's HTML (a pure function of the exploration)."""
    text = json.dumps(data_of(exploration), ensure_ascii=True, allow_nan=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return TEMPLATE.read_text(encoding="utf-8").replace("__DATA__", text)
