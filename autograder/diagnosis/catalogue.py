"""The catalogue of known mistakes: wrong variants of the references, with their hints.

It lives in ``solutions/mistakes/<file>.py`` (staff only) and is parsed, never imported:
a function decorated ``@mistake(function, id, hint=...)`` is a drop-in replacement for
the exercise ``function``. A *variant submission* is a copy of ``solutions/`` whose file
for that exercise has the variant appended under the exercise's name (with the
catalogue file's imports and the helpers the variant uses), so it replaces the
reference there and everything that calls the exercise calls the variant.
"""
from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..checks import FUNCTIONS

FOLDER = "mistakes"


class CatalogueError(Exception):
    """A catalogue file that cannot be used; the message says file:line and what to fix."""


@dataclass(frozen=True)
class Mistake:
    function: str       # the exercise the variant replaces
    id: str             # unique within the exercise, e.g. "no-scaling"
    hint: str           # what the student reads: the fix, in words, not code
    file: str           # the exercise file, e.g. "attention.py"
    source: str         # what is appended to the reference file

    @property
    def key(self) -> str:
        return f"{self.function}/{self.id}"


def _marker(node: ast.FunctionDef, where: str):
    """``(function, id, hint)`` of a ``@mistake(...)`` decorator, or None."""
    for decorator in node.decorator_list:
        if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)
                and decorator.func.id == "mistake"):
            try:
                function, ident = (ast.literal_eval(a) for a in decorator.args)
                hint = ast.literal_eval(next(k.value for k in decorator.keywords
                                             if k.arg == "hint"))
            except (ValueError, StopIteration, TypeError):
                raise CatalogueError(
                    f"{where}:{decorator.lineno}: write @mistake(\"function\", \"id\", "
                    f"hint=\"...\") with literal strings") from None
            return function, ident, " ".join(str(hint).split())
    return None


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _helpers_needed(node: ast.FunctionDef, helpers: dict[str, ast.FunctionDef]) -> list[str]:
    """The undecorated helpers ``node`` uses, directly or through other helpers, in file order."""
    needed, todo = set(), [node]
    while todo:
        for name in _names_used(todo.pop()) & set(helpers) - needed:
            needed.add(name)
            todo.append(helpers[name])
    return [name for name in helpers if name in needed]


def _renamed(source: str, old: str, new: str) -> str:
    return re.sub(rf"^def {re.escape(old)}\(", f"def {new}(", source, count=1)


def read_file(path: Path) -> list[Mistake]:
    """The mistakes catalogued in one file, in file order."""
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise CatalogueError(f"{path}:{exc.lineno}: {exc.msg}") from None
    lines = text.splitlines()

    def segment(node: ast.stmt) -> str:
        # Top-level statements span whole lines (a def's lineno is its `def` line, after
        # its decorators); ast.get_source_segment would re-split the file on every call.
        return "\n".join(lines[node.lineno - 1:node.end_lineno])

    imports = [segment(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    helpers = {n.name: n for n in functions if not n.decorator_list}
    mistakes = []
    for node in functions:
        marker = _marker(node, str(path))
        if marker is None:
            continue
        function, ident, hint = marker
        if FUNCTIONS.get(function) != path.name:
            raise CatalogueError(
                f"{path}:{node.lineno}: {function!r} is not an exercise of {path.name} "
                f"(known: {', '.join(f for f, file in FUNCTIONS.items() if file == path.name)})")
        if not hint:
            raise CatalogueError(f"{path}:{node.lineno}: mistake {ident!r} has an empty hint")
        parts = ["\n".join(imports), *(segment(helpers[h]) for h in _helpers_needed(node, helpers)),
                 _renamed(segment(node), node.name, function)]
        source = f"\n\n# -- catalogued mistake {function}/{ident} --\n" + "\n\n\n".join(parts)
        mistakes.append(Mistake(function, ident, hint, path.name, source + "\n"))
    return mistakes


def read_catalogue(solutions: Path) -> list[Mistake]:
    """Every catalogued mistake, in exercise order, then file order; ids are checked unique."""
    folder = Path(solutions) / FOLDER
    order = list(FUNCTIONS)
    mistakes: list[Mistake] = []
    for path in sorted(folder.glob("*.py")):
        mistakes += read_file(path)
    seen = set()
    for m in mistakes:
        if m.key in seen:
            raise CatalogueError(f"{folder}: mistake {m.key} is catalogued twice")
        seen.add(m.key)
    return sorted(mistakes, key=lambda m: order.index(m.function))


def variant_sources(mistake: Mistake, solutions: Path) -> dict[str, str]:
    """The variant submission of ``mistake``: file name -> text of each Python file of
    ``solutions/``, with the variant appended to its own file."""
    sources = {path.name: path.read_text(encoding="utf-8")
               for path in sorted(Path(solutions).glob("*.py")) if path.is_file()}
    sources[mistake.file] += mistake.source
    return sources


def write_variant(mistake: Mistake, solutions: Path, target: Path) -> Path:
    """Write the variant submission of ``mistake`` (and the answer key) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name, text in variant_sources(mistake, solutions).items():
        (target / name).write_text(text, encoding="utf-8")
    shutil.copyfile(Path(solutions) / "answers.yaml", target / "answers.yaml")
    return target
