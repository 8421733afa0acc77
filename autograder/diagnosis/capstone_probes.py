"""Probes for the capstone's exercises (see :mod:`.probes` for what a probe is for).

``sentence_embedding`` is probed on a tiny random model (2 layers, 2 heads, d_model 8),
not the real one: a few kilobytes that cross the pipe like any input, where each
mistake shows by far more than the tolerance. One probe scales every weight down so
the variances fall near 1e-5 and eps 1e-5 differs from 1e-12; a padded batch shows
where padding leaks in; the second sentence's [CLS]-like first token differs from its
mean.
"""
from __future__ import annotations

import numpy as np

from ..checks.encoder import block, ffn_with
from ..checks.kit import call
from ..checks.model import tiny_model
from .probes import Probe

F32 = np.float32


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng([5, salt])   # fixed: probes never depend on the course seed


def _gelu() -> list[Probe]:
    return [Probe("-4 to 4 in steps of 0.5", call(np.linspace(-4.0, 4.0, 17))),
            Probe("float32, -3 to 3", call(np.linspace(-3.0, 3.0, 13, dtype=F32)))]


def _tables(rng, vocab=9, max_len=6, d_model=8, scale=1.0):
    return {"word": (scale * rng.normal(size=(vocab, d_model))).astype(F32),
            "position": (scale * rng.normal(size=(max_len, d_model))).astype(F32),
            "token_type": (scale * rng.normal(size=(2, d_model))).astype(F32),
            "ln_gamma": (1 + 0.3 * rng.normal(size=d_model)).astype(F32),
            "ln_beta": (0.3 * rng.normal(size=d_model)).astype(F32)}


def _embed() -> list[Probe]:
    rng = _rng(1)
    return [Probe("a batch of 2, ids 0..8", call(np.array([[1, 4, 8], [0, 2, 2]]), _tables(rng))),
            Probe("small tables (variance near 1e-6)",
                  call(np.array([3, 1, 5, 7]), _tables(rng, scale=1e-3))),
            Probe("a negative id", call(np.array([2, -1]), _tables(rng)), raises="ValueError"),
            Probe("an id equal to the vocabulary size", call(np.array([2, 9]), _tables(rng)),
                  raises="ValueError"),
            # eps given: a default of 1e-5 and an eps never passed on differ only here.
            Probe("small tables, eps 1e-3 given",
                  call(np.array([[2, 6, 0]]), _tables(rng, scale=0.03), eps=1e-3))]


def _sentence_embedding() -> list[Probe]:
    rng = _rng(2)
    ids = np.array([[1, 5, 3, 2, 0, 0], [1, 7, 4, 6, 8, 2]])
    mask = (np.arange(6) < np.array([[4], [6]])).astype(np.int64)
    return [Probe("a tiny model, a padded batch of 2", call(ids, mask, tiny_model(rng))),
            Probe("a tiny model with small values (eps matters)",
                  call(ids, mask, tiny_model(rng, scale=1e-3)))]


def _feed_forward_activation() -> list[Probe]:
    rng = _rng(3)
    return [Probe("activation='gelu', float32", ffn_with(rng, (3, 4), "gelu", d_ff=6))]


def _encoder_block_activation() -> list[Probe]:
    rng = _rng(4)
    return [Probe("post-norm with GELU, eps 1e-12, float32",
                  block(rng, length=3, dtype=F32, eps=1e-12, activation="gelu"))]


BUILDERS = {
    "gelu": _gelu,
    "embed": _embed,
    "sentence_embedding": _sentence_embedding,
}
# Probes added to the earlier exercises' own, for their activation option.
EXTRA = {
    "feed_forward": _feed_forward_activation,
    "encoder_block": _encoder_block_activation,
}
