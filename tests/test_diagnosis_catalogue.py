"""The catalogue of known mistakes: how it is read, what it holds, and that the probes
tell its variants apart (all in this process: variants and references are course code)."""
import ast
from pathlib import Path

import pytest

from autograder.checks import FUNCTIONS
from autograder.diagnosis.catalogue import CatalogueError, read_catalogue, read_file, write_variant
from autograder.diagnosis.dependencies import dependencies
from autograder.diagnosis.outcomes import agree, run_trusted
from autograder.diagnosis.probes import probes_of
from autograder.diagnosis.variants import catalogue, variant_function
from autograder.grading.references import References

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"

# Every mistake the issue lists, by its id in the catalogue.
REQUIRED = [
    "softmax/no-max-subtraction", "softmax/max-without-keepdims", "softmax/default-axis-0",
    "softmax/axis-ignored", "softmax/float64-output", "softmax/mutates-input",
    "scaled_dot_product_attention/no-scaling", "scaled_dot_product_attention/divide-by-d_k",
    "scaled_dot_product_attention/softmax-over-queries",
    "scaled_dot_product_attention/mask-after-softmax",
    "scaled_dot_product_attention/mask-polarity-inverted",
    "scaled_dot_product_attention/mask-multiplies-scores",
    "scaled_dot_product_attention/minus-1e9", "scaled_dot_product_attention/k-transpose-2d-only",
    "scaled_dot_product_attention/scores-returned",
    "scaled_dot_product_attention/weights-transposed",
    "causal_mask/diagonal-excluded", "causal_mask/upper-triangle",
    "causal_mask/true-means-blocked",
    "multi_head_attention/split-without-transpose", "multi_head_attention/merge-without-transpose",
    "multi_head_attention/scaled-by-d_model", "multi_head_attention/output-projection-skipped",
    "multi_head_attention/keys-values-from-queries",
    "positional_encoding/sin-cos-swapped", "positional_encoding/halves-concatenated",
    "positional_encoding/exponent-column-index", "positional_encoding/base-ignored",
    "positional_encoding/float32-table",
    "layer_norm/unbiased-variance", "layer_norm/eps-outside-sqrt", "layer_norm/first-axis",
    "layer_norm/gamma-beta-ignored",
    "feed_forward/no-relu", "feed_forward/weights-not-transposed",
    "encoder_block/norm-placement-swapped", "encoder_block/norm-first-ignored",
    "encoder_block/mask-not-passed", "encoder_block/attention-residual-missing",
    "encoder_block/feed-forward-residual-missing", "encoder_block/norm-on-branch",
]


@pytest.fixture(scope="module")
def mistakes():
    return catalogue(str(SOLUTIONS))


@pytest.fixture(scope="module")
def references():
    return References(SOLUTIONS, FUNCTIONS)


def test_the_catalogue_holds_every_mistake_the_issue_lists(mistakes):
    keys = {m.key for m in mistakes}
    assert [k for k in REQUIRED if k not in keys] == []


def test_every_exercise_has_catalogued_mistakes_each_with_a_hint(mistakes):
    assert {m.function for m in mistakes} == set(FUNCTIONS)
    for m in mistakes:
        assert m.file == FUNCTIONS[m.function]
        assert len(m.hint) > 30, m.key


def test_a_variant_submission_replaces_only_its_own_function(tmp_path, mistakes):
    mistake = next(m for m in mistakes if m.key == "scaled_dot_product_attention/no-scaling")
    folder = write_variant(mistake, SOLUTIONS, tmp_path)
    for name in ("softmax.py", "positional_encoding.py", "encoder.py", "answers.yaml"):
        assert (folder / name).read_bytes() == (SOLUTIONS / name).read_bytes()
    text = (folder / "attention.py").read_text()
    assert text.startswith((SOLUTIONS / "attention.py").read_text())
    tree = ast.parse(text)
    last = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)][-1]
    assert last == "scaled_dot_product_attention"       # the variant, renamed, comes last
    assert "def _weights(" in text                         # with the helper it uses
    assert "def _project(" not in text                     # and no other helper


def test_a_variant_of_softmax_reaches_everything_that_calls_softmax(tmp_path, mistakes):
    mistake = next(m for m in mistakes if m.key == "softmax/no-max-subtraction")
    graph = dependencies(write_variant(mistake, SOLUTIONS, tmp_path))
    assert {f for f, called in graph.items() if "softmax" in called} == {
        "scaled_dot_product_attention", "multi_head_attention", "encoder_block",
        "sentence_embedding"}


def _catalogue_file(tmp_path, name, body):
    folder = tmp_path / "mistakes"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("import numpy as np\n\n\n" + body)
    return path


def test_a_decorator_without_literal_strings_is_reported_with_its_line(tmp_path):
    path = _catalogue_file(tmp_path, "softmax.py", (
        "HINT = 'x'\n\n\n@mistake('softmax', 'bad', hint=HINT)\ndef bad(x, axis=-1):\n"
        "    return x\n"))
    with pytest.raises(CatalogueError, match=r"softmax\.py:7: write @mistake"):
        read_file(path)


def test_a_mistake_filed_under_another_exercise_file_is_refused(tmp_path):
    path = _catalogue_file(tmp_path, "softmax.py", (
        "@mistake('layer_norm', 'x', hint='some hint')\ndef bad(x, gamma, beta, eps=1e-5):\n"
        "    return x\n"))
    with pytest.raises(CatalogueError, match="'layer_norm' is not an exercise of softmax.py"):
        read_file(path)


def test_a_mistake_catalogued_twice_is_refused(tmp_path):
    body = ("@mistake('softmax', 'same', hint='some hint')\ndef a(x, axis=-1):\n    return x\n\n\n"
            "@mistake('softmax', 'same', hint='other hint')\ndef b(x, axis=-1):\n    return x\n")
    _catalogue_file(tmp_path, "softmax.py", body)
    with pytest.raises(CatalogueError, match="softmax/same is catalogued twice"):
        read_catalogue(tmp_path)


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_the_probes_tell_each_variant_from_the_reference_and_from_the_others(
        function, mistakes, references):
    probes = probes_of(function)
    reference = [run_trusted(references[function], p.call) for p in probes]
    behaviour = {m.key: [run_trusted(variant_function(SOLUTIONS, m, function), p.call)
                         for p in probes]
                 for m in mistakes if m.function == function}
    assert [k for k, b in behaviour.items() if all(map(agree, b, reference))] == []
    keys = list(behaviour)
    alike = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
             if all(map(agree, behaviour[a], behaviour[b]))]
    assert alike == []


def test_the_references_pass_their_own_probes_without_raising_unexpectedly(references):
    for function in FUNCTIONS:
        for probe in probes_of(function):
            result = run_trusted(references[function], probe.call)
            assert (result.error if result.kind == "raises" else "") == probe.raises, (
                function, probe.name)


def test_a_softmax_variant_is_what_the_variants_attention_calls():
    mistake = next(m for m in catalogue(str(SOLUTIONS)) if m.function == "softmax")
    attention = variant_function(SOLUTIONS, mistake, "scaled_dot_product_attention")
    assert attention.__globals__["softmax"] is variant_function(SOLUTIONS, mistake, "softmax")
    reference = References(SOLUTIONS, FUNCTIONS)["scaled_dot_product_attention"]
    probes = probes_of("scaled_dot_product_attention")
    assert not all(agree(run_trusted(attention, p.call), run_trusted(reference, p.call))
                   for p in probes)
