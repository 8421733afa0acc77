"""Attacks on everything outside the worker: processes that outlive it, a report or
files of its own, the course and the grader's code, the grading process itself. The
harness checks after each that nothing of it is left and nothing was changed."""
from harness import assert_honest, attack, redteam_course  # noqa: F401


def test_spawning_a_process_in_a_new_session_that_would_outlive_the_worker(attack):
    assert_honest(attack({"positional_encoding": "spawn_detached.py"}),
                  {"positional_encoding": 0}, ran=True)


def test_printing_a_fake_report_and_writing_results_json_wherever_it_can(attack):
    graded = attack({"positional_encoding": "fake_report.py"})
    assert_honest(graded, {})  # the functions are the references: full marks, honestly
    assert graded.marker in graded.report["output"]  # the print is the student's output


def test_appending_to_course_yaml_and_the_graders_own_files(attack):
    assert_honest(attack({"softmax": "tamper_course.py"}), {})


def test_killing_the_grading_process(attack):
    assert_honest(attack({"positional_encoding": "kill_grader.py"}),
                  {"positional_encoding": 0}, ran=True)
