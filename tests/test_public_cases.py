"""The shipped public cases match what the checks and references produce today."""
from autograder.course.loader import load_course
from autograder.grading import public
from conftest import ROOT


def test_public_cases_are_up_to_date():
    course = load_course(ROOT / "course.yaml")
    fresh = public.regenerate(course, write_files=False)
    for function, cases in fresh.items():
        stored = public.read(course.public_cases, function)
        assert set(stored) == set(cases), (
            f"public/{function}.cases is stale: run `autograder regenerate`")
        for name, built in cases.items():
            call, (kind, value) = stored[name]
            assert public.same(list(call.args), built["args"]), (function, name)
            assert public.same(call.kwargs, built["kwargs"]), (function, name)
            assert {kind: value}.keys() == built["expected"].keys(), (function, name)
            assert public.same(value, built["expected"][kind]), (
                f"public/{function}.cases, case {name!r}: expected output is stale; "
                "run `autograder regenerate`")


def test_a_changed_expected_output_is_detected_as_stale(tmp_path):
    course = load_course(ROOT / "course.yaml")
    built = public.regenerate(course, write_files=False)["softmax"]
    name = next(iter(built))
    changed = dict(built[name]["expected"])
    changed["value"] = changed["value"] + 1e-6
    assert not public.same(changed["value"], built[name]["expected"]["value"])


def test_last_bit_differences_of_another_cpu_are_not_stale():
    # What regenerating on another machine gives: sin(k*pi) a few 1e-17 off an exact
    # 0, float32 results an ulp apart. Neither is a changed case.
    import numpy as np

    table = np.sin(np.arange(2048.0)[:, None] * np.array([1.0, np.pi]))
    moved = table + 6e-14 * (table == table)
    assert public.same(table, moved)
    f32 = np.linspace(-3, 3, 50, dtype=np.float32)
    assert public.same(f32, np.nextafter(f32, np.float32(np.inf)))
    assert not public.same(table, table + 1e-9)
    assert not public.same(f32, f32 + np.float32(1e-4))
