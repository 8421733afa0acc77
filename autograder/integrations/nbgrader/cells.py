"""What a check cell of a built notebook runs: ``score(item)``.

``score`` grades the notebook *as saved* (the file, which running cells does not
change) with the engine of ``autograder grade``, in a separate process
(``python -I -m autograder.integrations.nbgrader.cells``), so the kernel's state, its
warnings and anything a student cell redefined play no part in the grade. Under
``nbgrader autograde`` the kernel runs in ``autograded/<student>/<assignment>/``, where
nbgrader has just written its sanitised copy of the submission: that file is graded.
The grading runs once per notebook content; later check cells read the cached result.

nbgrader reads a check cell's partial credit only from a plain ``float`` (anything else
counts as full marks, a number above the cell's points fails the whole notebook) and
gives 0 to a cell that writes to stderr. So ``score`` returns a ``float`` clamped to
the check cell's points, prints only to stdout, and silences warnings. It fails closed:
when it cannot grade, it raises, and nbgrader scores the cell 0.

The kernel cannot be trusted: a student cell may replace ``score`` itself.
``autograder nbgrader audit`` re-grades every submission outside the kernels and lists
those whose nbgrader score is higher.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

# COURSE_VARIABLE is set by the nbgrader_config.py the build writes.
from ...course.locate import COURSE_VARIABLE, find_course

FEEDBACK_LINES = 5
_graded: dict[tuple, dict] = {}


class CheckError(Exception):
    """The check could not grade; the cell fails, so nbgrader scores it 0."""


def score(item: str, *, hidden: bool = False) -> float:
    """Points for ``item`` (a function or a question id) in the saved notebook.

    Without ``hidden``: the public cases only (for a question, whether the answer can
    be read; 0 points until graded). With ``hidden``: public and hidden cases, the
    grade; this needs the course's solutions, so it works on the grading machine only.
    """
    with warnings.catch_warnings(), contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("ignore")
        notebook = _notebook(item)
        data = notebook.read_bytes()
        summary = _summary(_course_file(), notebook, data, item)
        entry = summary["items"].get(item)
        if entry is None:
            raise CheckError(f"{item!r} is not graded in assignment "
                             f"{summary['assignment']!r} of the course")
        points = _cell_points(data, item, entry["max_score"])
        if hidden and summary["mode"] != "grade":
            raise CheckError("hidden cases are graded on the grading machine only "
                             "(the course's solutions are not on this one)")
        print(describe(item, entry, hidden=hidden))
        for warning in summary["warnings"]:
            if f"({item})" in warning or f"(answer_{item})" in warning:
                print(f"note: {warning}")
        if not hidden:
            saved = time.strftime("%H:%M:%S", time.localtime(notebook.stat().st_mtime))
            print(f"(graded: {notebook.name} as saved at {saved})")
        value = entry["score"] if hidden else entry["public_score"]
        return float(min(max(float(value), 0.0), points))


def describe(item: str, entry: dict, *, hidden: bool) -> str:
    """What a check cell prints; hidden cases are only counted, never named."""
    if entry["kind"] == "question":
        if hidden:
            why = f" ({entry['result']})" if entry["result"] else ""
            return f"{item}: {entry['score']:g} of {_points(entry['max_score'])}{why}"
        return f"{item}: {entry['message']} (scored when your work is graded)"
    if hidden:
        return (f"{item} with the hidden cases: {entry['score']:g} of "
                f"{_points(entry['max_score'])} (hidden cases: {entry['hidden_passed']} of "
                f"{entry['hidden_total']} pass)")
    lines = [f"{item}: {entry['public_passed']} of {entry['public_total']} public cases pass "
             f"({entry['public_score']:g} of {_points(entry['max_score'])} on them)"]
    shown = entry["feedback"][:FEEDBACK_LINES]
    lines += [f"  - {line}" for line in shown]
    if len(entry["feedback"]) > len(shown):
        lines.append(f"  ... and {len(entry['feedback']) - len(shown)} more")
    return "\n".join(lines)


def _points(value: float) -> str:
    return f"{value:g} point{'' if value == 1 else 's'}"


def _course_file() -> Path:
    try:
        return find_course().resolve()
    except FileNotFoundError as exc:
        if os.environ.get(COURSE_VARIABLE):
            raise CheckError(str(exc)) from None
        raise CheckError(f"cannot find the course: set the environment variable "
                         f"{COURSE_VARIABLE} to your course.yaml, or open this notebook from "
                         "inside the course folder") from None


def _check_ids(path: Path) -> set[str]:
    try:
        cells = json.loads(path.read_bytes()).get("cells", [])
        return {c["metadata"]["nbgrader"]["grade_id"] for c in cells
                if isinstance(c.get("metadata", {}).get("nbgrader"), dict)
                and "grade_id" in c["metadata"]["nbgrader"]}
    except (OSError, ValueError, AttributeError, TypeError, KeyError, RecursionError,
            MemoryError):
        return set()


def _notebook(item: str) -> Path:
    """The saved notebook this check cell belongs to."""
    session = os.environ.get("JPY_SESSION_NAME")   # Jupyter's own: the open notebook
    if session and session.endswith(".ipynb") and not os.environ.get("NBGRADER_EXECUTION"):
        for candidate in (Path(session), Path.cwd() / Path(session).name):
            if candidate.is_file():
                return candidate
    found = [p for p in sorted(Path.cwd().glob("*.ipynb")) if f"test_{item}" in _check_ids(p)]
    if not found:
        raise CheckError(f"no notebook in {Path.cwd()} has the check cell of {item!r}: save "
                         "the notebook (Ctrl+S) and run this cell again")
    if len(found) > 1 and os.environ.get("NBGRADER_EXECUTION"):
        raise CheckError(f"several notebooks here have the check cell of {item!r}: "
                         f"{', '.join(p.name for p in found)}")
    return max(found, key=lambda p: p.stat().st_mtime)


def _cell_points(data: bytes, item: str, default: float) -> float:
    """The check cell's points in the notebook (nbgrader restores them from its database)."""
    try:
        for cell in json.loads(data)["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade_id") == f"test_{item}" and "points" in meta:
                points = float(meta["points"])
                break
        else:
            return float(default)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, MemoryError):
        return float(default)
    if abs(points - float(default)) > 1e-9:
        raise CheckError(f"this check cell is worth {points:g} points but course.yaml gives "
                         f"{item} {default:g}: rebuild the notebooks with `autograder "
                         "nbgrader build` and generate the assignment again")
    return points


def _summary(course: Path, notebook: Path, data: bytes, item: str) -> dict:
    key = (str(course), str(notebook.resolve()), hashlib.sha256(data).hexdigest())
    if key not in _graded:
        _graded[key] = _grade_in_subprocess(course, notebook, item)
    return _graded[key]


def _grade_in_subprocess(course: Path, notebook: Path, item: str) -> dict:
    # -I: no PYTHON* variables, no user site, not the kernel's folder on sys.path (a
    # submitted file there could shadow a module the grader imports).
    command = [sys.executable, "-I", "-m", __name__, str(course), str(notebook), item]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=notebook.parent)
    try:
        out, err = process.communicate()
    except BaseException:
        # nbgrader's cell timeout interrupts the kernel: let the grader stop its worker.
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        raise
    if process.returncode != 0:
        last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise CheckError(f"the grader failed (exit {process.returncode}): {last}")
    try:
        return json.loads(out)
    except ValueError:
        raise CheckError(f"the grader's answer could not be read: {out[:200]!r}") from None


# -- the grading side: runs in the subprocess, never in the kernel -----------------------

def summarise(course_file: Path, notebook: Path, item: str) -> dict:
    """Grade ``notebook`` for the assignment holding ``item``; what ``score`` needs."""
    from ...checks import cases_of
    from ...course.answers import shape_problem
    from ...course.loader import load_course
    from ...grading.engine import grade
    from ...grading.judge import Verdict
    from ...grading.scoring import exercise_result

    with_solutions = (course_file.parent / "solutions").is_dir()
    course = load_course(course_file, require_solutions=with_solutions)
    assignment = next((a for a in course.assignments
                       if item in {e.function for e in a.exercises} | {q.id for q in a.questions}),
                      None)
    if assignment is None:
        raise SystemExit(f"{item!r} is not an exercise or question of {course_file}")
    mode = "grade" if with_solutions else "check"
    report = grade(course, notebook, assignments=[assignment.id], mode=mode)
    items = {}
    result = report.assignments[0]
    for exercise, graded in zip(assignment.exercises, result.exercises):
        cases = {c.name: c for c in cases_of(exercise.function)}
        public = [c for c in graded.cases if not c.hidden]
        public_result = exercise_result(
            exercise, [(cases[c.name], Verdict(c.outcome, c.message)) for c in public])
        hidden = [c for c in graded.cases if c.hidden]
        items[exercise.function] = {
            "kind": "exercise", "score": graded.score, "max_score": graded.max_score,
            "public_score": public_result.score, "public_passed": sum(c.passed for c in public),
            "public_total": len(public), "hidden_passed": sum(c.passed for c in hidden),
            "hidden_total": len(hidden),
            "feedback": [f"{c.name}: {(c.message.splitlines() or [c.outcome])[0]}"
                         for c in public if not c.passed]}
    for question, graded in zip(assignment.questions, result.questions):
        readable = graded.answered and shape_problem(question, graded.answer) is None
        items[question.id] = {
            "kind": "question", "score": graded.score, "max_score": graded.max_score,
            "public_score": 0.0,
            "message": f"answered {graded.answer!r}" if readable else graded.message,
            "result": graded.message}
    return {"assignment": assignment.id, "mode": mode, "items": items,
            "warnings": report.warnings}


def main(argv: list[str]) -> int:
    course_file, notebook, item = argv
    summary = summarise(Path(course_file), Path(notebook), item)
    sys.stdout.write(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
