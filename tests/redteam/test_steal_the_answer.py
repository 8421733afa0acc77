"""Attacks that look for the reference or the expected values. Each finds nothing, so
the attacked function scores what its fallback (zeros) earns: nothing."""
from harness import assert_honest, attack, redteam_course  # noqa: F401


def test_reading_the_reference_by_walking_up_from_the_working_folder(attack):
    assert_honest(attack({"positional_encoding": "reference_walk_up.py"}),
                  {"positional_encoding": 0}, ran=True)


def test_importing_the_reference_through_the_grading_process_in_proc(attack):
    assert_honest(attack({"positional_encoding": "reference_parent_cwd.py"}),
                  {"positional_encoding": 0}, ran=True)


def test_reading_the_reference_next_to_the_installed_package(attack):
    assert_honest(attack({"positional_encoding": "reference_package_location.py"}),
                  {"positional_encoding": 0}, ran=True)


def test_finding_the_reference_in_memory(attack):
    assert_honest(attack({"positional_encoding": "reference_in_memory.py"}),
                  {"positional_encoding": 0}, ran=True)


def test_reading_expected_values_from_the_callers_frames(attack):
    assert_honest(attack({"positional_encoding": "caller_frames.py"}),
                  {"positional_encoding": 0}, ran=True)
