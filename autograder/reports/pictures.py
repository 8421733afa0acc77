"""The picture report: one self-contained HTML page of a check or a grade.

For each failing **public** case whose expected result is an array (or a tuple of
arrays), it shows the student's array next to the expected one and their difference,
as heatmaps (for ``scaled_dot_product_attention``: the output and the attention weights,
each the student's, the expected and the difference). Hidden cases are listed by count
only, never named or drawn. A pure function of the report and the replays
(:mod:`autograder.grading.replay`); everything the student produced is escaped text or
a picture drawn here, and arrays are only drawn when they have the expected shape and a
small size.
"""
from __future__ import annotations

import base64
import html

import numpy as np

from ..grading.replay import Replay
from ..grading.results import Report
from ..lessons.show import heatmap_png
from .csv_report import number    # rounded as every human-readable format rounds

MAX_DRAWN = 4096            # cells of one heatmap; larger results get a sentence instead
PARTS = {"scaled_dot_product_attention": ("output", "attention weights")}
STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem}
.case{border-left:4px solid #b3261e;padding:.3rem 1rem;margin:1rem 0;background:#fdf5f4}
.row{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-start}
.row figure{margin:0}figcaption{font-size:.85rem;color:#444}img{max-width:22rem}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem}"""


def _matrix(value) -> np.ndarray | None:
    """The first 2-D slice of a numeric array (a row for a vector); None otherwise."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" or value.ndim < 1:
        return None
    while value.ndim > 2:
        value = value[(0,) * (value.ndim - 2)]
    matrix = np.atleast_2d(value).astype(float)
    return matrix if 0 < matrix.size <= MAX_DRAWN else None


def _img(png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _part(name: str, got, expected) -> str:
    want = _matrix(expected)
    if want is None:
        return ""
    mine = _matrix(got)
    if mine is None or mine.shape != want.shape or (
            isinstance(got, np.ndarray) and isinstance(expected, np.ndarray)
            and got.shape != expected.shape):
        shape = got.shape if isinstance(got, np.ndarray) else type(got).__name__[:40]
        return (f"<p>{html.escape(name)}: no picture, your result is "
                f"<code>{html.escape(str(shape))}</code>, expected shape "
                f"<code>{html.escape(str(expected.shape))}</code>.</p>")
    if np.allclose(mine, want, rtol=1e-4, atol=1e-5, equal_nan=True):
        return f"<p>{html.escape(name)}: matches the expected result.</p>"
    finite = want[np.isfinite(want)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    difference = np.where(np.isfinite(mine) & np.isfinite(want), mine - want, np.nan)
    gap = float(np.nanmax(np.abs(difference))) if np.isfinite(difference).any() else 1.0
    sliced = " (first slice)" if expected.ndim > 2 else ""
    return (f"<h4>{html.escape(name)}{sliced}</h4><div class='row'>"
            + _img(heatmap_png(mine, title="yours", vmin=low, vmax=high), "your result")
            + _img(heatmap_png(want, title="expected", vmin=low, vmax=high), "expected")
            + _img(heatmap_png(difference, title="yours − expected", cmap="RdBu_r",
                               vmin=-gap or -1, vmax=gap or 1), "difference")
            + "</div>")


def _pictures(replay: Replay) -> str:
    if replay.problem:
        return f"<p>No picture: {html.escape(replay.problem)}</p>"
    expected, got = replay.expected, replay.got
    if isinstance(expected, tuple):
        names = PARTS.get(replay.function, tuple(f"result[{i}]" for i in range(len(expected))))
        gots = got if isinstance(got, tuple) and len(got) == len(expected) else \
            (None,) * len(expected)
        return "".join(_part(n, g, e) for n, g, e in zip(names, gots, expected))
    return _part("result", got, expected)


def render(report: Report, replays: list[Replay]) -> str:
    """The HTML page: every failing public case, with pictures where it has them."""
    by_case = {(r.function, r.case): r for r in replays}
    sections, hidden_failing = [], 0
    for assignment in report.assignments:
        for exercise in assignment.exercises:
            for case in exercise.cases:
                if case.passed:
                    continue
                if case.hidden:
                    hidden_failing += 1
                    continue
                replay = by_case.get((exercise.id, case.name))
                drawn = _pictures(replay) if replay else ""
                sections.append(
                    f"<section class='case'><h3><code>{html.escape(exercise.id)}</code>: "
                    f"{html.escape(case.name)}</h3><pre>{html.escape(case.message)}</pre>"
                    f"{drawn}</section>")
    hidden = (f"<p>{hidden_failing} hidden case(s) did not pass; hidden cases are not "
              "shown.</p>" if hidden_failing else "")
    body = "".join(sections) or "<p>Every public case passed.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{html.escape(report.course)}: {html.escape(report.mode)} report</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(report.course)}: {html.escape(report.mode)}, {number(report.score)} of
{number(report.max_score)}</h1>
<p>Each public case that did not pass, with your result next to the expected one where
the result is an array.</p>{hidden}{body}</body></html>
"""
