"""Mutation testing of the checks: the mutants are made from whatever solutions/ holds,
each is a real change, and the staff command grades them and judges their hints. The
full run (`autograder mutants`, a few minutes) is a command staff repeat, not a test."""
import ast
from pathlib import Path

from autograder.checks import FUNCTIONS
from autograder.cli import main
from autograder.mutation.operators import mutants, mutants_of_file
from autograder.mutation.run import equivalents

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


def test_every_function_of_solutions_is_mutated_and_every_mutant_is_a_real_change():
    made = mutants(SOLUTIONS)
    assert set(FUNCTIONS) <= {m.function for m in made}
    for m in made:
        original = ast.unparse(ast.parse((SOLUTIONS / m.file).read_text(encoding="utf-8")))
        assert m.source.strip() != original.strip(), m.key
        ast.parse(m.source)
    assert len({m.key for m in made}) == len(made)


def test_a_function_added_to_solutions_is_mutated_too(tmp_path):
    path = tmp_path / "extra.py"
    path.write_text("import numpy as np\n\n\ndef gelu(x):\n"
                    "    return 0.5 * x * (1 + np.tanh(x))\n", encoding="utf-8")
    made = mutants_of_file(path)
    assert {m.function for m in made} == {"gelu"}
    assert {"swapped operator", "dropped term", "changed constant"} <= {m.operator for m in made}


def test_every_documented_equivalent_names_a_mutant_that_is_made():
    keys = {m.key for m in mutants(SOLUTIONS)}
    assert set(equivalents(SOLUTIONS)) - keys == set()


def test_the_mutants_command_grades_and_reports_per_function(capsys):
    status = main(["mutants", "--course", str(ROOT / "course.yaml"), "--function", "causal_mask"])
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.startswith("causal_mask"))
    made, killed, public, equivalent, surviving = map(int, row[1:6])
    assert made == killed + equivalent + surviving and made >= 5
    assert surviving == 0 and status == 0
    assert "MISLEADING" not in out


# Mutants that once drew a hint naming a mistake they do not make: an exponent shifted
# the wrong way named "no max subtraction", a default axis of -2 named "default axis 0",
# a head split on the wrong axes got softmax's keepdims hints through encoder_block
# because both raised the same ValueError, and a gelu giving float64 had its
# encoder_block blamed on attention's float64 scale (an exercise the run did not grade).
# And mutants that once survived: gelu on a 0-d array, layer-norm eps 1e-12 doubled.
ONCE_MISLEAD = [
    "softmax: e = np.exp(x - m) -> e = np.exp(x + m)",
    "softmax: def softmax(x, axis=-1): -> def softmax(x, axis=-2):",
    "multi_head_attention: return y.reshape(*y.shape[:-1], num_heads, d_h).swapaxes(-2, -3)"
    " -> return y.reshape(*y.shape[:-1], num_heads, d_h).swapaxes(-1, -3)",
    "gelu: return tail.reshape(x.shape) -> return tail.reshape(x.shape).astype(np.float64)",
    "gelu: flat = x.reshape(-1) -> flat = x",
    "sentence_embedding: eps = 1e-12 -> eps = 2e-12",
]


def test_mutants_that_once_got_a_wrong_name_are_killed_and_not_misled():
    from autograder.course.loader import load_course
    from autograder.mutation.run import grade_mutant

    course = load_course(ROOT / "course.yaml")
    chosen = [m for m in mutants(SOLUTIONS) if m.key in ONCE_MISLEAD]
    assert len(chosen) == len(ONCE_MISLEAD)
    grades = [grade_mutant(course, m, {}) for m in chosen]
    assert [(g.mutant.key, g.verdict, g.misleading) for g in grades
            if g.verdict != "killed" or g.misleading] == []
