"""A notebook submission turned into the files of a folder submission, never run.

A notebook built by ``autograder nbgrader build`` marks each cell the grader reads with
its nbgrader ``grade_id``: a solution cell's id is the function it defines
(``softmax``), an answer cell's id is ``answer_<question id>``. :func:`extract` writes
the code of the solution cells into the exercise files of ``autograder.checks.FUNCTIONS``
(the cells of one file joined in notebook order) and the answer cells' values into
``answers.yaml``; the folder is then graded exactly like a folder submission, in the
same isolated worker. Nothing here executes the notebook: test cells are never read,
and answers are read as literals (``ast.literal_eval``), so an answer must be a plain
value.

A notebook runs its cells in one namespace: the attention cell may call the ``softmax``
of an earlier cell. Files do not share a namespace, so each extracted file imports,
from the files before it in the notebook, the names it uses but does not define
(``from softmax import softmax``). Only the solution cells are graded; a helper in a
cell of its own is not seen.

Cells are picked as nbgrader picks them once it has sanitised a submission: by
``grade_id`` alone (whatever the cell's type or flags), the last of duplicate ids
winning. So a submitted notebook and nbgrader's sanitised copy give the same files, and
``autograder grade NOTEBOOK`` scores what the notebook's test cells score.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..checks import FUNCTIONS
from ..reports.inert import clip
from .notebook_file import NOTEBOOK_MAX_BYTES, NOTEBOOK_MAX_DEPTH, load, nesting
from ..grading.submission import SubmissionError

FILE_MAX_BYTES = 1 << 20          # as for a folder submission's files
DUPLICATES_SHOWN = 5           # warnings about cells sharing a grade_id
ANSWER_PREFIX = "answer_"
MAGIC_NOTE = "pass  # IPython command, not run by the grader:"
# Ends the line of a broken cell's stand-in; the worker leaves that frame out of
# tracebacks (a line of a generated file means nothing to the student).
STAND_IN = "# autograder: stands in for a cell with a syntax error"


def answer_variable(question_id: str) -> str:
    """The variable an answer cell sets: ``answer_attention_role`` for ``attention-role``."""
    return ANSWER_PREFIX + question_id.replace("-", "_")


@dataclass(frozen=True)
class Cell:
    number: int        # 1-based position in the notebook, for messages
    grade_id: str
    source: str


@dataclass(frozen=True)
class NotebookCells:
    """The cells the grader reads from one notebook, in notebook order."""
    name: str
    solutions: tuple[Cell, ...]
    answers: tuple[Cell, ...]
    total: int


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def read_cells(path: Path, warnings: list[str]) -> NotebookCells:
    """The graded cells of the notebook at ``path``.

    A file that is not a readable notebook raises :class:`SubmissionError`: it is a
    broken upload to follow up (``batch`` gives it an error row with the reason,
    ``grade`` exits 2 saying why), not work to score 0 in silence.
    """
    notebook, problem = load(path)
    if notebook is None:
        raise SubmissionError(
            f"{path.name} {problem}, so it cannot be graded: download the notebook again "
            "from Jupyter (File > Download) and submit that file")
    chosen: dict[str, Cell] = {}
    duplicates = 0
    for number, cell in enumerate(notebook["cells"], start=1):
        grade_id = _grade_id(cell)
        if grade_id not in FUNCTIONS and not (grade_id or "").startswith(ANSWER_PREFIX):
            continue
        source = cell.get("source", "")
        if grade_id in chosen and duplicates < DUPLICATES_SHOWN:
            duplicates += 1
            warnings.append(
                f"{path.name}: cells {chosen[grade_id].number} and {number} both have "
                f"grade_id {clip(grade_id, 80, 1)!r}; only the last one is graded (as nbgrader does)")
        chosen[grade_id] = Cell(number, grade_id, source if isinstance(source, str) else "")
    ordered = sorted(chosen.values(), key=lambda c: c.number)
    return NotebookCells(
        path.name, tuple(c for c in ordered if c.grade_id in FUNCTIONS),
        tuple(c for c in ordered if c.grade_id not in FUNCTIONS), len(notebook["cells"]))


def _where(cells: NotebookCells, cell: Cell) -> str:
    return f"{cells.name}, cell {cell.number} of {cells.total} ({cell.grade_id})"


def _code(cells: NotebookCells, cell: Cell, warnings: list[str]) -> str:
    """The cell's code; IPython commands (``%timeit``, ``!ls``) become ``pass``."""
    try:
        ast.parse(cell.source)
        return cell.source
    except (RecursionError, MemoryError):
        return cell.source     # too deep for the parser: the worker reports it
    except SyntaxError:
        pass
    lines = cell.source.split("\n")
    magic = [i for i, line in enumerate(lines) if line.lstrip().startswith(("%", "!"))]
    for i in magic:
        indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = f"{indent}{MAGIC_NOTE} {lines[i].strip()}"
    try:
        ast.parse("\n".join(lines))
    except (SyntaxError, RecursionError, MemoryError):
        return cell.source     # a real syntax error: the worker reports it
    warnings.append(f"{_where(cells, cell)}: IPython command(s) on line(s) "
                    f"{', '.join(str(i + 1) for i in magic)} are not run by the grader")
    return "\n".join(lines)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _defined(tree: ast.Module) -> set[str]:
    """The names a module binds at its top level (not inside functions or classes)."""
    names: set[str] = set()

    def visit(node) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                names.update(a.asname or a.name.split(".")[0] for a in child.names
                             if a.name != "*")
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif not isinstance(child, _SCOPES):
                visit(child)

    visit(tree)
    return names


def _used(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def _runnable(cells: NotebookCells, cell: Cell, warnings: list[str]) -> str:
    """The cell's code, or, when it has a syntax error, a stand-in whose function
    raises an error naming the cell and its line: the other cells of its file still
    run (a broken cell costs its own function and what calls it, nothing else)."""
    code = _code(cells, cell, warnings)
    try:
        ast.parse(code)
        return code
    except (RecursionError, MemoryError):
        return code            # too deep for the parser: the worker reports it
    except SyntaxError as exc:
        reason = (f"the {cell.grade_id} cell ({_where(cells, cell)}) has a syntax error "
                  f"on line {exc.lineno} of the cell: {clip(exc.msg, 200, 1)}")
    warnings.append(f"{reason}; it was not run, so {cell.grade_id} and what calls it "
                    "cannot pass")
    # Its imports (each line that parses alone) still run: later cells may rely on them.
    imports = [line for line in code.split("\n") if line.startswith(("import ", "from "))
               and _parses(line)]
    return "\n".join(imports + [f"def {cell.grade_id}(*args, **kwargs):",
                                f"    raise SyntaxError({reason!r})  {STAND_IN}", ""])


def _parses(line: str) -> bool:
    try:
        ast.parse(line)
        return True
    except (SyntaxError, RecursionError, MemoryError):
        return False


def exercise_files(cells: NotebookCells, warnings: list[str]) -> dict[str, str]:
    """File name -> text of each exercise file the notebook's solution cells make."""
    by_file: dict[str, list[Cell]] = {}
    for cell in cells.solutions:
        by_file.setdefault(FUNCTIONS[cell.grade_id], []).append(cell)
    texts: dict[str, str] = {}
    provider: dict[str, str] = {}   # name -> module of the latest earlier file defining it
    for file, file_cells in by_file.items():
        body = "\n\n".join(f"# --- {_where(cells, c)}\n{_runnable(cells, c, warnings)}"
                           for c in file_cells)
        header = [f"# {file}: the solution cells of {cells.name}, extracted by autograder."]
        try:
            tree = ast.parse(body)
            own, used = _defined(tree), _used(tree)
        except (SyntaxError, RecursionError, MemoryError):
            tree = None        # graded as written: the worker reports the error
        if tree is not None:
            imports: dict[str, list[str]] = {}
            for name in sorted(used - own):
                if name in provider:
                    imports.setdefault(provider[name], []).append(name)
            header += [f"from {module} import {', '.join(names)}"
                       for module, names in imports.items()]
            provider.update({name: file.removesuffix(".py") for name in own})
        texts[file] = "\n".join(header) + "\n\n" + body + "\n"
    return texts


def _plain(value) -> bool:
    scalar = (str, int, float)
    return value is None or isinstance(value, scalar) or (
        isinstance(value, list) and all(isinstance(v, scalar) for v in value))


def _answer(cells: NotebookCells, cell: Cell, warnings: list[str]):
    question = cell.grade_id[len(ANSWER_PREFIX):]
    variable = answer_variable(question)
    where = f"{_where(cells, cell)}: the answer to {question}"
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as exc:
        warnings.append(f"{where} has a syntax error on line {exc.lineno} "
                        f"({clip(exc.msg, 200, 1)}), so the question counts as not answered")
        return None
    except (RecursionError, MemoryError) as exc:
        warnings.append(f"{where} is too deeply nested to read ({type(exc).__name__}), so "
                        "the question counts as not answered")
        return None
    value = None
    for node in tree.body:     # the last assignment wins, as when the cell runs
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
        if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
            value = node.value
    if value is None:
        return None
    try:
        answer = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        answer = ...
    answer = list(answer) if isinstance(answer, tuple) else answer
    if answer is ... or not _plain(answer):
        try:
            written = clip(ast.unparse(value), 60, 1)
        except (RecursionError, MemoryError):
            written = "..."
        warnings.append(
            f"{where}: `{variable} = {written}` is not a plain value; write "
            'a number, a choice id in quotes ("b") or a list of them (["b", "d"]). '
            "The question counts as not answered")
        return None
    return answer


def extract(path: Path, folder: Path, warnings: list[str]) -> None:
    """Write the notebook's exercise files and ``answers.yaml`` into ``folder``.

    Raises :class:`SubmissionError` when ``path`` is not a readable notebook; a
    notebook without any cell the grader reads is graded (0, with a warning saying why).
    """
    path = Path(path)
    cells = read_cells(path, warnings)
    if not cells.solutions and not cells.answers:
        known = ", ".join(FUNCTIONS)
        warnings.append(
            f"{path.name} has no cell the grader reads: cells are found by their nbgrader "
            f"grade_id ({known}, or answer_<question id>). Start from the notebook "
            "released for the assignment")
    for name, text in exercise_files(cells, warnings).items():
        data = text.encode("utf-8")
        if len(data) > FILE_MAX_BYTES:
            warnings.append(f"{path.name}: the code for {name} is {len(data)} bytes, over "
                            f"the {FILE_MAX_BYTES} byte limit; it was not graded")
            continue
        (folder / name).write_bytes(data)
    if cells.answers:
        answers = {c.grade_id[len(ANSWER_PREFIX):]: _answer(cells, c, warnings)
                   for c in cells.answers}
        (folder / "answers.yaml").write_text(
            yaml.safe_dump(answers, sort_keys=False, allow_unicode=True), encoding="utf-8")


def assignment_of(path: Path, course) -> list[str] | None:
    """The assignment a notebook holds: its ``autograder.assignment`` metadata (set by
    the build), else its file name; None when neither names one of ``course``."""
    known = {a.id for a in course.assignments}
    from ..grading.submission import read_regular

    try:
        data, _why = read_regular(str(path), None, NOTEBOOK_MAX_BYTES)
        if data is None or nesting(data) > NOTEBOOK_MAX_DEPTH:
            raise ValueError("not readable (extract says why)")
        meta = json.loads(data)["metadata"]["autograder"]["assignment"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError,
            MemoryError):
        meta = None
    for candidate in (meta, Path(path).stem):
        if isinstance(candidate, str) and candidate in known:
            return [candidate]
    return None
