"""Reading a notebook file a student handed in, bounded before any parser sees it.

The JSON parser and nbformat recurse, and a notebook is a student's file: one nested
5,000 levels deep ends them in ``RecursionError``, 120,000 cells make a report of many
megabytes. So the file is read without following a link or waiting on a pipe, and its
size, bracket depth and number of cells are checked first; every failure is a reason,
never an exception.
"""
from __future__ import annotations

import json
import re
import warnings as _warnings
from pathlib import Path

from ..reports.inert import clip

NOTEBOOK_MAX_BYTES = 16 << 20     # outputs (plots) make notebooks far larger than code
# A notebook of the course nests about 6 levels and has tens of cells; these leave room
# for any honest one and stop a file built to exhaust the parser or the report.
NOTEBOOK_MAX_DEPTH = 64
NOTEBOOK_MAX_CELLS = 2000
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting(data: bytes) -> int:
    """How deep the JSON text ``data`` nests brackets (strings left out): measured before
    parsing, because the parsers recurse and a deep enough file ends them in
    RecursionError."""
    import numpy as np

    brackets = np.frombuffer(_STRINGS.sub(b"", data).translate(None, _NOT_BRACKETS), np.uint8)
    if not brackets.size:
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def load(path: Path) -> tuple[dict | None, str | None]:
    """The notebook at ``path`` as nbformat v4, or ``(None, why it cannot be read)``.

    Read without following a link or waiting on a pipe, and bounded before any parser
    sees it: size, bracket depth and number of cells."""
    from .. import _jsonschema  # noqa: F401 - first: nbformat imports jsonschema
    import nbformat   # slow to import; only notebooks need it

    from ..grading.submission import read_regular

    data, why = read_regular(str(path), None, NOTEBOOK_MAX_BYTES)
    if data is None:
        return None, f"is {why}" if why.startswith("a ") else f"cannot be read ({why})"
    depth = nesting(data)
    if depth > NOTEBOOK_MAX_DEPTH:
        return None, (f"nests {depth} levels deep, over the {NOTEBOOK_MAX_DEPTH} level "
                      "limit")
    try:
        text = data.decode("utf-8")
        notebook_json = json.loads(text)
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except (RecursionError, MemoryError) as exc:
        return None, f"is too deeply nested or too large to read ({type(exc).__name__})"
    if not isinstance(notebook_json, dict) or "nbformat" not in notebook_json:
        return None, "is JSON but not a Jupyter notebook (it has no 'nbformat' field)"
    cells = notebook_json.get("cells")
    if isinstance(cells, list) and len(cells) > NOTEBOOK_MAX_CELLS:
        return None, f"has {len(cells)} cells, over the {NOTEBOOK_MAX_CELLS} cell limit"
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
        if not isinstance(notebook.get("cells"), list):
            raise ValueError("'cells' is not a list")
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a bad file
        # (RecursionError and MemoryError among them: both are Exceptions)
        return None, (f"is not a valid Jupyter notebook ({clip(type(exc).__name__)}: "
                      f"{clip(str(exc))})")
    return notebook, None
