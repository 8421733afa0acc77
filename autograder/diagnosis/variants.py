"""The catalogued variants as functions of the grading process.

A variant is run exactly as the self-test grades it: its variant submission (a copy of
``solutions/`` with the variant appended to its file, see :mod:`.catalogue`) is
executed as top-level modules in isolation, like the references. So the multi-head
attention of a softmax variant calls that wrong softmax, which is what a student's
multi-head attention does when their softmax has that mistake. The modules are built
in memory (each file compiled once per process) rather than written to a folder and
imported: a diagnosis tries dozens of variants, and the round trip through the file
system and the import system was most of its time.
"""
from __future__ import annotations

import functools
import sys
import types
from pathlib import Path

from ..checks import FUNCTIONS
from ..grading.references import isolated_modules
from .catalogue import Mistake, read_catalogue, variant_sources
from .outcomes import Result, run_trusted
from .probes import probes_of

# The exercise files in the order they import each other (attention uses softmax,
# encoder uses attention), so each module's siblings exist when it runs.
MODULES = list(dict.fromkeys(file.removesuffix(".py") for file in FUNCTIONS.values()))


@functools.lru_cache(maxsize=8)
def catalogue(solutions: str) -> tuple[Mistake, ...]:
    """The catalogue of a course's ``solutions/`` (read once per process)."""
    return tuple(read_catalogue(Path(solutions)))


@functools.lru_cache(maxsize=512)
def _compiled(path: str, source: str) -> types.CodeType:
    # Every variant shares three of its four files with the references: compile those
    # once, not once per variant.
    return compile(source, path, "exec")


@functools.lru_cache(maxsize=512)
def _modules(solutions: str, mistake: Mistake) -> dict[str, types.ModuleType]:
    """The variant submission's exercise files as top-level modules."""
    return load_sources(Path(solutions), variant_sources(mistake, Path(solutions)))


def load_sources(solutions: Path, sources: dict[str, str]) -> dict[str, types.ModuleType]:
    """Exercise files (file name -> text) as top-level modules, executed in import order
    so each sees its siblings; ``sys.modules`` is left as it was. Course code only."""
    modules = {}
    with isolated_modules(MODULES):
        for name in MODULES:
            if f"{name}.py" in sources:
                path = str(Path(solutions) / f"{name}.py")
                module = types.ModuleType(name)
                module.__file__ = path
                sys.modules[name] = modules[name] = module
                exec(_compiled(path, sources[f"{name}.py"]), module.__dict__)
    return modules


def variant_function(solutions: Path, mistake: Mistake, function: str):
    """``function`` as the variant submission of ``mistake`` defines it."""
    module = _modules(str(solutions), mistake)[FUNCTIONS[function].removesuffix(".py")]
    return getattr(module, function)


@functools.lru_cache(maxsize=2048)
def behaviour(solutions: str, mistake: Mistake, function: str) -> tuple[Result, ...]:
    """What ``function`` of the variant of ``mistake`` gives on ``function``'s probes.

    The probes and the variants are fixed, so this is computed once per process, not
    for every wrong submission a batch process diagnoses.
    """
    variant = variant_function(Path(solutions), mistake, function)
    return tuple(run_trusted(variant, probe.call) for probe in probes_of(function))


_REFERENCE_BEHAVIOUR: dict[tuple[str, str], tuple[Result, ...]] = {}


def reference_behaviour(solutions: Path, function: str, reference) -> tuple[Result, ...]:
    """What the reference ``function`` (loaded from ``solutions``) gives on its probes."""
    key = (str(solutions), function)
    if key not in _REFERENCE_BEHAVIOUR:
        _REFERENCE_BEHAVIOUR[key] = tuple(run_trusted(reference, probe.call)
                                          for probe in probes_of(function))
    return _REFERENCE_BEHAVIOUR[key]
