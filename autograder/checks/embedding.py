"""Checks for ``embedding.py``: BERT's embedding layer, on small random tables and on the
real model's (all-MiniLM-L6-v2, read by the worker itself, see ``autograder/model``)."""
import numpy as np
import pytest

from ..model import EMBEDDINGS
from ..model.tokens import encode
from .kit import again, call, case, ids

F32 = np.float32


def tables(rng, vocab=12, max_len=10, types=2, d_model=8, dtype=F32, scale=1.0):
    """Random tables whose three rows for a token are all of the same size, so leaving
    one out shows; ``scale`` small makes the variance small, so eps matters."""
    return {"word": (scale * rng.normal(size=(vocab, d_model))).astype(dtype),
            "position": (scale * rng.normal(size=(max_len, d_model))).astype(dtype),
            "token_type": (scale * rng.normal(size=(types, d_model))).astype(dtype),
            "ln_gamma": (1 + 0.3 * rng.normal(size=d_model)).astype(dtype),
            "ln_beta": (0.3 * rng.normal(size=d_model)).astype(dtype)}


def far_tables(rng, d_model=256, offset=1e2):
    """float32 tables about ``offset`` from zero, spread 1, as a checkpoint whose rows share
    a large common part. The values sit on a grid of 1/64 and d_model is a power of two,
    so the sum of three rows, their mean and the squared deviations are exact in float32
    whatever order they are taken in (every correct float32 implementation agrees);
    E[x²] - E[x]² still loses most digits to x² ≈ 1e5."""
    params = tables(rng, d_model=d_model, dtype=np.float64)
    for name in ("word", "position", "token_type"):
        params[name] = np.round(64 * (offset + params[name])) / 64
    return {k: v.astype(F32) for k, v in params.items()}


def ids_of(rng, shape, vocab=12):
    return rng.integers(0, vocab, size=shape).astype(np.int64)


def embed_call(rng, shape, vocab=12, **kwargs):
    params = tables(rng, vocab=vocab, **{k: v for k, v in kwargs.items() if k != "eps"})
    extra = {"eps": kwargs["eps"]} if "eps" in kwargs else {}
    return call(ids_of(rng, shape, vocab), params, **extra)


ANIMAL = "The animal did not cross the street because it was too tired"
VOCAB = 30522      # all-MiniLM-L6-v2's vocabulary

EMBED_ONE = case("one sentence of 5 ids", lambda rng: embed_call(rng, (5,)))
EMBED_BATCH = case("a batch of 2 sentences", lambda rng: embed_call(rng, (2, 6)))
# Rows about 1e-6: a variance near 1e-12, where eps 1e-12 and 2e-12 differ by 10%.
EMBED_SMALL = case("small table values (eps 1e-12 matters)",
                   lambda rng: embed_call(rng, (2, 4), scale=1e-6))
EMBED_FAR_F32 = case("float32 tables of 256 features about 1e2 from zero",
                     lambda rng: call(ids_of(rng, (2, 7)), far_tables(rng)), weight=2)
EMBED_ANIMAL = case("the real model's tables, the animal sentence",
                    lambda rng: call(encode([ANIMAL]).ids, EMBEDDINGS))
EMBED_REAL_IDS = case("the real model's tables, 2 rows of 12 ids from its whole vocabulary",
                      lambda rng: call(ids_of(rng, (2, 12), VOCAB), EMBEDDINGS))
EMBED_FLOAT64 = case("float64 tables give float64",
                     lambda rng: embed_call(rng, (3, 5), dtype=np.float64))
EMBED_BATCH_3 = case("three leading batch dimensions", lambda rng: embed_call(rng, (2, 2, 3, 4)))
EMBED_EPS = case("eps given (1e-3)", lambda rng: embed_call(rng, (2, 5), scale=0.05, eps=1e-3))
EMBED_FULL = case("as many ids as positions", lambda rng: embed_call(rng, (2, 10)))
EMBED_ODD = case("odd sizes (d_model 6, 3 rows of 7 ids)",
                 lambda rng: embed_call(rng, (3, 7), d_model=6))


def _bad_id(rng, value, shape):
    ids = ids_of(rng, shape)
    ids[..., 1] = value
    return call(ids, tables(rng))


EMBED_VOCAB_ID = case("an id equal to the vocabulary size raises ValueError",
                      lambda rng: _bad_id(rng, 12, (3,)))
EMBED_NEGATIVE_ID = case("a negative id raises ValueError", lambda rng: _bad_id(rng, -1, (1, 3)))
EMBED_TOO_LONG = case("more ids than positions raises ValueError",
                      lambda rng: call(ids_of(rng, (11,)), tables(rng)))
# A one-row position table broadcasts against any length: only a check of L raises.
EMBED_ONE_POSITION = case("2 ids and a one-row position table raises ValueError",
                          lambda rng: call(ids_of(rng, (2,)), tables(rng, max_len=1)))
EMBED_NO_IDS = case("no ids (L = 0) gives an empty result",
                    lambda rng: call(np.zeros((2, 0), np.int64), tables(rng)))

EMBED_CASES = [
    EMBED_ONE, EMBED_BATCH, EMBED_SMALL, EMBED_FAR_F32, EMBED_ANIMAL, EMBED_REAL_IDS,
    EMBED_FLOAT64, EMBED_BATCH_3, EMBED_EPS, EMBED_FULL, EMBED_ODD, EMBED_VOCAB_ID,
    EMBED_NEGATIVE_ID, EMBED_TOO_LONG, EMBED_ONE_POSITION, EMBED_NO_IDS,
    again(EMBED_ONE, hidden=True),
    again(EMBED_BATCH, hidden=True),
    again(EMBED_SMALL, hidden=True),
    again(EMBED_FAR_F32, hidden=True),
    again(EMBED_REAL_IDS, hidden=True),
    again(EMBED_FLOAT64, hidden=True),
    again(EMBED_BATCH_3, hidden=True),
    again(EMBED_EPS, hidden=True),
    again(EMBED_FULL, hidden=True),
    again(EMBED_ODD, hidden=True),
    again(EMBED_VOCAB_ID, hidden=True),
    again(EMBED_NEGATIVE_ID, hidden=True),
    again(EMBED_TOO_LONG, hidden=True),
    again(EMBED_ONE_POSITION, hidden=True),
    again(EMBED_NO_IDS, hidden=True),
]


@pytest.mark.exercise("embed")
@pytest.mark.parametrize("case", EMBED_CASES, ids=ids(EMBED_CASES))
def test_embed(case, grade):
    grade(case)
