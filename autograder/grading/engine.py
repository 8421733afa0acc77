"""Grading a submission: the worker, the pytest run of the checks, and the report.

``grade`` (every case, scored with the references and the answer key) and ``check``
(public cases only, no ``solutions/`` needed) are the same run with different inputs.
"""
from __future__ import annotations

import difflib
import time
from pathlib import Path

from .. import checks
from ..course.answers import read_answers, read_key
from ..course.model import Assignment, Course
from ..sandbox.host import in_force
from ..sandbox.portable import session_class
from .judge import Judge
from .plugin import CheckSession, GradingPlugin
from .printed import by_function
from .references import References
from .results import AssignmentResult, Report
from .scoring import rounded, exercise_result, question_result
from .submission import prepared, shown

CHECKS_DIR = Path(checks.__file__).parent
# Only what grading needs: no cache (it would write into the course checkout), no
# terminal output, no third-party plugins that happen to be installed, and none of
# pytest's optional built-in plugins. Each registered plugin costs time on every run
# (fixture parsing, hook dispatch per case), and `unraisableexception` alone ends each
# run with a full garbage collection; grading uses none of them.
UNUSED_PLUGINS = (
    "cacheprovider", "warnings", "stepwise", "junitxml", "doctest", "terminal", "capture",
    "skipping", "debugging", "unittest", "legacypath", "tmpdir", "monkeypatch", "recwarn",
    "pastebin", "setuponly", "setupplan", "unraisableexception", "threadexception",
    "logging", "python_path", "faulthandler")
PYTEST_ARGS = ["-c", str(CHECKS_DIR / "grading.ini"), "--rootdir", str(CHECKS_DIR),
               "--confcutdir", str(CHECKS_DIR), "--disable-plugin-autoload",
               "--assert=plain", *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}"))]


# Each process collects the checks once per set of modules and runs them again for each
# submission it grades (a batch's pool process, a Dask worker): collecting and setting up
# pytest cost more than running a correct submission's cases.
_SESSIONS: dict[tuple, CheckSession] = {}


def _run_checks(plugin: GradingPlugin, files: set[str]) -> None:
    args = (*(str(CHECKS_DIR / f) for f in sorted(files)), *PYTEST_ARGS)
    # Taken out while in use: another thread grading at the same time builds its own.
    session = _SESSIONS.pop(args, None)
    if session is None:
        try:
            session = CheckSession(list(args))
        except Exception:  # noqa: BLE001 - as pytest.main: nothing runs, every case
            return         # scores 0 with "the grader did not run this case"
    try:
        session.run(plugin)
    except BaseException:
        session.close()    # stopped half-way (Ctrl-C): never reused
        raise
    if _SESSIONS.setdefault(args, session) is not session:
        session.close()


# The reference modules, imported once per process and set of files: trusted course
# code, pure functions (their outputs per seed are cached in judge.py all the same).
_REFERENCES: dict[tuple, References] = {}


def _references(course: Course, exercises) -> References:
    files = {e.function: e.file for e in exercises}
    key = (str(course.solutions), tuple(sorted(files.items())))
    if key not in _REFERENCES:
        _REFERENCES[key] = References(course.solutions, files)
    return _REFERENCES[key]


def _diagnose(plugin: GradingPlugin, folder: Path, warnings: list[str]) -> dict:
    """Hints for the exercises that lost points (none: nothing to import or probe)."""
    if all(plugin.verdict(f, case).passed for f, case in plugin.selected):
        return {}
    from ..diagnosis.diagnose import diagnose  # only a submission that lost points needs it

    return diagnose(plugin, folder, warnings)


def selected(course: Course, assignment_ids) -> list[Assignment]:
    """The assignments named by ``assignment_ids`` (all when none; KeyError if unknown)."""
    if not assignment_ids:
        return list(course.assignments)
    return [course.assignment(a) for a in dict.fromkeys(assignment_ids)]


def renamed(folder: Path, expected: list[str]) -> list[str]:
    """A "did you mean" for each missing exercise file that another file of the
    submission looks like a renamed copy of (``my_softmax.py``, ``Softmax (1).py``)."""
    present = sorted(p.name for p in folder.glob("*.py"))
    warnings = []
    for file in dict.fromkeys(expected):
        if file in present:
            continue
        stem = file.removesuffix(".py")
        alike = [n for n in present if n not in expected
                 and stem in n.lower().removesuffix(".py")]
        alike += difflib.get_close_matches(file, [n for n in present if n not in expected
                                                  and n not in alike], n=1, cutoff=0.75)
        if alike:
            warnings.append(f"{file} is missing, but there is {shown(alike[0])}: did you mean "
                            f"{file}? The grader reads only {file} (rename the file)")
    return warnings


def grade(course: Course, submission: Path, *, assignments=None, seed: int | None = None,
          mode: str = "grade") -> Report:
    """Grade ``submission`` (a folder, a file or a notebook); ``mode`` is grade | check."""
    started = time.monotonic()
    seed = course.grading.seed if seed is None else seed
    if not assignments and Path(submission).suffix == ".ipynb":
        # A notebook holds one assignment: by default grade that one, as nbgrader does.
        from ..integrations.notebook import assignment_of
        assignments = assignment_of(Path(submission), course)
    chosen = selected(course, assignments)
    exercises = [e for a in chosen for e in a.exercises]
    warnings: list[str] = []
    with prepared(Path(submission), warnings) as folder:
        warnings += renamed(folder, [e.file for e in exercises])
        with session_class(mode)(folder, course.grading.limits) as session:
            # The worker starts up while the checks are collected.
            references = key = None
            if mode == "grade":
                references = _references(course, exercises)
                key = read_key(course)
            plugin = GradingPlugin(Judge(course, session, seed, references), exercises,
                                   include_hidden=mode == "grade")
            _run_checks(plugin, {e.file for e in exercises})
            # Probes need the live worker: the diagnosis runs before the session closes.
            diagnoses = _diagnose(plugin, folder, warnings)
        output = by_function(session.output)
        answers = read_answers(folder / "answers.yaml", course)
    warnings += answers.warnings
    if not answers.present and any(a.questions for a in chosen):
        warnings.append("answers.yaml is not in your submission, so the quick checks count "
                        "as not answered (start from the answers.yaml of exercises/)")
    if answers.problem:
        warnings.append(f"answers.yaml could not be read, so the quick checks score 0:\n"
                        f"{answers.problem}")
    results = []
    for assignment in chosen:
        exercise_results = [
            exercise_result(e, [(case, plugin.verdict(f, case))
                                for f, case in plugin.selected if f == e.function],
                            hints=diagnoses[e.function].hints if e.function in diagnoses else ())
            for e in assignment.exercises]
        question_results = [question_result(q, answers, key) for q in assignment.questions]
        counted = question_results if mode == "grade" else []
        results.append(AssignmentResult(
            assignment.id, assignment.title,
            rounded(sum(x.score for x in (*exercise_results, *counted))),
            rounded(sum(x.max_score for x in (*exercise_results, *counted))),
            exercise_results, question_results))
    return Report(
        score=rounded(sum(a.score for a in results)),
        max_score=rounded(sum(a.max_score for a in results)),
        assignments=results, course=course.id, submission=str(submission), seed=seed,
        mode=mode, execution_time=round(time.monotonic() - started, 3),
        warnings=warnings, output=output, sandbox=in_force(session.isolation))
