"""Diagnosis: for each exercise that lost points, say what the mistake is.

After the graded cases, inside the same worker session, the student's function runs on
its exercise's probes (:mod:`.probes`). In ``grade`` mode the results are compared with
what each catalogued variant gives on the same probes (computed here, see
:mod:`.variants`): a variant that behaves exactly like the student's code names the
mistake, and its hint is the feedback, on two conditions that keep hints from ever
pointing the wrong way (measured by ``autograder mutants``): the evidence is specific
(on some probe the variant returns values that are not the reference's, and the
student's are the same; raising the same exception type is not enough), and exactly
one variant matches (when several do, only the facts are said). A variant of an exercise the student's function
calls (their softmax, from their attention) is tried too, when that exercise lost points
as well. Where no variant matches, and always in ``check`` mode (no ``solutions/``),
the feedback is what the results prove without a reference (:mod:`.properties`) and
what the pattern of passed and failed cases shows (:mod:`.contrasts`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checks import FUNCTIONS
from ..grading.references import References
from . import variants
from .catalogue import CatalogueError
from .contrasts import contrasts
from .dependencies import dependencies
from .outcomes import agree, from_outcome
from .probes import probes_of
from .properties import facts

FACTS_SHOWN = 3
# An exercise whose cases ran out of time or killed the worker is not probed: more
# calls would only spend the submission's time limit on code known to be slow.
NOT_PROBED = {"timeout", "crashed", "missing"}


@dataclass
class Diagnosis:
    """The hints of one exercise; ``named`` holds the keys of the matching mistakes."""
    hints: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def observe(session, exercise) -> list[tuple] | None:
    """The student's results on the probes, or None when there is nothing to learn."""
    observed = []
    for probe in probes_of(exercise.function):
        result = from_outcome(session.call(exercise.module, exercise.function,
                                           probe.call.args, probe.call.kwargs))
        if result.kind == "lost" or result.during == "import" or \
                result.error == "NotImplementedError":
            return None
        observed.append((probe, result))
    return observed


def matches(observed, references, solutions: Path, mistake, function: str) -> bool:
    """Whether the student's ``function`` (``observed`` on its probes) behaves like the
    variant of ``mistake`` there, with evidence that is specific to it."""
    student = [r for _, r in observed]  # observed always holds every probe of function
    reference = variants.reference_behaviour(solutions, function, references[function])
    variant = variants.behaviour(str(solutions), mistake, function)
    return specific(variant, reference) and all(map(agree, variant, student))


def named_mistakes(exercise, observed, references, catalogue, solutions: Path,
                   suspects: dict[str, object], confirm=None) -> list[tuple[str, object]]:
    """``(suspect, mistake)`` for the catalogued variants that behave like the student.

    ``suspects`` maps the exercises whose variants are tried through ``exercise``, in
    order, to the keys of the mistakes to try (None: all of them); the first suspect with
    a match is the answer. A suspect other than ``exercise`` tried for all its mistakes
    (one this run did not grade) is named only when ``confirm(suspect, mistake)`` says
    the student's own ``suspect`` makes the mistake too: a wrong float32 dtype in a
    student's encoder block matches a variant of attention that promotes to float64,
    though their attention may be right and the slip in their gelu.
    """
    function = exercise.function
    found = []
    for suspect, keys in suspects.items():
        unconfirmed = keys is None and suspect != function
        if unconfirmed and confirm is None:
            continue
        for mistake in (m for m in catalogue if m.function == suspect
                        and (keys is None or m.key in keys)):
            if matches(observed, references, solutions, mistake, function) and \
                    (not unconfirmed or confirm(suspect, mistake)):
                found.append((suspect, mistake))
        if found:
            break
    return found


def specific(variant, reference) -> bool:
    """Whether matching ``variant`` on the probes is evidence of its mistake: on at least
    one probe it returns a value that is not the reference's, or writes into a read-only
    input where the reference does not. Raising the same exception type is not enough on
    its own: many different slips raise a ValueError on a batch."""
    return any((v.kind == "value" or v.read_only_write) and not agree(v, r)
               for v, r in zip(variant, reference))


def _hint(function: str, suspect: str, mistake) -> str:
    if suspect == function:
        return mistake.hint
    return f"This comes from your {suspect}, which {function} calls: {mistake.hint}"


def diagnose_exercise(exercise, observed, graded, *, calls: set[str], lost: set[str],
                      ungraded: set[str] = frozenset(), earlier: dict | None = None,
                      references=None, catalogue=(), solutions: Path | None = None,
                      confirm=None) -> Diagnosis:
    """The diagnosis of one exercise from its probe results and its graded cases.

    ``graded``: ``(call, passed)`` of each case that expects a result; ``calls``: the
    exercises the student's function calls; ``lost``: those that lost points in this
    run, ``ungraded``: those it did not grade; ``earlier``: the diagnoses already made.
    A called exercise is blamed only for a mistake its own diagnosis named (for any of
    its mistakes when it was not graded, if ``confirm`` finds the mistake in the student's
    own version of it: see :func:`named_mistakes`). Without ``references`` (a self-check)
    only reference-free facts are given.
    """
    function = exercise.function
    earlier = earlier or {}
    called_and_lost = sorted(f for f in calls if f in lost)
    if references is not None and observed is not None:
        # A called exercise known to be wrong explains the most; then this one's own
        # mistakes; then those of called exercises this run did not grade.
        suspects = {f: (earlier[f].named if f in earlier else []) for f in called_and_lost}
        suspects[function] = None
        suspects |= {f: None for f in sorted(calls & ungraded)}
        found = named_mistakes(exercise, observed, references, catalogue, solutions, suspects,
                               confirm)
        if len(found) == 1:
            (suspect, mistake), = found
            return Diagnosis([_hint(function, suspect, mistake)], [mistake.key])
        # Several variants behave like the student's code on every probe: naming one
        # could send the student the wrong way, so only the facts are said.
    stated = [f"It calls your {f}, which loses points too: fix {f} first, as its mistakes "
              "show up here as well." for f in called_and_lost]
    stated += facts(function, observed) if observed is not None else []
    stated += contrasts(function, graded)
    return Diagnosis([_sentence(s) for s in dict.fromkeys(stated)][:FACTS_SHOWN])


def diagnose(plugin, folder: Path, warnings: list[str]) -> dict[str, Diagnosis]:
    """Diagnose every exercise of a graded run that lost points; function -> Diagnosis.

    Mistakes are named only when the run has the references (``grade``); a self-check
    gets the facts that need none.

    A diagnosis that fails is left out with a line in ``warnings``; it never changes a
    score.
    """
    judge = plugin.judge
    graded: dict[str, list] = {}
    for function, case in plugin.selected:
        graded.setdefault(function, []).append((case, plugin.verdict(function, case)))
    lost = {f for f, items in graded.items() if not all(v.passed for _, v in items)}
    if not lost:
        return {}
    ungraded = {e.function for e in judge.course.exercises} - set(graded)
    calls = dependencies(folder)
    references = judge.references
    catalogue, solutions = (), None
    if references is not None:  # grade mode: solutions/ is at hand
        solutions = judge.course.solutions
        try:
            catalogue = variants.catalogue(str(solutions))
        except (CatalogueError, OSError) as exc:
            warnings.append(f"the catalogue of known mistakes could not be read, so no "
                            f"mistake is named: {exc}")
    confirm = _confirmer(judge, references, solutions) if references is not None else None
    result = {}
    # What an exercise calls is diagnosed before it, so it can be blamed by name.
    order = sorted(graded, key=lambda f: len(calls.get(f, ())))
    for function in order:
        items = graded[function]
        if function not in lost or {v.outcome for _, v in items} & NOT_PROBED:
            continue
        exercise = plugin.exercises[function]
        try:
            cases = []
            for case, verdict in items:
                built = judge.inputs(exercise, case)
                if built is not None and built[1][0] == "value":
                    cases.append((built[0], verdict.passed))
            result[function] = diagnose_exercise(
                exercise, observe(judge.session, exercise), cases,
                calls=calls.get(function, set()), lost=lost, ungraded=ungraded,
                earlier=result, references=references, catalogue=catalogue,
                solutions=solutions, confirm=confirm)
        except Exception as exc:  # a hint is a bonus: its failure must not stop grading
            warnings.append(f"the grader could not diagnose {function} ({type(exc).__name__}: "
                            f"{exc}); its score is not affected")
    return result


def _confirmer(judge, references, solutions: Path):
    """``confirm(suspect, mistake)`` for :func:`named_mistakes`: the student's ``suspect``
    (an exercise this run did not grade) run on its own probes in the same worker session
    (once per suspect) behaves like the variant of ``mistake``."""
    exercises = {e.function: e for e in judge.course.exercises}
    seen: dict[str, list | None] = {}
    loaded = {}     # the run's references hold only the graded exercises

    def confirm(suspect: str, mistake) -> bool:
        if suspect not in exercises:
            return False
        if suspect not in seen:
            seen[suspect] = observe(judge.session, exercises[suspect])
        if seen[suspect] is None:
            return False
        if not loaded:
            loaded["all"] = References(solutions, FUNCTIONS)
        return matches(seen[suspect], loaded["all"], solutions, mistake, suspect)
    return confirm
