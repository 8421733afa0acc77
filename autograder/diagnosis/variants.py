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
from .catalogue import Mistake, read_catalogue
from .outcomes import Result, run_trusted
from .probes import probes_of

# The exercise files in the order they import each other (attention uses softmax,
# encoder uses attention), so each module's siblings exist when it runs.
MODULES = list(dict.fromkeys(file.removesuffix(".py") for file in FUNCTIONS.values()))


@functools.lru_cache(maxsize=8)
def catalogue(solutions: str) -> tuple[Mistake, ...]:
    """The catalogue of a course's ``solutions/`` (read once per process)."""
    return tuple(read_catalogue(Path(solutions)))


@functools.lru_cache(maxsize=64)
def _compiled(path: str, source: str) -> types.CodeType:
    return compile(source, path, "exec")


def _build(sources: dict[str, tuple[str, str]]) -> dict[str, types.ModuleType]:
    """Execute ``name -> (path, source)`` as top-level modules, siblings visible to each
    other; ``sys.modules`` is left as it was."""
    saved = {name: sys.modules.pop(name) for name in sources if name in sys.modules}
    try:
        modules = {}
        for name, (path, source) in sources.items():
            module = types.ModuleType(name)
            module.__file__ = path
            sys.modules[name] = modules[name] = module
            exec(_compiled(path, source), module.__dict__)
        return modules
    finally:
        for name in sources:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


@functools.lru_cache(maxsize=512)
def _modules(solutions: str, mistake: Mistake) -> dict:
    sources = {}
    for name in MODULES:
        path = Path(solutions) / f"{name}.py"
        if path.is_file():
            source = path.read_text(encoding="utf-8")
            if mistake.file == path.name:
                source += mistake.source
            sources[name] = (str(path), source)
    return _build(sources)


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
