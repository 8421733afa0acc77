"""The attention weights of all-MiniLM-L6-v2 on a few sentences, from given functions.

The forward pass is the capstone's, step by step: the student's ``embed``, then in each
layer the student's ``scaled_dot_product_attention`` on that layer's queries and keys
(the weights drawn on the page) and the student's ``encoder_block`` for the layer's
output, which feeds the next layer. With a submission every call runs in the isolated
worker (:class:`~autograder.sandbox.session.WorkerSession`), which reads the weights
itself; without one the references from ``solutions/`` run here.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import model
from ..course.model import Course
from ..grading.references import load_modules
from ..grading.submission import locate, prepared
from ..model import checkpoint, tokens
from ..sandbox.session import WorkerSession

DEFAULT_SENTENCES = (
    "The animal did not cross the street because it was too tired",
    "I put the jacket in the suitcase because it was cold.",
    "I put the jacket in the suitcase because it was empty.",
)
MAX_SENTENCES = 8
MAX_TOKENS = 64    # a page for reading, not a document: longer sentences are refused


class ExploreError(Exception):
    """The weights could not be computed (the reason, in a student's words)."""


@dataclass(frozen=True)
class SentenceAttention:
    text: str
    tokens: tuple[str, ...]
    weights: np.ndarray          # (layers, heads, L, L): row = query token, column = key


@dataclass(frozen=True)
class Exploration:
    source: str                  # what computed the weights, in words
    sentences: tuple[SentenceAttention, ...]


def _heads(x: np.ndarray, w: np.ndarray, b: np.ndarray, num_heads: int) -> np.ndarray:
    """(1, L, d_model) -> (1, heads, L, d_h): one layer's queries, keys or values."""
    y = x[0] @ w.T + b
    return y.reshape(y.shape[0], num_heads, -1).transpose(1, 0, 2)[None]


def _checked(value, name: str, shape: tuple) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
        what = (f"an array of shape {value.shape}" if isinstance(value, np.ndarray)
                else type(value).__name__)
        raise ExploreError(f"your {name} returned {what}; expected a float array of shape "
                           f"{shape} (run `autograder check` to see why)")
    if not np.isfinite(value).all():
        raise ExploreError(f"your {name} returned NaN or infinity on the real model "
                           "(run `autograder check` to see why)")
    return value


def forward(call, ids: np.ndarray) -> np.ndarray:
    """The (layers, heads, L, L) weights of one sentence (``ids (1, L)``);
    ``call(module, function, *args, **kwargs)`` runs one exercise function."""
    weights = model.weights()
    heads = weights["num_heads"]
    length, d_model = ids.shape[1], weights["embeddings"]["word"].shape[1]
    x = _checked(call("embedding", "embed", ids, model.EMBEDDINGS), "embed", (1, length, d_model))
    maps = []
    for i, p in enumerate(weights["layers"]):
        q, k, v = (_heads(x, p[f"w_{n}"], p[f"b_{n}"], heads) for n in "qkv")
        result = call("attention", "scaled_dot_product_attention", q, k, v)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ExploreError("your scaled_dot_product_attention must return "
                               "(output, weights)")
        maps.append(_checked(result[1], "scaled_dot_product_attention (weights)",
                             (1, heads, length, length))[0])
        x = _checked(call("encoder", "encoder_block", x, model.layer(i), heads,
                          eps=1e-12, activation="gelu"), "encoder_block", (1, length, d_model))
    return np.stack(maps).astype(np.float32)


def _in_worker(session: WorkerSession):
    def call(module, function, *args, **kwargs):
        outcome = session.call(module, function, args, kwargs)
        if outcome.kind == "ok":
            return outcome.value
        if outcome.kind in ("error", "missing"):
            error = outcome.error
            raise ExploreError(f"your {function} ({module}.py) could not run: "
                               f"{error.get('type')}: {str(error.get('message'))[:300]}")
        raise ExploreError(f"your {function} ({module}.py) did not return: "
                           f"{outcome.kind} {outcome.detail}".strip())
    return call


def _in_process(solutions: Path):
    modules = load_modules(solutions, ["softmax", "attention", "encoder", "embedding"])

    def call(module, function, *args, **kwargs):
        return getattr(modules[module], function)(*model.resolve(args), **model.resolve(kwargs))
    return call


def explore(course: Course, submission: Path | None, sentences=DEFAULT_SENTENCES) -> Exploration:
    """The attention of every sentence, from ``submission``'s functions or the references."""
    sentences = tuple(sentences) or DEFAULT_SENTENCES
    if len(sentences) > MAX_SENTENCES:
        raise ExploreError(f"at most {MAX_SENTENCES} sentences, got {len(sentences)}")
    try:
        encoded = [tokens.encode([s]) for s in sentences]
        model.weights()
    except checkpoint.ModelMissing as exc:
        raise ExploreError(str(exc)) from None
    for text, batch in zip(sentences, encoded):
        if batch.ids.shape[1] > MAX_TOKENS:
            raise ExploreError(f"{text[:40]!r}... has {batch.ids.shape[1]} tokens; the "
                               f"explorer shows at most {MAX_TOKENS}")
    with contextlib.ExitStack() as stack:
        if submission is None:
            if not course.solutions.is_dir():
                raise ExploreError("no submission given and no solutions/ here: name your "
                                   "submission, e.g. `autograder explore exercises`")
            call = _in_process(course.solutions)
            source = "the course's reference solutions (solutions/)"
        else:
            folder = stack.enter_context(prepared(locate(course, submission), []))
            session = stack.enter_context(WorkerSession(folder, course.grading.limits))
            call = _in_worker(session)
            source = (f"the submission {submission}: its own embed, "
                      "scaled_dot_product_attention and encoder_block, run in the grader's "
                      "isolated worker")
        results = tuple(SentenceAttention(text, batch.tokens[0], forward(call, batch.ids))
                        for text, batch in zip(sentences, encoded))
    return Exploration(source, results)
