"""Checks for ``model.py``: the student's ``sentence_embedding`` runs the real
all-MiniLM-L6-v2 on real sentences and must give the reference's vectors.

The weights never cross the pipe: the call carries the marker ``MODEL`` and the worker
reads the installed checkpoint itself (``autograder/model``). Public sentences are the
lessons' own; hidden ones are drawn from a list that lives only in the hidden cases (a
student release cuts them out, see ``integrations/release.py``). Batches mix lengths,
so padding shows: a padded key that is attended to, or a padded position that enters
the mean, changes every vector.
"""
import numpy as np
import pytest

from ..model import MODEL
from ..model.tokens import encode
from .attention import attention_params
from .embedding import tables
from .encoder import ffn_params
from .kit import call, case, ids

ANIMAL = "The animal did not cross the street because it was too tired"
JACKET = ("I put the jacket in the suitcase because it was cold.",
          "I put the jacket in the suitcase because it was empty.")


def sentences(texts):
    batch = encode(list(texts))
    return call(batch.ids, batch.mask, MODEL)


def tiny_model(rng, scale=1.0, layers=2, d_model=8, d_ff=12, vocab=9):
    """A random model in the shape of ``weights`` (float32), small enough to cross the
    pipe; ``scale`` shrinks every value (gammas too), so the input of every layer norm
    has a variance near eps and eps 1e-12 differs from 1e-5."""
    def layer():
        p = attention_params(rng, d_model) | ffn_params(rng, d_model, d_ff)
        for n in (1, 2):
            p[f"ln{n}_gamma"] = 1 + 0.3 * rng.normal(size=d_model)
            p[f"ln{n}_beta"] = 0.3 * rng.normal(size=d_model)
        return {k: (scale * v).astype(np.float32) for k, v in p.items()}

    embeddings = {k: (scale * v).astype(np.float32)
                  for k, v in tables(rng, vocab=vocab, max_len=6, d_model=d_model).items()}
    return {"num_heads": 2, "embeddings": embeddings, "layers": [layer() for _ in range(layers)]}


def tiny(rng, scale=1.0):
    """A padded batch of 2 through a tiny random model (2 layers, 2 heads, d_model 8)."""
    ids = np.array([[1, 5, 3, 2, 0, 0], [1, 7, 4, 6, 8, 2]])
    mask = (np.arange(6) < np.array([[4], [6]])).astype(np.int64)
    return call(ids, mask, tiny_model(rng, scale))


def _unseen(rng, count):
    """``count`` distinct sentences from the hidden pool, of mixed lengths."""
    pool = _hidden_sentences()
    return sentences([pool[i] for i in rng.choice(len(pool), size=count, replace=False)])


def _hidden_sentences():
    """The pool the hidden cases draw from (a function, so the release cuts it out
    together with them)."""
    return (
        "The trophy would not fit in the brown suitcase because it was too big.",
        "The city councilmen refused the demonstrators a permit because they feared violence.",
        "Rain again.",
        "She poured water from the bottle into the cup until it was full.",
        "A transformer reads every word of the sentence at once.",
        "The dog chased the cat up the tree, and then it barked all night.",
        "Attention weights are not the reason a model decides anything.",
        "Paris is the capital of France.",
        "The committee postponed the vote because the report was incomplete.",
        "My phone died.",
        "Researchers trained the network on millions of pages of text.",
        "When the glass fell off the shelf, it shattered into pieces.",
    )

SENTENCE_CASES = [
    case("the animal sentence", lambda rng: sentences([ANIMAL])),
    case("the jacket and the suitcase, both endings", lambda rng: sentences(JACKET)),
    case("sentences of different lengths (padding)",
         lambda rng: sentences(["It was empty.", ANIMAL, JACKET[0]])),
    case("a tiny random model, a padded batch", lambda rng: tiny(rng)),
    case("a tiny random model with small values (eps 1e-12 matters)",
         lambda rng: tiny(rng, scale=1e-3), hidden=True),
    case("four unseen sentences", lambda rng: _unseen(rng, 4), weight=2, hidden=True),
    case("one unseen sentence alone", lambda rng: _unseen(rng, 1), hidden=True),
    case("eight unseen sentences", lambda rng: _unseen(rng, 8), weight=2, hidden=True),
]


@pytest.mark.exercise("sentence_embedding")
@pytest.mark.parametrize("case", SENTENCE_CASES, ids=ids(SENTENCE_CASES))
def test_sentence_embedding(case, grade):
    grade(case)
