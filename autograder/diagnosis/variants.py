"""The catalogued variants as functions of the grading process.

A variant is run exactly as the self-test grades it: its variant submission (a copy of
``solutions/`` with the variant appended, see :mod:`.catalogue`) is written to a
temporary folder and imported in isolation, like the references. So the multi-head
attention of a softmax variant calls that wrong softmax, which is what a student's
multi-head attention does when their softmax has that mistake.
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from ..checks import FUNCTIONS
from ..grading.references import load_modules
from .catalogue import Mistake, read_catalogue, write_variant

MODULES = sorted({file.removesuffix(".py") for file in FUNCTIONS.values()})


@functools.lru_cache(maxsize=8)
def catalogue(solutions: str) -> tuple[Mistake, ...]:
    """The catalogue of a course's ``solutions/`` (read once per process)."""
    return tuple(read_catalogue(Path(solutions)))


@functools.lru_cache(maxsize=512)
def _modules(solutions: str, mistake: Mistake) -> dict:
    with tempfile.TemporaryDirectory(prefix="autograder-variant-") as folder:
        write_variant(mistake, Path(solutions), Path(folder))
        present = [m for m in MODULES if (Path(folder) / f"{m}.py").is_file()]
        return load_modules(Path(folder), present)


def variant_function(solutions: Path, mistake: Mistake, function: str):
    """``function`` as the variant submission of ``mistake`` defines it."""
    module = _modules(str(solutions), mistake)[FUNCTIONS[function].removesuffix(".py")]
    return getattr(module, function)
