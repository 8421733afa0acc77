"""Grading every mutant of the references, and judging the hints it gets.

A mutant (see :mod:`.operators`) is graded as a submission by the engine, exactly as a
student's would be: ``solutions/`` with one file mutated, on the assignments whose files
import that file. It is

* **killed** when an exercise it sits in (the function, or for a helper the exercises
  of its file) loses points;
* **equivalent** when it is not killed and ``solutions/mutants.yaml`` says why it
  behaves as the reference on every input the contract allows;
* **surviving** otherwise: a case is missing, or the table is.

Each hint that names a catalogued mistake is checked against an oracle independent of
the probes it was chosen on: the mutant *makes* the mistake when, on every graded case
of the hinted exercise (public values and hidden ones under several seeds) and on its
probes, its results agree with the catalogued variant's. A hint naming a mistake the
mutant does not make is *misleading*.
"""
from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from ..checks import FUNCTIONS, cases_of
from ..course.model import Course
from ..diagnosis import variants
from ..diagnosis.dependencies import importers
from ..diagnosis.outcomes import agree, run_trusted
from ..diagnosis.probes import BUILDERS, probes_of
from ..grading.engine import grade
from ..grading.public import PUBLIC_SEED
from .operators import Mutant, mutants

EQUIVALENTS = "mutants.yaml"
ORACLE_SEEDS = (1, 2, 3)    # besides the course seed: hidden values the grader did not use


@dataclass(frozen=True)
class MutantGrade:
    mutant: Mutant
    verdict: str                    # killed | equivalent | surviving
    own: tuple[str, ...]            # the exercises the mutant sits in
    lost: tuple[str, ...]           # the exercises that lost points
    named: tuple[str, ...]          # "exercise: mistake key" of each hint naming a mistake
    misleading: tuple[str, ...]     # those naming a mistake the mutant does not make
    factual: int                    # hints that name no mistake
    differs_on: tuple[str, ...] = ()  # for a survivor: cases where it differs from the reference
    public: bool = False            # killed by the public cases alone (``autograder check``)


def equivalents(solutions: Path) -> dict[str, str]:
    """Mutant key -> why it is equivalent, from ``solutions/mutants.yaml`` (may be absent)."""
    path = Path(solutions) / EQUIVALENTS
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(v, str) and v.strip()
                                             for v in data.values()):
        raise ValueError(f"{path}: expected a mapping from mutant key to a reason")
    return {str(k): v for k, v in data.items()}


def own_exercises(mutant: Mutant) -> tuple[str, ...]:
    if FUNCTIONS.get(mutant.function) == mutant.file:
        return (mutant.function,)
    return tuple(f for f, file in FUNCTIONS.items() if file == mutant.file)


def _sources(solutions: Path, mutant: Mutant) -> dict[str, str]:
    sources = {p.name: p.read_text(encoding="utf-8")
               for p in sorted(Path(solutions).glob("*.py")) if p.is_file()}
    sources[mutant.file] = mutant.source
    return sources


@functools.lru_cache(maxsize=4)
def _hint_texts(solutions: str) -> dict[str, list[str]]:
    """Every text a hint naming a mistake can have -> the keys of the mistakes it names."""
    texts: dict[str, list[str]] = {}
    for m in variants.catalogue(solutions):
        texts.setdefault(m.hint, []).append(m.key)
        for caller in FUNCTIONS:
            text = f"This comes from your {m.function}, which {caller} calls: {m.hint}"
            texts.setdefault(text, []).append(m.key)
    return texts


def _inputs(function: str, seeds) -> list:
    """The calls of every case of ``function``: public values, then hidden ones per seed."""
    calls = []
    for case in cases_of(function):
        for seed in ((PUBLIC_SEED,) if not case.hidden else seeds):
            calls.append((case.name, case.make(case.rng(function, seed))))
    if function in BUILDERS:  # an exercise may have no probes yet
        calls += [(probe.name, probe.call) for probe in probes_of(function)]
    return calls


def _results(module_of: dict, function: str, calls) -> list:
    fn = getattr(module_of[FUNCTIONS[function].removesuffix(".py")], function)
    return [run_trusted(fn, call) for _, call in calls]


def makes(course: Course, mutant: Mutant, mistake_key: str, exercise: str) -> bool:
    """Whether the mutant's ``exercise`` behaves as the variant of ``mistake_key`` does."""
    solutions = course.solutions
    mistake = next(m for m in variants.catalogue(str(solutions)) if m.key == mistake_key)
    calls = _inputs(exercise, (course.grading.seed, *ORACLE_SEEDS))
    mine = _results(variants.load_sources(solutions, _sources(solutions, mutant)), exercise,
                    calls)
    theirs = _results(variants._modules(str(solutions), mistake), exercise, calls)
    return all(map(agree, mine, theirs))


def differs_on(course: Course, mutant: Mutant, exercise: str) -> tuple[str, ...]:
    """The cases (and probes) on which the mutant's ``exercise`` differs from the reference,
    under the course seed and the oracle's seeds: what a new case could be built on."""
    solutions = course.solutions
    calls = _inputs(exercise, (course.grading.seed, *ORACLE_SEEDS))
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(solutions.glob("*.py"))}
    mine = _results(variants.load_sources(solutions, _sources(solutions, mutant)), exercise,
                    calls)
    reference = _results(variants.load_sources(solutions, sources), exercise, calls)
    return tuple(dict.fromkeys(name for (name, _), a, b in zip(calls, mine, reference)
                               if not agree(a, b)))


def grade_mutant(course: Course, mutant: Mutant, equivalent: dict[str, str]) -> MutantGrade:
    with tempfile.TemporaryDirectory(prefix="autograder-mutant-") as folder:
        folder = Path(folder)
        for name, text in _sources(course.solutions, mutant).items():
            (folder / name).write_text(text, encoding="utf-8")
        shutil.copyfile(course.solutions / "answers.yaml", folder / "answers.yaml")
        touched = importers(folder, mutant.file)
        chosen = [a.id for a in course.assignments if any(e.file in touched for e in a.exercises)]
        report = grade(course, folder, assignments=chosen)
        own = own_exercises(mutant)
        killed = any(e.id in own and e.score < e.max_score
                     for a in report.assignments for e in a.exercises)
        # The self-check only needs the mutant's own exercises: for a softmax mutant,
        # not the capstone's real model, which every file importing softmax would add.
        mine = [a.id for a in course.assignments if any(e.function in own for e in a.exercises)]
        checked = grade(course, folder, assignments=mine, mode="check") if killed else None
    public = checked is not None and any(e.id in own and e.score < e.max_score
                                         for a in checked.assignments for e in a.exercises)
    exercises = [e for a in report.assignments for e in a.exercises]
    lost = tuple(e.id for e in exercises if e.score < e.max_score)
    texts = _hint_texts(str(course.solutions))
    named, misleading, factual = [], [], 0
    for e in exercises:
        for hint in e.feedback:
            keys = texts.get(hint)
            if not keys:
                factual += 1
                continue
            named.append(f"{e.id}: {' or '.join(keys)}")
            if not any(makes(course, mutant, key, e.id) for key in keys):
                misleading.append(named[-1])
    if any(f in lost for f in own):
        verdict, differs = "killed", ()
    elif mutant.key in equivalent:
        verdict, differs = "equivalent", ()
    else:
        verdict = "surviving"
        differs = tuple(f"{f}: {name}" for f in own for name in differs_on(course, mutant, f))
    return MutantGrade(mutant, verdict, own, lost, tuple(named), tuple(misleading), factual,
                       differs, public)


def grade_mutants(course: Course, *, only: Callable[[Mutant], bool] = lambda m: True,
                  progress: Callable[[MutantGrade], None] | None = None) -> list[MutantGrade]:
    """Grade every mutant of ``solutions/`` (or those ``only`` selects), in file order."""
    equivalent = equivalents(course.solutions)
    grades = []
    for mutant in mutants(course.solutions):
        if only(mutant):
            grades.append(grade_mutant(course, mutant, equivalent))
            if progress:
                progress(grades[-1])
    return grades


@dataclass(frozen=True)
class Tally:
    """The mutants of one function: how many were made, killed, shown equivalent, left."""
    function: str
    made: int
    killed: int
    public: int         # of the killed, those the public cases alone kill
    equivalent: int
    surviving: int
    misleading: int     # hints naming a mistake the mutant does not make
    named: int          # hints naming a mistake
    factual: int        # hints naming none

    @property
    def score(self) -> float:
        """Killed over non-equivalent mutants (1.0 when every mutant is equivalent)."""
        live = self.made - self.equivalent
        return self.killed / live if live else 1.0


def tally(grades: list[MutantGrade]) -> list[Tally]:
    """One tally per function, in the order the functions were mutated, then the total."""
    groups: dict[str, list[MutantGrade]] = {}
    for g in grades:
        groups.setdefault(g.mutant.function, []).append(g)
    groups["all"] = grades
    return [Tally(f, len(gs), sum(g.verdict == "killed" for g in gs),
                  sum(g.verdict == "killed" and g.public for g in gs),
                  *(sum(g.verdict == v for g in gs) for v in ("equivalent", "surviving")),
                  sum(len(g.misleading) for g in gs), sum(len(g.named) for g in gs),
                  sum(g.factual for g in gs))
            for f, gs in groups.items()]


def stale(grades: list[MutantGrade], equivalent: dict[str, str]) -> list[str]:
    """Keys of the table of equivalents that name no graded mutant, or a killed one.

    Only meaningful when every mutant of the functions concerned was graded."""
    graded = {g.mutant.key: g for g in grades}
    functions = {g.mutant.function for g in grades}
    return [key for key in equivalent if key.split(":", 1)[0] in functions
            and (key not in graded or graded[key].verdict == "killed")]

