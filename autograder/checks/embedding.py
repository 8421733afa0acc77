"""Checks for ``embedding.py``: BERT's embedding layer, on small random tables and on the
real model's (all-MiniLM-L6-v2, read by the worker itself, see ``autograder/model``)."""
import numpy as np
import pytest

from ..model import EMBEDDINGS
from ..model.tokens import encode
from .kit import call, case, ids

F32 = np.float32


def tables(rng, vocab=12, max_len=10, types=2, d_model=8, dtype=F32, scale=1.0):
    """Random tables whose three rows for a token are all of the same size, so leaving
    one out shows; ``scale`` small makes the variance small, so eps matters."""
    return {"word": (scale * rng.normal(size=(vocab, d_model))).astype(dtype),
            "position": (scale * rng.normal(size=(max_len, d_model))).astype(dtype),
            "token_type": (scale * rng.normal(size=(types, d_model))).astype(dtype),
            "ln_gamma": (1 + 0.3 * rng.normal(size=d_model)).astype(dtype),
            "ln_beta": (0.3 * rng.normal(size=d_model)).astype(dtype)}


def ids_of(rng, shape, vocab=12):
    return rng.integers(0, vocab, size=shape).astype(np.int64)


def embed_call(rng, shape, vocab=12, **kwargs):
    params = tables(rng, vocab=vocab, **{k: v for k, v in kwargs.items() if k != "eps"})
    extra = {"eps": kwargs["eps"]} if "eps" in kwargs else {}
    return call(ids_of(rng, shape, vocab), params, **extra)


ANIMAL = "The animal did not cross the street because it was too tired"

EMBED_CASES = [
    case("one sentence of 5 ids", lambda rng: embed_call(rng, (5,))),
    case("a batch of 2 sentences", lambda rng: embed_call(rng, (2, 6))),
    case("small table values (eps 1e-12 matters)",
         lambda rng: embed_call(rng, (2, 4), scale=1e-3)),
    case("the real model's tables, the animal sentence",
         lambda rng: call(encode([ANIMAL]).ids, EMBEDDINGS)),
    case("float64 tables give float64", lambda rng: embed_call(rng, (3, 5), dtype=np.float64),
         hidden=True),
    case("three leading batch dimensions", lambda rng: embed_call(rng, (2, 2, 3, 4)),
         hidden=True),
    case("eps given (1e-3)", lambda rng: embed_call(rng, (2, 5), scale=0.05, eps=1e-3),
         hidden=True),
    case("as many ids as positions", lambda rng: embed_call(rng, (2, 10)), hidden=True),
    case("an id equal to the vocabulary size raises ValueError",
         lambda rng: call(np.array([1, 12, 3]), tables(rng)), hidden=True),
    case("a negative id raises ValueError",
         lambda rng: call(np.array([[1, -1, 3]]), tables(rng)), hidden=True),
    case("more ids than positions raises ValueError",
         lambda rng: call(ids_of(rng, (11,)), tables(rng)), hidden=True),
    case("random size", lambda rng: embed_call(rng, (int(rng.integers(1, 4)),
                                                     int(rng.integers(1, 11))),
                                               d_model=2 * int(rng.integers(2, 9))),
         weight=2, hidden=True),
]


@pytest.mark.exercise("embed")
@pytest.mark.parametrize("case", EMBED_CASES, ids=ids(EMBED_CASES))
def test_embed(case, grade):
    grade(case)
