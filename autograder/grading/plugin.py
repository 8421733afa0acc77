"""The pytest plugin that turns the check modules into a graded run.

It selects the tests of the chosen exercises (public cases only in ``check`` mode),
gives each test the ``grade`` fixture, and collects each case's verdict through
pytest's own reporting hook, so a case the grader itself could not run (a broken
check, a fixture error) is recorded as failed with the reason: it never passes by
default.
"""
from __future__ import annotations

import pytest

from ..checks.kit import Case
from ..course.model import Exercise
from .judge import Judge, Verdict

VERDICT = pytest.StashKey[Verdict]()


class GradingPlugin:
    def __init__(self, judge: Judge, exercises: list[Exercise], *, include_hidden: bool):
        self.judge = judge
        self.exercises = {e.function: e for e in exercises}
        self.include_hidden = include_hidden
        self.selected: list[tuple[str, Case]] = []
        self.results: dict[tuple[str, str], Verdict] = {}

    @staticmethod
    def _identify(item) -> tuple[str | None, Case | None]:
        marker = item.get_closest_marker("exercise")
        callspec = getattr(item, "callspec", None)
        case = callspec.params.get("case") if callspec else None
        return (marker.args[0] if marker else None), case

    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "exercise(function): the exercise a test grades")

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        keep, drop = [], []
        for item in items:
            function, case = self._identify(item)
            wanted = (function in self.exercises and isinstance(case, Case)
                      and (self.include_hidden or not case.hidden))
            (keep if wanted else drop).append(item)
            if wanted:
                self.selected.append((function, case))
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    @pytest.fixture
    def grade(self, request):
        """Grade one case of the test's exercise; fails the test unless it passed."""
        function, _ = self._identify(request.node)
        exercise = self.exercises[function]

        def run(case: Case) -> None:
            verdict = self.judge.judge(exercise, case)
            request.node.stash[VERDICT] = verdict
            if not verdict.passed:
                pytest.fail(verdict.message, pytrace=False)

        return run

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        function, case = self._identify(item)
        if case is None or report.when == "teardown" and report.passed:
            return report
        verdict = item.stash.get(VERDICT, None)
        if report.failed and (verdict is None or verdict.passed):
            # The check itself broke: fail closed, with the reason.
            verdict = Verdict("error", f"the grader could not run this case: "
                                       f"{report.longreprtext.strip().splitlines()[-1:]}")
        if verdict is not None and (report.failed or report.when == "call"):
            self.results.setdefault((function, case.name), verdict)
        return report

    def verdict(self, function: str, case: Case) -> Verdict:
        return self.results.get((function, case.name),
                                Verdict("error", "the grader did not run this case"))
