"""The pytest plugin: each selected case ends in the judge's verdict or, where the check
itself broke or never judged, in a failed case that says so, whether a test is called
directly (a plain ``case, grade`` test) or through pytest's whole protocol."""
from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pytest

from autograder.grading import engine
from autograder.grading.judge import Verdict
from autograder.grading.plugin import CheckSession, GradingPlugin

CHECKS = """
    import pytest
    from autograder.checks.kit import call, case, ids

    CASES = [case("good", lambda rng: call(1)), case("bad", lambda rng: call(2))]

    @pytest.fixture
    def extra():
        return 1

    def every_case(function):
        return lambda test: pytest.mark.exercise(function)(
            pytest.mark.parametrize("case", CASES, ids=ids(CASES))(test))

    @every_case("plain")
    def test_plain(case, grade):
        grade(case)

    @every_case("broken")
    def test_broken(case, grade):
        if case.name == "bad":
            raise RuntimeError("the check broke")
        grade(case)

    @every_case("silent")
    def test_silent(case, grade):
        pass

    @every_case("after")
    def test_after(case, grade):
        grade(case)
        raise RuntimeError("broke after judging")

    @every_case("skipped")
    def test_skipped(case, grade):
        if case.name == "good":
            grade(case)
        pytest.skip("no reason")

    @every_case("fixtured")
    def test_fixtured(case, grade, extra):
        grade(case)
"""
FUNCTIONS = ("plain", "broken", "silent", "after", "skipped", "fixtured")


class Judge:
    def judge(self, exercise, case):
        return Verdict("passed") if case.name == "good" else Verdict("failed", "judged wrong")


@pytest.fixture
def session(tmp_path):
    checks = tmp_path / "check_probe.py"
    checks.write_text(textwrap.dedent(CHECKS))
    args = [str(checks), *engine.PYTEST_ARGS]
    args[args.index("--rootdir") + 1] = args[args.index("--confcutdir") + 1] = str(tmp_path)
    session = CheckSession(args)
    yield session
    session.close()


def _verdicts(session) -> dict:
    plugin = GradingPlugin(Judge(), [SimpleNamespace(function=f) for f in FUNCTIONS],
                           include_hidden=True)
    session.run(plugin)
    return {(f, c.name): plugin.verdict(f, c) for f, c in plugin.selected}


def test_each_case_ends_in_the_judges_verdict_or_fails_closed(session):
    plain = {item.name.partition("[")[0]: session._plain(item) for item in session.items}
    assert plain == {f"test_{f}": f != "fixtured" for f in FUNCTIONS}
    verdicts = _verdicts(session)
    outcome = {key: v.outcome for key, v in verdicts.items()}
    assert outcome == {
        ("plain", "good"): "passed", ("plain", "bad"): "failed",
        ("broken", "good"): "passed", ("broken", "bad"): "error",
        ("silent", "good"): "error", ("silent", "bad"): "error",
        ("after", "good"): "error", ("after", "bad"): "failed",
        ("skipped", "good"): "passed", ("skipped", "bad"): "error",
        ("fixtured", "good"): "passed", ("fixtured", "bad"): "failed"}
    assert verdicts[("plain", "bad")].message == "judged wrong"
    assert "could not run this case" in verdicts[("broken", "bad")].message
    assert "could not run this case" in verdicts[("after", "good")].message
    assert verdicts[("silent", "good")].message == "the grader did not run this case"


def test_pytests_whole_protocol_gives_the_same_outcomes(session, monkeypatch):
    direct = {key: v.outcome for key, v in _verdicts(session).items()}
    monkeypatch.setattr(CheckSession, "_plain", lambda self, item: False)
    assert {key: v.outcome for key, v in _verdicts(session).items()} == direct
    assert {key: v.outcome for key, v in _verdicts(session).items()} == direct  # again
