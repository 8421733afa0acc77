"""What a lesson's run blocks call: ``step``, ``table``, ``heatmap``, ``lines``, ``note``.

The same code runs in two places. In a notebook, on the student's own functions: each
shown thing goes to IPython's ``display``. In the build of the HTML page, on the
references: :func:`capture` collects what is shown, and :func:`recording` keeps every
``step``'s value, which the build bakes into the notebook's set-up cell (:func:`expect`)
so that a student whose function is not written yet still sees the expected numbers.

Pictures use matplotlib's object API on an Agg canvas (no pyplot, so no global figure
state and no GUI backend) and are shown as PNG, which notebooks and pages both inline.
"""
from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import traceback

import numpy as np

__all__ = ["step", "table", "heatmap", "lines", "note", "expect", "progress"]

_expected: dict[str, np.ndarray] = {}
_sink: list | None = None          # a list while the build captures, else IPython
_record: dict | None = None
ERROR_CHARS = 200                   # a student's exception message, shortened
# A lesson cell runs the student's function in the kernel (also under nbgrader's
# autograde): one that never returns must not hold every lesson cell to the cell timeout.
STEP_SECONDS = 10


class StepTimeout(Exception):
    """The student's function ran longer than a lesson example may wait."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise StepTimeout after ``seconds`` (main thread on POSIX only; else no limit)."""
    import signal
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise StepTimeout(f"it ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Shown:
    """One thing a run block shows: markdown, html or png, with its text form."""

    def __init__(self, *, markdown: str | None = None, html_text: str | None = None,
                 png: bytes | None = None, text: str = ""):
        self.markdown, self.html, self.png, self.text = markdown, html_text, png, text

    def _repr_markdown_(self):
        return self.markdown

    def _repr_html_(self):
        return self.html

    def _repr_png_(self):
        return self.png

    def __repr__(self):
        return self.text


def _emit(shown: Shown) -> None:
    if _sink is not None:
        _sink.append(shown)
        return
    from IPython.display import display

    display(shown)


@contextlib.contextmanager
def capture():
    """Collect what is shown inside the block into the yielded list (the build)."""
    global _sink
    saved, _sink = _sink, []
    try:
        yield _sink
    finally:
        _sink = saved


@contextlib.contextmanager
def recording():
    """Collect every ``step``'s value, by label, into the yielded dict (the build)."""
    global _record
    saved, _record = _record, {}
    try:
        yield _record
    finally:
        _record = saved


def _plain(value):
    """A step's value as JSON data: arrays as lists, a tuple as {"tuple": [...]}."""
    if isinstance(value, tuple):
        return {"tuple": [_plain(v) for v in value]}
    return np.asarray(value).tolist()


def _value(data):
    if isinstance(data, dict) and set(data) == {"tuple"}:
        return tuple(_value(v) for v in data["tuple"])
    return np.asarray(data)


def expected_json(values: dict) -> str:
    """The recorded step values as the JSON text that :func:`expect` reads."""
    return json.dumps({k: _plain(v) for k, v in values.items()}, separators=(",", ":"))


def expect(values: str | dict) -> None:
    """Set the reference's numbers, by step label (the set-up cell calls this)."""
    if isinstance(values, str):
        values = json.loads(values)
    _expected.update({k: _value(v) for k, v in values.items()})


def _shape(value):
    return tuple(_shape(v) for v in value) if isinstance(value, tuple) else value.shape


def _gap(value, reference) -> float:
    """The largest difference between a value and the reference's (0 when close)."""
    if isinstance(value, tuple):
        return max((_gap(v, r) for v, r in zip(value, reference)), default=0.0)
    try:
        if value.dtype == bool or reference.dtype == bool:
            return 0.0 if np.array_equal(value, reference) else 1.0
        if np.allclose(value, reference, rtol=1e-4, atol=1e-5, equal_nan=True):
            return 0.0
        return float(np.nanmax(np.abs(value.astype(float) - reference.astype(float))))
    except (TypeError, ValueError):     # a student's array of objects, strings, ...
        return float("nan")


def note(text: str) -> None:
    """Show a short Markdown remark."""
    _emit(Shown(markdown=text, html_text=f"<p class='note'>{html.escape(text)}</p>",
                text=text))


def _who(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    return frames[-1].name if frames else "a function"


def step(label: str, compute):
    """``compute()``: the student's value for ``label`` (an ndarray, or a tuple of them
    for a function that returns a tuple), or the reference's when theirs cannot be had
    (not written yet, an error, a different shape)."""
    if _record is not None and label in _record:
        raise ValueError(f"step label {label!r} is used twice in this lesson")
    reference = _expected.get(label)
    try:
        with _time_limit(STEP_SECONDS):
            result = compute()
        value = tuple(map(np.asarray, result)) if isinstance(result, tuple) \
            else np.asarray(result)
    except NotImplementedError as exc:
        value = None
        why = f"`{_who(exc)}` is not written yet (it raises NotImplementedError)"
    except Exception as exc:      # the student's code may raise anything; say what
        value = None
        message = str(exc)[:ERROR_CHARS]
        why = f"`{_who(exc)}` raised {type(exc).__name__}: {message}"
    else:
        why = None
        if reference is not None and _shape(value) != _shape(reference):
            why = f"your result has shape {_shape(value)}, not {_shape(reference)}"
            value = None
    if _record is not None:
        if value is None:
            raise RuntimeError(f"step {label!r} failed while building the lesson: {why}")
        _record[label] = value
    if value is None:
        if reference is None:
            raise RuntimeError(f"step {label!r}: {why}, and no expected numbers are known")
        note(f"{why}; here are the numbers the course's reference gives for "
             f"**{label}**.")
        return reference
    gap = _gap(value, reference) if reference is not None else 0.0
    if gap:
        note(f"Your **{label}** differs from the reference's (largest difference "
             f"{gap:.3g}); the lesson goes on with yours.")
    return value


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if np.isneginf(value):
        return "−∞"
    return f"{round(float(value), 3) + 0.0:.3f}"     # + 0.0: no "-0.000"


def table(values, *, rows=None, cols=None, title: str = "") -> None:
    """Show a vector or a small matrix as a table, three decimals."""
    matrix = np.atleast_2d(np.asarray(values))
    rows = list(rows) if rows is not None else [str(i) for i in range(matrix.shape[0])]
    cols = list(cols) if cols is not None else [str(j) for j in range(matrix.shape[1])]
    head = "| " + " | ".join([title or " ", *cols]) + " |"
    rule = "|" + " --- |" * (len(cols) + 1)
    body = ["| " + " | ".join([f"**{r}**", *(_cell(v) for v in row)]) + " |"
            for r, row in zip(rows, matrix)]
    cells_html = "".join(
        "<tr><th>" + html.escape(str(r)) + "</th>"
        + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for r, row in zip(rows, matrix))
    header_html = "".join(f"<th>{html.escape(str(c))}</th>" for c in [title or "", *cols])
    _emit(Shown(markdown="\n".join([head, rule, *body]),
                html_text=f"<table class='steps'><tr>{header_html}</tr>{cells_html}</table>",
                text=f"{title}\n{matrix}"))


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def heatmap_png(matrix, *, rows=None, cols=None, title="", cmap="viridis",
                vmin=None, vmax=None, annotate=None, ax_labels=("", "")) -> bytes:
    """A heatmap as PNG bytes (also used by the feedback report)."""
    from matplotlib.figure import Figure

    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    height, width = matrix.shape
    figure = Figure(figsize=(min(1.0 + 0.5 * width, 7.5), min(0.9 + 0.45 * height, 6.0)))
    axes = figure.add_subplot()
    image = axes.imshow(np.where(np.isfinite(matrix), matrix, np.nan), cmap=cmap,
                        vmin=vmin, vmax=vmax, aspect="auto")
    figure.colorbar(image, ax=axes)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(ax_labels[0])
    axes.set_ylabel(ax_labels[1])
    if cols is not None:
        axes.set_xticks(range(width), list(cols), rotation=45, ha="right")
    if rows is not None:
        axes.set_yticks(range(height), list(rows))
    if annotate if annotate is not None else height * width <= 64:
        for (i, j), v in np.ndenumerate(matrix):
            red, green, blue, _ = image.cmap(image.norm(v)) if np.isfinite(v) else (0,) * 4
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5   # dark text on it
            axes.text(j, i, _cell(v), ha="center", va="center", fontsize=7,
                      color="black" if light else "white")
    return _png(figure)


def _picture(png: bytes, title: str) -> None:
    data = base64.b64encode(png).decode("ascii")
    _emit(Shown(png=png, html_text=f"<img alt='{html.escape(title)}' "
                                   f"src='data:image/png;base64,{data}'>",
                text=f"<picture: {title}>"))


def heatmap(matrix, *, rows=None, cols=None, title="", cmap="viridis", vmin=None,
            vmax=None, xlabel="", ylabel="") -> None:
    """Show a matrix as a heatmap, labelled rows and columns (tokens, positions)."""
    _picture(heatmap_png(matrix, rows=rows, cols=cols, title=title, cmap=cmap, vmin=vmin,
                         vmax=vmax, ax_labels=(xlabel, ylabel)), title)


def lines(curves: dict, *, title="", xlabel="", ylabel="", bars=False) -> None:
    """Show named curves (or grouped bars) over a shared index."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 2.8))
    axes = figure.add_subplot()
    count = len(curves)
    for k, (name, ys) in enumerate(curves.items()):
        ys = np.asarray(ys, dtype=float)
        xs = np.arange(len(ys))
        if bars:
            axes.bar(xs + (k - (count - 1) / 2) * 0.8 / count, ys, 0.8 / count, label=name)
        else:
            axes.plot(xs, ys, marker="o", label=name)
    axes.axhline(0, color="grey", linewidth=0.5)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=8)
    _picture(_png(figure), title)


def progress(assignment: str, question_ids: list[str], names: dict) -> None:
    """How many of the assignment's quick checks have an answer in the kernel."""
    answered = sum(names.get("answer_" + q.replace("-", "_")) is not None
                   for q in question_ids)
    note(f"Quick checks of **{assignment}** answered so far: {answered} of "
         f"{len(question_ids)} (run your answer cells first; nothing here says whether "
         "an answer is right).")
