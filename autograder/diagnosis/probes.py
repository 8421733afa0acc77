"""Probe inputs: a few tiny calls per exercise, chosen so each known mistake shows.

A wrong answer on a random input says *that* something is off; these inputs say
*what*. Each is built to expose particular mistakes: a square input, where a
broadcasting slip runs instead of raising; logits far apart, where a missing or global
maximum overflows; a query with every key masked, where -1e9 differs from -inf; one
head and two, where a scale by sqrt(d_model) hides and shows; Lq != Lk; a batch, where
``k.T`` breaks; float32, where a float64 scalar leaks; a small variance with a large
eps, where the place of eps matters. They are few and small because they run in the
student's worker after the graded cases, inside the submission's time limit.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..checks.attention import qkv
from ..checks.kit import Call, call

F32 = np.float32


@dataclass(frozen=True)
class Probe:
    name: str
    call: Call
    raises: str = ""    # the exception the contract asks for on this input, if any


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng([4, salt])  # fixed: probes never depend on the course seed


def _softmax() -> list[Probe]:
    rng = _rng(1)
    apart = np.array([[3e4, 3e4 - 2.0, 3e4 - 5.0, 3e4 + 1.0],
                      [-1.0, 0.5, 2.0, 0.0]], dtype=F32)
    # exp(712) overflows float64, exp(700) and exp(-712) do not: a missing maximum, an
    # added one, a doubly subtracted one and exp(x) / exp(max) each give another result.
    shifted = np.array([[712.0, 700.0, 690.0, 705.0], [-400.0, -401.5, -398.0, -400.5]])
    return [Probe("rows of a 3×5 array", call(rng.normal(size=(3, 5)))),
            Probe("float64 rows about 710 and -400", call(shifted)),
            Probe("a square 4×4 array", call(rng.normal(size=(4, 4)))),
            Probe("axis=0 of a 2×3×4 array", call(rng.normal(size=(2, 3, 4)), axis=0)),
            Probe("a 2×3×4 array, default axis", call(rng.normal(size=(2, 3, 4)))),
            Probe("float32 rows far apart (3e4 and 0)", call(apart))]


def _positional_encoding() -> list[Probe]:
    return [Probe("4 positions, d_model 6", call(4, 6)),
            Probe("3 positions, d_model 8, base 100", call(3, 8, base=100.0)),
            Probe("an odd d_model", call(3, 5), raises="ValueError"),
            # Angles up to 2047: a float32 step anywhere shows in the values, not only
            # in the dtype.
            Probe("2048 positions, d_model 6", call(2048, 6))]


def _sdpa() -> list[Probe]:
    rng = _rng(2)
    mask = np.array([[True, False, True, True, False],
                     [False, False, False, False, False],
                     [True, True, False, True, True]])
    return [Probe("2-D, Lq 3, Lk 5", call(*qkv(rng, (), 3, 5, 4, 2))),
            Probe("a batch of 2, Lq = Lk = 3", call(*qkv(rng, (2,), 3, 3, 4, 2))),
            # batch = d_k = Lk: k.T on a batch broadcasts and runs instead of raising.
            Probe("a batch of 2, Lq 3, Lk 2, d_k 2", call(*qkv(rng, (2,), 3, 2, 2, 3))),
            Probe("a mask with a fully masked query", call(*qkv(rng, (), 3, 5, 4, 2),
                                                           mask=mask)),
            Probe("float32 with a mask", call(*qkv(rng, (), 3, 5, 4, 2, F32), mask=mask)),
            Probe("a 0/1 float mask", call(*qkv(rng, (), 3, 5, 4, 2),
                                           mask=mask.astype(np.float64)), raises="TypeError"),
            Probe("large scores (q and k about ±30)",
                  call(*(30 * a for a in qkv(rng, (), 2, 3, 4, 2))))]


def _causal_mask() -> list[Probe]:
    return [Probe("4 positions", call(4)), Probe("3 queries, 5 keys", call(3, 5)),
            Probe("5 queries, 3 keys", call(5, 3))]


def _attention_params(rng, d_model, dtype=np.float64):
    params = {f"w_{n}": rng.normal(size=(d_model, d_model)) / np.sqrt(d_model) for n in "qkvo"}
    params |= {f"b_{n}": 0.5 * rng.normal(size=d_model) for n in "qkvo"}
    return {k: v.astype(dtype) for k, v in params.items()}


def _mha() -> list[Probe]:
    rng = _rng(3)
    x = rng.normal(size=(3, 4))
    xb = rng.normal(size=(2, 3, 4))
    x_q, x_kv = rng.normal(size=(2, 4)), rng.normal(size=(4, 4))
    mask = np.array([[True, True, False, False], [True, False, True, True]])
    return [Probe("self-attention, one head", call(x, x, _attention_params(rng, 4), 1)),
            Probe("self-attention, two heads, a batch",
                  call(xb, xb, _attention_params(rng, 4), 2)),
            Probe("cross-attention (Lq 2, Lk 4), two heads, a mask",
                  call(x_q, x_kv, _attention_params(rng, 4), 2, mask=mask)),
            Probe("cross-attention (Lq 2, Lk 4), two heads, no mask",
                  call(x_q, x_kv, _attention_params(rng, 4), 2))]


def _layer_norm() -> list[Probe]:
    rng = _rng(4)

    def affine(d):
        return 1 + 0.5 * rng.normal(size=d), 0.5 * rng.normal(size=d)

    small = 2.0 + 0.05 * rng.normal(size=(3, 4))   # variance about eps, so eps matters
    return [Probe("a small variance, eps 0.01", call(small, *affine(4), eps=0.01)),
            Probe("a 2×2×3 array", call(rng.normal(size=(2, 2, 3)), *affine(3))),
            Probe("float32", call(*(a.astype(F32) for a in (rng.normal(size=(2, 4)),
                                                         *affine(4)))))]


def _feed_forward() -> list[Probe]:
    rng = _rng(5)

    def weights(d_model, d_ff):
        return (rng.normal(size=(d_ff, d_model)), rng.normal(size=d_ff) - 0.5,
                rng.normal(size=(d_model, d_ff)), rng.normal(size=d_model) - 0.5)

    w_1, _, w_2, b_2 = weights(4, 6)
    return [Probe("d_model 4, d_ff 6", call(rng.normal(size=(3, 4)), *weights(4, 6))),
            Probe("square weights (d_ff = d_model = 4)",
                  call(rng.normal(size=(2, 4)), *weights(4, 4))),
            # Every hidden unit negative: whatever x is, the ReLU leaves only b_2.
            Probe("every hidden unit negative (b_1 = -50)",
                  call(rng.normal(size=(2, 4)), w_1, np.full(6, -50.0), w_2, b_2))]


def _block_params(rng, d_model, d_ff):
    params = _attention_params(rng, d_model)
    params |= {"w_1": rng.normal(size=(d_ff, d_model)) / np.sqrt(d_model),
               "b_1": 0.3 * rng.normal(size=d_ff),
               "w_2": rng.normal(size=(d_model, d_ff)) / np.sqrt(d_ff),
               "b_2": 0.3 * rng.normal(size=d_model)}
    for n in (1, 2):
        params[f"ln{n}_gamma"] = 1 + 0.5 * rng.normal(size=d_model)
        params[f"ln{n}_beta"] = 0.5 * rng.normal(size=d_model)
    return params


def _encoder_block() -> list[Probe]:
    rng = _rng(6)
    causal = np.tril(np.ones((3, 3), dtype=bool))
    # d_model 8 with two heads: sqrt(d_model) and d_h differ, so scale slips differ too.
    return [Probe("post-norm, two heads, a causal mask",
                  call(rng.normal(size=(3, 8)), _block_params(rng, 8, 6), 2, mask=causal)),
            Probe("pre-norm, two heads, a causal mask, eps 0.5",
                  call(0.3 * rng.normal(size=(3, 8)), _block_params(rng, 8, 6), 2,
                       mask=causal, norm_first=True, eps=0.5))]


BUILDERS = {
    "softmax": _softmax,
    "positional_encoding": _positional_encoding,
    "scaled_dot_product_attention": _sdpa,
    "causal_mask": _causal_mask,
    "multi_head_attention": _mha,
    "layer_norm": _layer_norm,
    "feed_forward": _feed_forward,
    "encoder_block": _encoder_block,
}


@functools.cache
def probes_of(function: str) -> tuple[Probe, ...]:
    """The probes of an exercise (built once; the arrays are read-only)."""
    return tuple(BUILDERS[function]())


# The capstone's exercises keep their probes in their own module.
from . import capstone_probes  # noqa: E402  (it imports Probe from here)

BUILDERS |= capstone_probes.BUILDERS
for _function, _extra in capstone_probes.EXTRA.items():
    BUILDERS[_function] = (lambda base, extra: lambda: base() + extra())(BUILDERS[_function],
                                                                          _extra)
