"""Checks for ``model.py``: the student's ``sentence_embedding`` runs the real
all-MiniLM-L6-v2 on real sentences and must give the reference's vectors.

The weights never cross the pipe: the call carries the marker ``MODEL`` and the worker
reads the installed checkpoint itself (``autograder/model``). Public sentences are the
lessons' own; hidden ones are drawn from a list that lives only in the hidden cases (a
student release cuts them out, see ``integrations/release.py``). Batches mix lengths,
so padding shows: a padded key that is attended to, or a padded position that enters
the mean, changes every vector.

Input classes, each a public case and the drawn ones again hidden with other values:
the real model on one sentence, on a batch of mixed lengths, and on 1, 4 and 8
sentences padded to 24 tokens (hidden: sentences no lesson shows); a tiny random model
with unit values, with values about 1e-3 (variances far above 1e-12 but near 1e-5),
about 1e-6 (variances near 1e-12), and with float32 tables about 1e2 from zero.
"""
import numpy as np
import pytest

from ..model import MODEL
from ..model.tokens import encode
from .attention import attention_params
from .embedding import far_tables, tables
from .encoder import ffn_params
from .kit import again, call, case, ids

ANIMAL = "The animal did not cross the street because it was too tired"
JACKET = ("I put the jacket in the suitcase because it was cold.",
          "I put the jacket in the suitcase because it was empty.")
# The sentences the public cases of a fixed length draw from: the lessons' own.
SEEN = (ANIMAL, *JACKET, "It was empty.", "The coat went into the bag since the weather was chilly.",
        "Paris is the capital of France.", "Transformers tokenise unbelievably well.",
        "The trophy did not fit in the suitcase because it was too big")
PADDED = 24        # tokens: every sentence of both pools fits


def sentences(texts, length=None):
    """The batch of ``texts``, padded on the right to ``length`` tokens if given."""
    batch = encode(list(texts))
    ids, mask = batch.ids, batch.mask
    if length is not None:
        if ids.shape[1] > length:
            raise ValueError(f"a sentence of {ids.shape[1]} tokens does not fit in {length}")
        ids, mask = (np.pad(a, ((0, 0), (0, length - a.shape[1]))) for a in (ids, mask))
    return call(ids, mask, MODEL)


def tiny_model(rng, scale=1.0, layers=2, d_model=8, d_ff=12, vocab=9, offset=0.0):
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
    if offset:      # a checkpoint whose rows share a large common part (float32, exact sums)
        embeddings = far_tables(rng, d_model, offset)
    return {"num_heads": 2, "embeddings": embeddings, "layers": [layer() for _ in range(layers)]}


def tiny(rng, scale=1.0, offset=0.0):
    """A padded batch of 2 through a tiny random model (2 layers, 2 heads, d_model 8)."""
    ids = np.array([[1, 5, 3, 2, 0, 0], [1, 7, 4, 6, 8, 2]])
    mask = (np.arange(6) < np.array([[4], [6]])).astype(np.int64)
    return call(ids, mask, tiny_model(rng, scale, offset=offset))


def _drawn(rng, pool, count):
    """``count`` distinct sentences of ``pool``, padded to ``PADDED`` tokens."""
    return sentences([pool[i] for i in rng.choice(len(pool), size=count, replace=False)],
                     PADDED)


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
        "Lisbon sits on the mouth of the Tagus.",
        "The committee postponed the vote because the report was incomplete.",
        "My phone died.",
        "Researchers trained the network on millions of pages of text.",
        "When the glass fell off the shelf, it shattered into pieces.",
    )


def _unseen(count):
    return lambda rng: _drawn(rng, _hidden_sentences(), count)


SENT_ANIMAL = case("the animal sentence", lambda rng: sentences([ANIMAL]))
SENT_JACKET = case("the jacket and the suitcase, both endings", lambda rng: sentences(JACKET))
SENT_LENGTHS = case("sentences of different lengths (padding)",
                    lambda rng: sentences(["It was empty.", ANIMAL, JACKET[0]]))
SENT_ONE = case("one sentence padded to 24 tokens", lambda rng: _drawn(rng, SEEN, 1))
SENT_FOUR = case("four sentences padded to 24 tokens", lambda rng: _drawn(rng, SEEN, 4),
                 weight=2)
SENT_EIGHT = case("eight sentences padded to 24 tokens", lambda rng: _drawn(rng, SEEN, 8),
                  weight=2)
SENT_TINY = case("a tiny random model, a padded batch", lambda rng: tiny(rng))
SENT_TINY_SMALL = case("a tiny random model with small values (eps 1e-12 matters)",
                       lambda rng: tiny(rng, scale=1e-3))
# Values about 1e-6, so every layer norm's variance is near 1e-12: the contract's eps
# itself is tested, not merely one far from it (1e-5).
SENT_TINY_EPS = case("a tiny random model with values about 1e-6 (variances near eps)",
                     lambda rng: tiny(rng, scale=1e-6))
SENT_TINY_FAR = case("a tiny random model, float32 tables about 1e2 from zero",
                     lambda rng: tiny(rng, offset=1e2))

SENTENCE_CASES = [
    SENT_ANIMAL, SENT_JACKET, SENT_LENGTHS, SENT_ONE, SENT_FOUR, SENT_EIGHT, SENT_TINY,
    SENT_TINY_SMALL, SENT_TINY_EPS, SENT_TINY_FAR,
    again(SENT_ONE, hidden=True, name="one unseen sentence padded to 24 tokens",
          make=_unseen(1)),
    again(SENT_FOUR, hidden=True, name="four unseen sentences padded to 24 tokens",
          make=_unseen(4)),
    again(SENT_EIGHT, hidden=True, name="eight unseen sentences padded to 24 tokens",
          make=_unseen(8)),
    again(SENT_TINY, hidden=True),
    again(SENT_TINY_SMALL, hidden=True),
    again(SENT_TINY_EPS, hidden=True),
    again(SENT_TINY_FAR, hidden=True),
]


@pytest.mark.exercise("sentence_embedding")
@pytest.mark.parametrize("case", SENTENCE_CASES, ids=ids(SENTENCE_CASES))
def test_sentence_embedding(case, grade):
    grade(case)
