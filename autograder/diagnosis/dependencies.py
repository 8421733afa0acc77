"""Which exercises call which, read from a submission's source (parsed, never run).

``attention.py`` calls ``softmax``, ``multi_head_attention`` calls
``scaled_dot_product_attention``, and so on; but a student may also write everything
inline. Reading the code they handed in tells which of their exercises can be hurt by
another one's mistake, so the grader only blames what is really called.
"""
from __future__ import annotations

import ast
from pathlib import Path

from ..checks import FUNCTIONS


def _parse(path: Path) -> ast.Module | None:
    """The syntax tree of a file; None for one that cannot be read (it calls nothing)."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError, RecursionError,
            MemoryError):
        return None


def _file_calls(tree: ast.Module, module_of: dict[str, str]) -> dict[str, set[str]]:
    """Top-level function name -> the names it may call (exercises by their own name)."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in module_of.values():
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    definitions = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            definitions[node.name] = node  # a later definition replaces an earlier one
    calls = {}
    for name, node in definitions.items():
        used = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                used.add(aliases.get(sub.id, sub.id))
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                    and sub.value.id in module_of.values():
                used.add(sub.attr)  # softmax.softmax(...) after `import softmax`
        calls[name] = used - {name}
    return calls


def dependencies(folder: Path) -> dict[str, set[str]]:
    """Exercise -> the other exercises it calls, directly or not, in ``folder``'s files.

    An exercise whose file is missing or unreadable depends on nothing.
    """
    module_of = {f: file.removesuffix(".py") for f, file in FUNCTIONS.items()}
    graph: dict[str, set[str]] = {}
    for file in sorted(set(FUNCTIONS.values())):
        tree = _parse(Path(folder) / file)
        if tree is None:
            continue
        calls = _file_calls(tree, module_of)
        for name, used in calls.items():
            # Helpers of the same file stand for what they call.
            key = name if FUNCTIONS.get(name) == file else f"{file}:{name}"
            graph[key] = {u if u not in calls or FUNCTIONS.get(u) == file else f"{file}:{u}"
                          for u in used if u in FUNCTIONS or u in calls}
    result = {}
    for function in FUNCTIONS:
        seen, todo = set(), list(graph.get(function, ()))
        while todo:
            name = todo.pop()
            if name in seen or name == function:
                continue
            seen.add(name)
            todo += graph.get(name, ())
        result[function] = {n for n in seen if n in FUNCTIONS}
    return result


def dependents(graph: dict[str, set[str]], function: str) -> set[str]:
    """The exercises that call ``function``, directly or not."""
    return {f for f, called in graph.items() if function in called}


def importers(folder: Path, file: str) -> set[str]:
    """The exercise files in ``folder`` that import ``file``, directly or not (and itself)."""
    imports: dict[str, set[str]] = {}
    for name in set(FUNCTIONS.values()):
        tree = _parse(Path(folder) / name)
        if tree is None:
            continue
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(f"{node.module}.py")
            elif isinstance(node, ast.Import):
                found |= {f"{alias.name}.py" for alias in node.names}
        imports[name] = found
    reached, changed = {file}, True
    while changed:
        changed = False
        for name, found in imports.items():
            if name not in reached and found & reached:
                reached.add(name)
                changed = True
    return reached
