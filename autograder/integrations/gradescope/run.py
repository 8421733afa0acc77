"""What ``run_autograder`` does: grade ``ROOT/submission`` into ``ROOT/results/results.json``.

A submission that cannot be graded still gets a ``results.json``: score 0 and the
reason in its ``output``, so the student sees why instead of Gradescope's "the
autograder failed", and nothing ever defaults to full marks.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ...grading.submission import locate
from ...grading.engine import grade
from ...reports import files, gradescope
from ...reports.inert import clip

DEFAULT_ROOT = "/autograder"


def root_folder(given: str | None = None) -> Path:
    """The autograder root: ``given``, else ``$AUTOGRADER_ROOT``, else ``/autograder``."""
    return Path(given or os.environ.get("AUTOGRADER_ROOT") or DEFAULT_ROOT)


def failure(reason: str, seconds: float = 0.0) -> dict:
    """The results of a submission that could not be graded: 0 points, and why."""
    return {"score": 0.0, "execution_time": round(seconds, 3),
            "output": f"Your submission could not be graded: {reason}",
            "output_format": "text", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}


def results(load_course, root: Path) -> tuple[dict, str]:
    """Gradescope's results for ``root/submission`` and why grading failed ('' if it ran).

    ``load_course`` is called here, so a broken course file also ends in a results file.
    """
    started = time.monotonic()
    try:
        course = load_course()
        report = grade(course, locate(course, root / "submission"))
    except Exception as exc:  # the last place to tell the student anything: say why, score 0
        reason = clip(str(exc).strip("'\"") or type(exc).__name__)
        return failure(reason, time.monotonic() - started), reason
    return gradescope.as_dict(report, course.grading.hidden_visibility,
                              course.grading.question_visibility), ""


def write(root: Path, data: dict) -> Path:
    path = root / "results" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
                     + "\n")
    return path
