"""Grading a submission: full marks for the references, 0 for the stubs, and bad input
that costs only what it touches, with a reason a student can act on."""
from __future__ import annotations

import hashlib
import json

import pytest

from autograder.checks import FUNCTIONS, cases_of
from autograder.course.loader import load_course
from autograder.grading.engine import grade
from conftest import EXERCISES, ROOT, SOLUTIONS, exercises_of, grade_json, run_autograder

IDENTITY_SOFTMAX = "def softmax(x, axis=-1):\n    return x + 0\n"


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


def _exercises(report) -> dict:
    return {e.id: e for a in report.assignments for e in a.exercises}


def test_references_get_full_marks_through_the_cli():
    report = grade_json(SOLUTIONS)
    assert report["score"] == report["max_score"] == 132
    assert all(e["status"] == "passed" and e["feedback"] == []
               for e in exercises_of(report).values())
    assert all(q["score"] == q["max_score"] for a in report["assignments"]
               for q in a["questions"])


def test_stubs_score_zero_on_every_exercise_and_exit_0():
    result = run_autograder("grade", EXERCISES, "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["score"] == 0
    for exercise in exercises_of(report).values():
        assert exercise["score"] == 0 and exercise["status"] == "error"
        assert "not written yet" in exercise["feedback"][0]


def test_every_function_has_at_least_8_cases_public_and_hidden():
    for function in FUNCTIONS:
        cases = cases_of(function)
        assert len(cases) >= 8, function
        assert any(c.hidden for c in cases) and any(not c.hidden for c in cases), function


def test_same_seed_same_report_other_seed_other_hidden_inputs(course, submission):
    folder = submission(replace={"softmax.py": IDENTITY_SOFTMAX})

    def messages(seed):
        report = grade(course, folder, assignments=["foundations"], seed=seed)
        return {c.name: (c.hidden, c.message) for c in _exercises(report)["softmax"].cases}

    first, again, other = messages(1), messages(1), messages(2)
    assert first == again
    hidden = [n for n, (h, _) in first.items() if h]
    public = [n for n, (h, _) in first.items() if not h]
    assert any(first[n] != other[n] for n in hidden)
    assert all(first[n] == other[n] for n in public)


def test_partial_credit_is_the_sum_of_passed_cases(course, submission):
    folder = submission(replace={"softmax.py": IDENTITY_SOFTMAX})
    softmax = _exercises(grade(course, folder, assignments=["foundations"]))["softmax"]
    earned = sum(c.max_score for c in softmax.cases if c.passed)
    assert softmax.status == "failed" and softmax.score == pytest.approx(earned)
    assert sum(c.max_score for c in softmax.cases) == pytest.approx(10)


def test_missing_file_is_missing_and_the_rest_is_graded(course, submission):
    folder = submission(drop=("encoder.py",))
    exercises = _exercises(grade(course, folder))
    for function in ("layer_norm", "feed_forward", "encoder_block"):
        assert exercises[function].status == "missing" and exercises[function].score == 0
        assert exercises[function].feedback == ["encoder.py is missing from your submission"]
    assert exercises["multi_head_attention"].status == "passed"


def test_missing_function_names_it(course, submission):
    text = (SOLUTIONS / "attention.py").read_text().replace("def causal_mask(", "def mask_(")
    exercises = _exercises(grade(course, submission(replace={"attention.py": text}),
                                 assignments=["attention"]))
    assert exercises["causal_mask"].status == "missing"
    assert exercises["causal_mask"].feedback == ["attention.py has no function causal_mask"]
    assert exercises["scaled_dot_product_attention"].status == "passed"


def test_syntax_error_names_file_and_line(course, submission):
    folder = submission(replace={"softmax.py": "import numpy as np\n\ndef softmax(x, axis=-1)\n"
                                               "    return x\n"})
    report = grade(course, folder, assignments=["foundations"])
    softmax = _exercises(report)["softmax"]
    assert softmax.status == "error" and softmax.score == 0
    assert softmax.feedback[0].startswith("softmax.py has a syntax error:")
    assert "(softmax.py, line 3)" in softmax.feedback[0]
    assert _exercises(report)["positional_encoding"].status == "passed"


def test_an_exception_costs_its_case_with_the_students_traceback(course, submission):
    text = ("def softmax(x, axis=-1):\n    return helper(x)\n\n"
            "def helper(x):\n    raise RuntimeError('boom')\n")
    softmax = _exercises(grade(course, submission(replace={"softmax.py": text}),
                               assignments=["foundations"]))["softmax"]
    message = softmax.cases[0].message
    assert message.startswith("raised RuntimeError: boom")
    assert "softmax.py, line 5, in helper" in message and "worker.py" not in message


def test_a_crash_costs_only_the_cases_it_touched(course, submission):
    text = (SOLUTIONS / "attention.py").read_text() + (
        "\n\ndef causal_mask(lq, lk=None):\n    import os\n    os._exit(3)\n")
    exercises = _exercises(grade(course, submission(replace={"attention.py": text}),
                                 assignments=["attention"]))
    assert exercises["causal_mask"].score == 0 and exercises["causal_mask"].status == "error"
    assert "exited with code 3" in exercises["causal_mask"].cases[0].message
    assert exercises["scaled_dot_product_attention"].status == "passed"
    assert exercises["multi_head_attention"].status == "passed"


def _without_time(text: str) -> dict:
    report = json.loads(text)
    report.pop("execution_time")
    return report


def test_a_process_grades_the_same_submission_the_same_every_time(course, submission):
    """A process keeps its checks collected, its references and its fork server from one
    submission to the next (a batch's pool process): nothing of one submission's run may
    reach the next one's report, and each report is the one a fresh process writes."""
    from autograder.reports import render

    wrong = submission("wrong", replace={"softmax.py": IDENTITY_SOFTMAX})
    crash = submission("crash", replace={"softmax.py": (
        "def softmax(x, axis=-1):\n    import os\n    os._exit(3)\n")})
    order = [wrong, crash, SOLUTIONS, wrong, crash]
    reports = [_without_time(render("json", grade(course, folder, assignments=["foundations"]),
                                    course)) for folder in order]
    assert reports[0] == reports[3] and reports[1] == reports[4]
    assert reports[2]["score"] == reports[2]["max_score"] > reports[0]["score"]
    assert reports[1] != reports[0]     # the crash says so in its messages
    fresh = run_autograder("grade", wrong, "--assignment", "foundations", "--format", "json",
                           check=True)
    assert _without_time(fresh.stdout) == reports[0]


def test_malformed_answers_score_the_questions_0_but_grade_the_exercises(course, submission):
    report = grade(course, submission(answers="attention-role: [b\n"))
    assert all(q.score == 0 for a in report.assignments for q in a.questions)
    assert all(e.status == "passed" for e in _exercises(report).values())
    assert any(w.startswith("answers.yaml could not be read") and "answers.yaml:1:" in w
               for w in report.warnings)


def test_unknown_question_id_is_a_warning(course, submission):
    answers = (SOLUTIONS / "answers.yaml").read_text() + "\nno-such-question: a\n"
    report = grade(course, submission(answers=answers))
    assert report.score == report.max_score
    assert any("unknown question id 'no-such-question' is ignored" in w for w in report.warnings)


def test_wrongly_shaped_answer_scores_0_with_the_reason(course, submission):
    answers = (SOLUTIONS / "answers.yaml").read_text().replace(
        "long-range-vs-rnn:", "long-range-vs-rnn: b\nold-long-range-vs-rnn:")
    report = grade(course, submission(answers=answers), assignments=["encoder"])
    question = {q.id: q for q in report.assignments[0].questions}["long-range-vs-rnn"]
    assert question.score == 0 and "expects a list of choice ids" in question.message


def test_one_file_can_be_graded_alone(course):
    report = grade(course, SOLUTIONS / "softmax.py", assignments=["foundations"])
    exercises = _exercises(report)
    assert exercises["softmax"].status == "passed"
    assert exercises["positional_encoding"].status == "missing"


def test_no_such_path_exits_2_with_one_line():
    result = run_autograder("grade", ROOT / "no-such-folder")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "no such file or folder" in result.stderr


def test_unknown_assignment_exits_2():
    result = run_autograder("grade", SOLUTIONS, "--assignment", "nope")
    assert result.returncode == 2 and "no assignment 'nope'" in result.stderr


def test_assignment_filter_grades_only_that_assignment():
    report = grade_json(SOLUTIONS, "--assignment", "encoder")
    assert [a["id"] for a in report["assignments"]] == ["encoder"]
    assert report["max_score"] == 34


def _tree_digest(folder) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_grading_a_submission_that_writes_files_changes_nothing(course_copy, submission):
    text = ("import os\nopen('results.json', 'w').write('{\"score\": 100}')\n"
            + (SOLUTIONS / "softmax.py").read_text())
    folder = submission(replace={"softmax.py": text})
    before_course, before_sub = _tree_digest(course_copy), _tree_digest(folder)
    report = grade_json(folder, course=course_copy)
    assert report["score"] == report["max_score"]
    assert _tree_digest(course_copy) == before_course
    assert _tree_digest(folder) == before_sub and not (folder / "results.json").exists()


def test_check_runs_public_cases_only_without_solutions(course_copy):
    import shutil

    shutil.rmtree(course_copy / "solutions")
    result = run_autograder("check", "--format", "json", cwd=course_copy, check=True)
    report = json.loads(result.stdout)
    assert report["mode"] == "check" and report["score"] == 0
    cases = [c for e in exercises_of(report).values() for c in e["cases"]]
    assert cases and not any(c["hidden"] for c in cases)
    text = run_autograder("check", cwd=course_copy, check=True).stdout
    assert "0/6 answered (scored when graded)" in text


def test_check_of_the_references_passes_every_public_case(course):
    report = grade(course, SOLUTIONS, mode="check")
    assert report.score == report.max_score == sum(e.points for e in course.exercises)


def test_an_exercise_whose_checks_did_not_run_scores_0_with_the_reason(course, monkeypatch):
    from autograder.grading import engine

    monkeypatch.setattr(engine, "PYTEST_ARGS", [*engine.PYTEST_ARGS, "--no-such-option"])
    report = grade(course, SOLUTIONS, assignments=["foundations"])
    softmax = _exercises(report)["softmax"]
    assert softmax.score == 0 and softmax.status == "error"
    assert softmax.feedback == ["the grader could not run the checks of this exercise, so it "
                                "scores 0 for now: please tell the course staff"]


def test_a_reference_that_fails_beside_the_students_call_fails_its_case_closed(
        course, monkeypatch):
    """A hidden case's reference runs while the worker runs the student's function: if
    it raises, that case scores 0 with the grader's reason (never the student's
    result), and the worker, whose reply is still read, grades the other cases."""
    from autograder.grading import public

    real = public.expected_of

    def broken(function, call):
        if function.__name__ == "softmax":
            raise RuntimeError("the reference broke")
        return real(function, call)

    monkeypatch.setattr(public, "expected_of", broken)
    report = grade(course, SOLUTIONS, assignments=["foundations"], seed=424242)
    cases = {c.name: c for e in report.assignments[0].exercises if e.id == "softmax"
             for c in e.cases}
    hidden = [c for c in cases.values() if c.hidden]
    assert hidden and all(not c.passed for c in hidden)
    assert all("the grader could not run this case" in c.message
               and "RuntimeError" in c.message for c in hidden)
    assert all(c.passed for c in cases.values() if not c.hidden)
    others = [e for e in report.assignments[0].exercises if e.id != "softmax"]
    assert others and all(e.score == e.max_score for e in others)
