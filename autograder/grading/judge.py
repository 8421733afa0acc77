"""Judging one case: run it in the worker, compare in the grading process, say why.

Every path through :meth:`Judge.judge` ends in a :class:`Verdict`; anything but a
result that matches the expected one within tolerance is not ``passed``.
"""
from __future__ import annotations

import signal
from dataclasses import dataclass

from ..checks.kit import Call, Case, compare
from ..course.model import Course, Exercise
from ..sandbox.session import Outcome, WorkerSession
from . import public
from .references import References


@dataclass(frozen=True)
class Verdict:
    outcome: str        # passed | failed | error | timeout | crashed | missing
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


def _error_text(error: dict) -> str:
    text = f"{error.get('type')}: {error.get('message')}"
    if error.get("traceback"):
        text += "\n" + error["traceback"].rstrip()
    return text


def _how_it_ended(status: int, limits) -> str:
    """How a worker process ended, from its exit status (negative: a signal)."""
    if status >= 0:
        return f"it exited with code {status} (os._exit or a fatal error)"
    try:
        name = signal.Signals(-status).name
    except ValueError:
        name = f"signal {-status}"
    return {
        signal.SIGKILL: f"it was killed ({name}), most likely for using more than its "
                        f"{limits.memory_mb} MB of memory",
        signal.SIGXCPU: f"it used more processor time than the submission may ({name})",
        signal.SIGSEGV: f"it crashed with a segmentation fault ({name})",
        signal.SIGABRT: f"it aborted ({name})",
    }.get(-status, f"it was stopped by the signal {name}")


def _refusal(error: dict) -> str | None:
    """The sandbox's reason, when the error is the sandbox refusing something."""
    message = str(error.get("message") or "")
    if error.get("type") == "PermissionError" and message.startswith("sandbox: "):
        return message.removeprefix("sandbox: ")
    return None


def _error_verdict(error: dict, limits, importing: str = "") -> Verdict:
    """An exception raised by the student's code, in a function or (``importing``: the
    file) at import."""
    where = f"importing {importing}" if importing else "your function"
    if error.get("type") == "ModelMissing":   # the worker could not find the weights it passes
        return Verdict("error", f"not run: {error.get('message')} (the model is missing on "
                                "the machine that grades, not in your code)")
    if error.get("type") == "MemoryError":
        return Verdict("error", f"{where} ran out of memory: a submission may use at most "
                                f"{limits.memory_mb} MB (MemoryError)")
    refusal = _refusal(error)
    if refusal:
        text = f"{where} tried something the grader does not allow: {refusal}"
        trace = (error.get("traceback") or "").rstrip()
        return Verdict("error", text + (f"\n{trace}" if trace else ""))
    return Verdict("error", f"{where + ' ' if importing else ''}raised {_error_text(error)}")


def _not_started(outcome: Outcome) -> Verdict:
    return Verdict("crashed", f"not run: {outcome.detail} (a problem of the grader, not of "
                              "your code: please tell the course staff)")


def describe_failure(outcome: Outcome, exercise: Exercise, limits, call: Call | None) -> Verdict:
    """A verdict, in a student's words, for an outcome that produced no result."""
    if outcome.kind == "timeout":
        if outcome.detail == "submission":
            return Verdict("timeout", (
                f"not run: grading of your submission reached its "
                f"{limits.submission_timeout:g} s limit"))
        if outcome.detail == "skipped":
            return Verdict("timeout", (
                f"not run: {exercise.function} was stopped on two other cases for running "
                "too long, so its remaining cases were not run"))
        size = f" on a {call.describe()} input" if call else ""
        if outcome.detail == "retry":
            return Verdict("timeout", (
                f"your function ran for more than {limits.retry_timeout:g} s{size} and was "
                f"stopped (after it first ran out of time, each further case gets "
                f"{limits.retry_timeout:g} s)"))
        return Verdict("timeout", (
            f"your function ran for more than {limits.call_timeout:g} s{size} "
            "and was stopped"))
    if outcome.kind == "crashed":
        if outcome.status is None:
            return _not_started(outcome)
        return Verdict("crashed", (
            f"your function ended the process it ran in: "
            f"{_how_it_ended(outcome.status, limits)}; the other cases were run in a "
            "fresh one"))
    if outcome.kind == "unreadable":
        return Verdict("crashed", f"the result could not be read back ({outcome.detail})")
    error = outcome.error
    if outcome.kind == "missing":
        return Verdict("missing", f"{error.get('message')}" if error.get("during") == "call"
                       else f"{exercise.file} is missing from your submission")
    if error.get("type") == "NotImplementedError":
        return Verdict("error", f"{exercise.function} is not written yet: it still raises "
                                "NotImplementedError")
    if error.get("kind") == "exit":
        return Verdict("error", (
            f"your function tried to end the process ({error.get('type')}: "
            f"{error.get('message')}) instead of returning a result"))
    return _error_verdict(error, limits)


def _describe_import(outcome: Outcome, exercise: Exercise, limits) -> Verdict:
    error = outcome.error
    if outcome.kind == "timeout":
        if outcome.detail == "submission":
            return Verdict("timeout", (
                f"not run: grading of your submission reached its "
                f"{limits.submission_timeout:g} s limit before {exercise.file} was imported"))
        return Verdict("timeout", (
            f"importing {exercise.file} took more than {limits.call_timeout:g} s "
            "and was stopped"))
    if outcome.kind == "crashed":
        if outcome.status is None:
            return _not_started(outcome)
        return Verdict("crashed", (
            f"your module ended the process while being imported: "
            f"{_how_it_ended(outcome.status, limits)}"))
    if outcome.kind == "unreadable":
        return Verdict("crashed", (
            f"the grader could not read its worker's answer while {exercise.file} was "
            f"imported ({outcome.detail})"))
    if outcome.kind == "missing":
        return Verdict("missing", f"{exercise.file} is missing from your submission")
    if error.get("kind") == "syntax":
        return Verdict("error", f"{exercise.file} has a syntax error: {error.get('message')}")
    if error.get("kind") == "exit":
        return Verdict("error", (
            f"your module exited while being imported ({error.get('message')})"))
    return _error_verdict(error, limits, exercise.file)


# A hidden case's inputs and the reference's output for them, per course and seed: the
# same for every submission a process grades (a batch, the self-test of the catalogue),
# and the diagnosis asks again. The inputs are read-only and only copies reach a worker,
# so one submission cannot change what the next is compared with; on the real model
# each costs a forward pass.
_HIDDEN: dict[tuple, tuple] = {}


class Judge:
    """Runs a submission's cases; one per submission, used by the pytest plugin."""

    def __init__(self, course: Course, session: WorkerSession, seed: int,
                 references: References | None):
        self.course = course
        self.session = session
        self.seed = seed
        self.references = references
        self._imports: dict[str, Verdict | set] = {}
        self._public: dict[str, dict] = {}

    def inputs(self, exercise: Exercise, case: Case):
        """``(call, expected)`` of a case, or ``None`` when it cannot be built."""
        built = self._built(exercise, case)
        if built is not None and callable(built[1]):
            return built[0], built[1]()
        return built

    def _built(self, exercise: Exercise, case: Case):
        """As :meth:`inputs`, except that for a hidden case met for the first time in
        this process ``expected`` is a function that works it out (and keeps it): the
        judge runs it while the worker runs the student's call."""
        function = exercise.function
        if not case.hidden:
            if function not in self._public:
                self._public[function] = public.read(self.course.public_cases, function)
            return self._public[function].get(case.name)
        if self.references is None:
            return None
        key = (str(self.course.solutions), self.seed, function, case.name)
        if key in _HIDDEN:
            return _HIDDEN[key]
        call = case.make(case.rng(function, self.seed))

        def work_out():
            _HIDDEN[key] = call, public.expected_of(self.references[function], call)
            return _HIDDEN[key][1]

        return call, work_out

    def _module(self, exercise: Exercise) -> Verdict | set:
        """The callables of the exercise's module, or the verdict of its failed import."""
        if exercise.module not in self._imports:
            outcome = self.session.load(exercise.module)
            self._imports[exercise.module] = (
                set(outcome.value) if outcome.kind == "ok"
                else _describe_import(outcome, exercise, self.course.grading.limits))
        return self._imports[exercise.module]

    def judge(self, exercise: Exercise, case: Case) -> Verdict:
        built = self._built(exercise, case)
        if built is None:
            return Verdict("error", (
                "the grader has no data for this case (public case file missing or out "
                "of date: run `autograder regenerate`)"))
        names = self._module(exercise)
        if isinstance(names, Verdict):
            return names
        if exercise.function not in names:
            return Verdict("missing", f"{exercise.file} has no function {exercise.function}")
        call, expected = built
        # A reference not yet worked out runs while the worker runs the student's
        # function (a forward pass of the real model, for the capstone), not before it.
        work_out, worked = (expected if callable(expected) else None), {}

        def meanwhile():
            try:
                worked["expected"] = work_out()
            except Exception as exc:  # noqa: BLE001 - raised below, as if run before
                worked["failure"] = exc

        outcome = self.session.call(exercise.module, exercise.function, call.args, call.kwargs,
                                    meanwhile=meanwhile if work_out else None)
        if work_out:
            if not worked:   # the call was never sent (skipped, out of time)
                meanwhile()
            if "failure" in worked:
                raise worked["failure"]
            expected = worked["expected"]
        kind, expected = expected
        limits = self.course.grading.limits
        if outcome.kind == "error" and outcome.error.get("type") == "NotImplementedError":
            return describe_failure(outcome, exercise, limits, call)
        if kind == "raises":
            if outcome.kind == "error" and expected in outcome.error["mro"]:
                return Verdict("passed")
            if outcome.kind == "ok":
                return Verdict("failed", f"should raise {expected} here, but returned a result")
            if outcome.kind == "error":
                return Verdict("failed", (
                    f"should raise {expected} here, but raised {_error_text(outcome.error)}"))
            return describe_failure(outcome, exercise, limits, call)
        if outcome.kind != "ok":
            return describe_failure(outcome, exercise, limits, call)
        reason = compare(outcome.value, expected,
                         lambda dtype: self.course.tolerance(dtype, exercise))
        return Verdict("passed") if reason is None else Verdict("failed", reason)
