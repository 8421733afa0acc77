"""course.yaml is loaded strictly: each problem is reported as file:line: what is wrong."""
from __future__ import annotations

import pytest

from autograder.course.loader import load_course
from autograder.course.yamlsource import YamlError
from conftest import ROOT, run_autograder


def _break(course_dir, old: str, new: str, file: str = "course.yaml") -> int:
    """Replace ``old`` by ``new`` (once) in the course copy; return the line of ``new``."""
    path = course_dir / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {file}"
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    return line


def _problems(course_dir) -> list[str]:
    with pytest.raises(YamlError) as caught:
        load_course(course_dir / "course.yaml")
    return [f"{p.line}: {p.message}" for p in caught.value.problems]


def test_the_shipped_course_validates():
    result = run_autograder("validate")
    assert result.returncode == 0, result.stdout
    assert "4 assignments, 11 exercises" in result.stdout


def test_every_problem_is_listed_by_validate_with_file_and_line(course_copy):
    unknown = _break(course_copy, "  hidden_visibility: after_due_date",
                     "  hidden_visibility: after_due_date\n  colour: blue") + 1
    points = _break(course_copy, "file: softmax.py, points: 10", "file: softmax.py, points: 0")
    result = run_autograder("validate", "--course", course_copy / "course.yaml")
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert any(l.endswith(f"course.yaml:{unknown}: unknown key 'colour' in grading "
                          "(allowed: hidden_visibility, limits, multiple_choice_scoring, "
                          "question_visibility, seed, tolerances)")
               for l in lines), lines
    assert any(f"course.yaml:{points}:" in l and "points" in l for l in lines), lines


def test_unknown_key_names_its_line(course_copy):
    line = _break(course_copy, "  - id: encoder\n", "  - id: encoder\n    weight: 3\n") + 1
    assert _problems(course_copy) == [
        f"{line}: unknown key 'weight' in assignments.2 (allowed: exercises, id, questions, title)"]


def test_duplicate_question_id_names_the_second_occurrence(course_copy):
    first = _break(course_copy, "      - id: why-scale\n", "      - id: qkv-roles\n")
    problems = _problems(course_copy)
    assert any(p.startswith(f"{first}: duplicate question id 'qkv-roles' (first on line")
               for p in problems), problems


def test_duplicate_assignment_id(course_copy):
    line = _break(course_copy, "  - id: encoder\n", "  - id: attention\n")
    assert f"{line}: duplicate assignment id 'attention' (first on line 118)" in \
        _problems(course_copy)


def test_non_positive_points(course_copy):
    line = _break(course_copy, "file: attention.py, points: 5", "file: attention.py, points: -5")
    problems = _problems(course_copy)
    assert any(p.startswith(f"{line}: assignments.1.exercises.1.points: -5 is less than or "
                            "equal to the minimum of 0") for p in problems), problems


def test_function_missing_from_solutions(course_copy):
    line = _break(course_copy, "{function: layer_norm,", "{function: layer_norm,")
    source = course_copy / "solutions" / "encoder.py"
    source.write_text(source.read_text().replace("def layer_norm(", "def layer_normalise("))
    problems = _problems(course_copy)
    assert f"{line}: solutions/encoder.py defines no function 'layer_norm'" in problems


def test_question_missing_from_the_answer_key(course_copy):
    key = course_copy / "solutions" / "answers.yaml"
    key.write_text("\n".join(l for l in key.read_text().splitlines()
                             if not l.startswith("why-multi-head:")))
    line = _break(course_copy, "      - id: why-multi-head\n", "      - id: why-multi-head\n")
    assert _problems(course_copy) == [
        f"{line}: question 'why-multi-head' has no answer in solutions/answers.yaml"]


def test_answer_key_naming_a_missing_choice(course_copy):
    line = _break(course_copy, "why-multi-head: b", "why-multi-head: z",
                  file="solutions/answers.yaml")
    problems = _problems(course_copy)
    assert any(p.startswith(f"{line}: key for 'why-multi-head' 'z' is not one of the choices")
               for p in problems), problems


def test_duplicate_yaml_key(course_copy):
    line = _break(course_copy, "  seed: 20261122\n", "  seed: 20261122\n  seed: 7\n") + 1
    assert _problems(course_copy) == [f"{line}: duplicate key 'seed' (first on line {line - 1})"]


def test_yaml_syntax_error(course_copy):
    line = _break(course_copy, "  title: Attention and Transformers, from the inside",
                  "  title: [unclosed")
    problems = _problems(course_copy)
    assert len(problems) == 1 and problems[0].startswith(f"{line}: not valid YAML")


def test_function_in_the_wrong_file(course_copy):
    line = _break(course_copy, "file: softmax.py, points", "file: attention.py, points")
    assert f"{line}: softmax belongs in 'softmax.py', not 'attention.py'" in \
        _problems(course_copy)


def test_numeric_question_without_tolerance(course_copy):
    text = (course_copy / "course.yaml").read_text()
    start = text.index("      - id: causal-mask-count")
    tol = text.index("        tolerance:", start)
    end = text.index("\n", tol) + 1
    (course_copy / "course.yaml").write_text(text[:tol] + text[end:])
    line = text[:start].count("\n") + 1
    assert f"{line}: a numeric question needs 'tolerance'" in _problems(course_copy)


def test_grade_with_a_broken_course_exits_2_with_one_line(course_copy):
    _break(course_copy, "  seed: 20261122\n", "  seed: -1\n")
    result = run_autograder("grade", ROOT / "solutions", "--course", course_copy / "course.yaml")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "course.yaml:" in result.stderr and "seed" in result.stderr
