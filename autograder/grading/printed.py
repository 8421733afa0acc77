"""What the student's code printed, told apart by function.

The worker writes a marker line (``MARK``) to its stdout before it first calls each
function (sandbox/worker.py), so the captured output (sandbox/capture.py, which shows
the marker's control characters as escapes) can be cut into one section per function.
Each section is bounded on its own, so one function that prints in a loop does not
hide what the others printed. A student can print a marker too: that only mislabels
their own output in their own report.
"""
from __future__ import annotations

import re

from ..reports.inert import clip

# As the worker writes it (``\\x1e`` is the record separator; the capture shows it
# escaped): keep in step with MARK in sandbox/worker.py.
MARKS = re.compile(r"\\x1eautograder:([A-Za-z_][A-Za-z0-9_ ]{0,80})\\x1e\n?")
SECTION_CHARS = 2000
SECTION_LINES = 40




def by_function(output: str) -> str:
    """``output`` with each function's part (or import's: "import attention") under
    a heading naming it, each bounded."""
    parts = MARKS.split(output)
    sections = [("", parts[0])] + list(zip(parts[1::2], parts[2::2]))
    merged: dict[str, list[str]] = {}
    for function, text in sections:
        if text.strip():
            merged.setdefault(function, []).append(text)
    blocks = []
    for function, texts in merged.items():
        if function.startswith("import "):
            heading = f"[printed while importing {function.removeprefix('import ')}.py]"
        else:
            heading = f"[printed by {function}]" if function else "[printed]"
        blocks.append(f"{heading}\n{clip(''.join(texts).rstrip(), SECTION_CHARS, SECTION_LINES)}")
    return "\n".join(blocks)
