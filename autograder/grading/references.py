"""Loading the reference implementations from ``solutions/`` into the grading process.

References are trusted course code: they run here, to score hidden cases. They are
imported as top-level modules (``attention.py`` does ``from softmax import softmax``,
as a student's does) and then removed from ``sys.modules`` so nothing else sees them.
"""
from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path
from types import ModuleType


@contextlib.contextmanager
def isolated_modules(names):
    """Let top-level modules ``names`` be created inside the block, then take them out of
    ``sys.modules`` again and put back whatever held those names before."""
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    try:
        yield
    finally:
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def load_modules(folder: Path, names: list[str]) -> dict[str, ModuleType]:
    """Import ``names`` from ``folder`` in isolation; returns name -> module."""
    saved_path = list(sys.path)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        with isolated_modules(names):
            return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path[:] = saved_path


class References:
    """The reference functions of a course, looked up by function name."""

    def __init__(self, solutions: Path, files: dict[str, str]):
        modules = load_modules(solutions, sorted({f.removesuffix(".py") for f in files.values()}))
        self._functions = {fn: getattr(modules[file.removesuffix(".py")], fn)
                           for fn, file in files.items()}

    def __getitem__(self, function: str):
        return self._functions[function]
