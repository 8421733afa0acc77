"""The pytest plugin that turns the check modules into a graded run.

A process collects the check modules once (:class:`CheckSession`) and runs the
collected tests again for each submission it grades: what changes from one submission
to the next (its worker, the chosen exercises, the verdicts) lives in a
:class:`GradingPlugin`, made anew for each. The session selects that submission's tests
(public cases only in ``check`` mode), gives each test the ``grade`` fixture, and
collects each case's verdict through pytest's own reporting hook, so a case the grader
itself could not run (a broken check, a fixture error) is recorded as failed with the
reason: it never passes by default.
"""
from __future__ import annotations

import contextlib
import io

import pytest
from _pytest.config import _prepareconfig   # what pytest.main builds its config with

from ..checks.kit import Case
from ..reports.inert import clip
from ..course.model import Exercise
from .judge import Judge, Verdict


class GradingPlugin:
    """One submission's run: its judge, its exercises, and the verdicts of its cases."""

    def __init__(self, judge: Judge, exercises: list[Exercise], *, include_hidden: bool):
        self.judge = judge
        self.exercises = {e.function: e for e in exercises}
        self.include_hidden = include_hidden
        self.selected: list[tuple[str, Case]] = []
        self.results: dict[tuple[str, str], Verdict] = {}
        # Verdicts by test, this run's only: a test whose check broke before judging
        # finds none here, never the verdict of the submission graded before.
        self.judged: dict[str, Verdict] = {}

    def wants(self, function: str | None, case) -> bool:
        return (function in self.exercises and isinstance(case, Case)
                and (self.include_hidden or not case.hidden))

    def verdict(self, function: str, case: Case) -> Verdict:
        return self.results.get((function, case.name),
                                Verdict("error", "the grader did not run this case"))


class CheckSession:
    """A pytest session over some check modules, collected once, run per submission."""

    def __init__(self, args: list[str]):
        self.current: GradingPlugin | None = None
        self._identified: dict[str, tuple] = {}
        self._plains: dict[str, bool] = {}
        with contextlib.redirect_stdout(io.StringIO()):
            self.config = _prepareconfig(args, plugins=[self])
            try:
                self.session = pytest.Session.from_config(self.config)
                self.config._do_configure()
                self.config.hook.pytest_sessionstart(session=self.session)
                self.config.hook.pytest_collection(session=self.session)
            except BaseException:
                self.config._ensure_unconfigure()
                raise
        # As pytest.main: a module that could not be collected runs nothing.
        self.items = [] if self.session.testsfailed else list(self.session.items)

    def close(self) -> None:
        """End the session as pytest.main would (only a session that is given up)."""
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                self.config.hook.pytest_sessionfinish(session=self.session, exitstatus=0)
            finally:
                self.config._ensure_unconfigure()

    def run(self, plugin: GradingPlugin) -> None:
        """Run the tests ``plugin`` wants, in collection order, into ``plugin``.

        A test that needs nothing but its case and the ``grade`` fixture (every check
        module's, today) is called through pytest's own call hook with those two as its
        arguments; any other runs pytest's whole protocol (fixture set-up, reports,
        teardown). Both end the same way: a verdict from the judge, or, where the check
        itself broke, a failed case that says so. The whole protocol costs about as much
        as a correct submission's cases themselves.
        """
        items = [item for item in self.items if plugin.wants(*self._identify(item))]
        plugin.selected = [self._identify(item) for item in items]
        self.current = plugin
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                for item, following in zip(items, [*items[1:], None]):
                    if self._plain(item):
                        self._call(item, plugin)
                    else:
                        item.ihook.pytest_runtest_protocol(item=item, nextitem=following)
        finally:
            self.current = None

    def _plain(self, item) -> bool:
        """Whether ``item`` asks for its case and this session's own ``grade`` fixture,
        and nothing else (that fixture's only need is ``request``)."""
        if item.nodeid not in self._plains:
            info = getattr(item, "_fixtureinfo", None)
            grade = info.name2fixturedefs.get("grade", ()) if info is not None else ()
            ours = getattr(CheckSession.grade, "__wrapped__", None)  # under pytest's wrapper
            self._plains[item.nodeid] = (
                isinstance(item, pytest.Function) and info is not None and ours is not None
                and set(info.argnames) == {"case", "grade"}
                and set(info.names_closure) <= {"case", "grade", "request"}
                and len(grade) == 1
                and getattr(grade[0].func, "__func__", None) is ours
                and getattr(grade[0].func, "__self__", None) is self)
        return self._plains[item.nodeid]

    def _call(self, item, plugin: GradingPlugin) -> None:
        """Run a plain test: its function, through pytest_pyfunc_call, with its case and
        a grader; a failure that is not the judge's is the grader's, never a pass."""
        function, case = self._identify(item)
        item.funcargs = {"case": case, "grade": self._grader(item)}
        try:
            item.runtest()
        except (pytest.fail.Exception, pytest.skip.Exception, pytest.xfail.Exception):
            pass   # the judge's verdict, if any, is recorded below (as the protocol does)
        except Exception as exc:  # noqa: BLE001 - the check broke: this case fails closed
            verdict = plugin.judged.get(item.nodeid)
            if verdict is None or verdict.passed:
                plugin.results[(function, case.name)] = Verdict("error", clip(
                    f"the grader could not run this case: {type(exc).__name__}: {exc}",
                    400, 3))
        finally:
            item.funcargs = {}
        if item.nodeid in plugin.judged:
            plugin.results.setdefault((function, case.name), plugin.judged[item.nodeid])

    def _grader(self, node):
        plugin = self.current
        function, _ = self._identify(node)
        exercise = plugin.exercises[function]

        def run(case: Case) -> None:
            verdict = plugin.judge.judge(exercise, case)
            plugin.judged[node.nodeid] = verdict
            if not verdict.passed:
                pytest.fail(verdict.message, pytrace=False)

        return run

    def _identify(self, item) -> tuple[str | None, Case | None]:
        if item.nodeid not in self._identified:
            marker = item.get_closest_marker("exercise")
            callspec = getattr(item, "callspec", None)
            case = callspec.params.get("case") if callspec else None
            self._identified[item.nodeid] = (marker.args[0] if marker else None), case
        return self._identified[item.nodeid]

    # -- hooks and the fixture ---------------------------------------------------------
    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "exercise(function): the exercise a test grades")

    @pytest.fixture
    def grade(self, request):
        """Grade one case of the test's exercise; fails the test unless it passed."""
        return self._grader(request.node)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        function, case = self._identify(item)
        plugin = self.current
        if plugin is None or case is None or report.when == "teardown" and report.passed:
            return report
        verdict = plugin.judged.get(item.nodeid)
        if report.failed and (verdict is None or verdict.passed):
            # The check itself broke: fail closed, with the reason.
            verdict = Verdict("error", f"the grader could not run this case: "
                                       f"{report.longreprtext.strip().splitlines()[-1:]}")
        if verdict is not None and (report.failed or report.when == "call"):
            plugin.results.setdefault((function, case.name), verdict)
        return report
