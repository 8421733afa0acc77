"""The capstone's grading on the real model: the weights stay out of the pipe and out of
reach, the hidden sentences stay out of the student release, and the explorer runs a
submission's own functions (a wrong softmax shows on its page)."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import model as model_checks
from autograder.course.loader import load_course
from autograder.explorer.attention import ExploreError, explore
from autograder.integrations.release import strip_hidden
from autograder.model import MODEL, checkpoint, layer, resolve, weights
from autograder.sandbox import _ag_protocol as protocol
from conftest import run_autograder

ROOT = Path(__file__).resolve().parent.parent
ANIMAL = "The animal did not cross the street because it was too tired"
WRONG_SOFTMAX = ("import numpy as np\n\n\ndef softmax(x, axis=-1):\n"
                 "    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
                 "    return e / e.max(axis=axis, keepdims=True)   # not the sum\n")


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "course.yaml")


def test_a_capstone_case_sends_a_name_not_the_90_mb_of_weights():
    (case, *_) = model_checks.SENTENCE_CASES
    message = protocol.encode(list(case.make(case.rng("sentence_embedding", 0)).args))
    assert len(message) < 10_000
    assert protocol.decode(message)[2] == MODEL          # the worker resolves it by name
    assert sum(a.nbytes for a in weights()["embeddings"].values()) > 45_000_000


def test_the_mapping_gives_the_contract_keys_and_shapes():
    w = resolve(MODEL)
    assert w["num_heads"] == 12 and len(w["layers"]) == 6
    assert w["embeddings"]["word"].shape == (30522, 384)
    assert w["embeddings"]["position"].shape == (512, 384)
    assert set(w["layers"][0]) == set(checkpoint.LAYER)
    assert w["layers"][0]["w_1"].shape == (1536, 384) and w["layers"][0]["w_2"].shape == (384, 1536)
    assert resolve(layer(3))["w_q"] is w["layers"][3]["w_q"]


def test_the_weights_cannot_be_made_writeable_by_code_that_is_handed_them():
    word = weights()["embeddings"]["word"]
    with pytest.raises(ValueError):
        word[0, 0] = 1.0
    with pytest.raises(ValueError):
        word.flags.writeable = True


def test_the_hidden_sentences_are_not_in_the_student_release():
    released = strip_hidden(Path(model_checks.__file__).read_text(), "model.py")
    pool = model_checks._hidden_sentences()
    assert len(pool) >= 8
    assert not [s for s in pool if s in released]
    assert "the animal sentence" in released                # the public cases stay


def test_a_sentence_embedding_that_mutates_its_inputs_cannot_pass(course, tmp_path):
    from autograder.grading.engine import grade

    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, tmp_path / path.name)
    with open(tmp_path / "model.py", "a") as file:
        file.write("\n\n_reference = sentence_embedding\n\n\n"
                   "def sentence_embedding(token_ids, attention_mask, weights):\n"
                   "    weights['embeddings']['word'].flags.writeable = True\n"
                   "    return _reference(token_ids, attention_mask, weights)\n")
    report = grade(course, tmp_path, assignments=["capstone"])
    (exercise,) = [e for a in report.assignments for e in a.exercises
                   if e.id == "sentence_embedding"]
    assert exercise.score == 0
    assert all("ValueError" in c.message for c in exercise.cases)


def test_explore_runs_the_submissions_own_softmax_and_the_page_shows_it(course, tmp_path):
    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "softmax.py").write_text(WRONG_SOFTMAX)
    theirs = explore(course, tmp_path, [ANIMAL])
    ours = explore(course, None, [ANIMAL])
    assert "submission" in theirs.source and "reference" in ours.source
    assert theirs.sentences[0].tokens == ours.sentences[0].tokens
    assert ours.sentences[0].weights.shape == (6, 12, 14, 14)
    np.testing.assert_allclose(ours.sentences[0].weights.sum(axis=-1), 1, atol=1e-5)
    # Divided by the maximum instead of the sum: each row's largest weight is 1.
    np.testing.assert_allclose(theirs.sentences[0].weights.max(axis=-1), 1, atol=1e-6)
    assert np.abs(theirs.sentences[0].weights - ours.sentences[0].weights).max() > 0.5


def test_explore_says_why_when_the_submission_cannot_run(course):
    with pytest.raises(ExploreError, match="embed .*NotImplementedError"):
        explore(course, ROOT / "exercises", [ANIMAL])


def test_the_explore_command_writes_a_page_and_fails_with_a_reason(tmp_path):
    page = tmp_path / "page.html"
    result = run_autograder("explore", "--sentence", "It was empty.", "--output", page)
    assert result.returncode == 0 and page.read_text().startswith("<!DOCTYPE html>")
    assert "http" not in page.read_text().replace("http-equiv", "")   # nothing to fetch
    missing = run_autograder("explore", tmp_path / "nowhere", "--output", tmp_path / "x.html")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


@pytest.fixture(scope="module")
def ref():
    from autograder.grading.references import load_modules

    return load_modules(ROOT / "solutions", ["softmax", "attention", "encoder", "embedding",
                                             "model"])


def tables(vocab=5, max_len=4, d=4, dtype=np.float32):
    rng = np.random.default_rng(0)
    return {"word": rng.normal(size=(vocab, d)).astype(dtype),
            "position": rng.normal(size=(max_len, d)).astype(dtype),
            "token_type": rng.normal(size=(2, d)).astype(dtype),
            "ln_gamma": np.ones(d, dtype), "ln_beta": np.zeros(d, dtype)}


@pytest.mark.parametrize("ids", [[0, 5], [-1, 2], [0, 1, 2, 3, 4]],
                         ids=["id = vocab", "negative id", "L > max_len"])
def test_embed_refuses_ids_it_has_no_row_for(ref, ids):
    with pytest.raises(ValueError):
        ref["embedding"].embed(np.array(ids), tables())


def test_the_capstone_references_keep_dtypes_and_never_write_their_inputs(ref):
    x = np.linspace(-3, 3, 7).astype(np.float32)
    x.flags.writeable = False
    assert ref["encoder"].gelu(x).dtype == np.float32
    assert ref["encoder"].gelu(x.astype(np.float64)).dtype == np.float64
    assert ref["embedding"].embed(np.array([[1, 2]]), tables(dtype=np.float64)).dtype == np.float64
    ids, mask = np.array([[1, 5, 2, 0]]), np.array([[1, 1, 1, 0]])
    for a in (ids, mask):
        a.flags.writeable = False
    s = ref["model"].sentence_embedding(ids, mask, weights())
    assert s.dtype == np.float32 and s.shape == (1, 384)
    np.testing.assert_allclose(np.linalg.norm(s, axis=1), 1, atol=1e-6)


def test_feed_forward_refuses_an_unknown_activation(ref):
    with pytest.raises(ValueError):
        ref["encoder"].feed_forward(np.ones((1, 2)), np.eye(2), np.zeros(2), np.eye(2),
                                    np.zeros(2), activation="tanh")
