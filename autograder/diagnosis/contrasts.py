"""What the pattern of passed and failed cases says: "right with one head, wrong with two".

Each feature splits an exercise's cases by their inputs (not their names): more than one
head, Lq != Lk, a batch dimension, float32, a mask, pre-norm, an axis other than the
last. When every case with the feature fails and every case without it passes, that is
a true and pointed statement about the student's code, needing no reference.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..checks.kit import Call


@dataclass(frozen=True)
class Feature:
    functions: tuple[str, ...]
    has: Callable[[Call], bool]
    fact: str
    when: str           # the feature in a few words, for "those cases also have ..."


def _arg(call: Call, index: int, name: str, default=None):
    if len(call.args) > index:
        return call.args[index]
    return call.kwargs.get(name, default)


def _lengths_differ(call: Call) -> bool:
    a, b = _arg(call, 0, "q"), _arg(call, 1, "k")
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim >= 2 and b.ndim >= 2:
        return a.shape[-2] != b.shape[-2]
    if isinstance(a, int):
        lk = _arg(call, 1, "lk")
        return lk is not None and lk != a
    return False


def _float32(call: Call) -> bool:
    values = [*call.args, *call.kwargs.values()]
    values += [v for d in values if isinstance(d, dict) for v in d.values()]
    return any(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in values)


def _batched(call: Call) -> bool:
    x = call.args[0] if call.args else None
    return isinstance(x, np.ndarray) and x.ndim > 2


def _heads(index: int):
    def has(call: Call) -> bool:
        heads = _arg(call, index, "num_heads")
        return isinstance(heads, int) and heads > 1
    return has


def _large_float32(call: Call) -> bool:
    """float32 inputs far from zero (|x| >= 100) or with a long axis (>= 256): the
    magnitudes of a trained model, where a formula right on paper can lose its digits."""
    values = [*call.args, *call.kwargs.values()]
    values += [v for d in values if isinstance(d, dict) for v in d.values()]
    for v in values:
        if isinstance(v, np.ndarray) and v.dtype == np.float32 and v.size:
            finite = v[np.isfinite(v)]
            if max(v.shape) >= 256 or (finite.size and float(np.abs(finite).max()) >= 100):
                return True
    return False


ATTENTION = ("scaled_dot_product_attention", "multi_head_attention", "encoder_block")
# In order of preference: when features split the cases alike, the first one's fact is
# said and the others are named as possible causes (a batch often comes with other
# changes, so it comes last).
FEATURES = [
    Feature(("multi_head_attention",), _heads(3),
            "right with one head, wrong with more than one: look at how the features are "
            "split into heads and merged back, and at the scale each head uses.",
            "more than one head"),
    Feature(("encoder_block",), _heads(2),
            "right with one head, wrong with more than one: look at the multi-head "
            "attention it uses.",
            "more than one head"),
    Feature(("scaled_dot_product_attention", "multi_head_attention", "causal_mask"),
            _lengths_differ,
            "right when Lq == Lk, wrong when the numbers of queries and keys differ: check "
            "which length each axis has, and where the keys and values come from.",
            "Lq != Lk"),
    Feature(("softmax", "scaled_dot_product_attention", "multi_head_attention",
             "layer_norm", "feed_forward", "encoder_block"), _float32,
            "right in float64, wrong in float32: the result must keep the input's dtype.",
            "float32 inputs"),
    Feature(("softmax", "scaled_dot_product_attention", "multi_head_attention",
             "layer_norm", "encoder_block"), _large_float32,
            "right at small magnitudes, wrong in float32 far from zero or on long rows: a "
            "formula that is right on paper can lose its digits there (exponentiate x - max, "
            "never exp(x) / exp(max); take the variance of x - mean, never E[x²] - E[x]²).",
            "float32 at large magnitudes"),
    Feature(ATTENTION, lambda call: call.kwargs.get("mask") is not None,
            "right without a mask, wrong with one: check how the mask is applied and "
            "passed on (True = may attend; a masked key gets weight exactly 0).",
            "a mask"),
    Feature(("encoder_block",), lambda call: bool(call.kwargs.get("norm_first")),
            "right in post-norm, wrong in pre-norm (norm_first=True): normalise each "
            "sub-layer's input and add its output to the un-normalised x.",
            "norm_first=True"),
    Feature(("encoder_block",), lambda call: not call.kwargs.get("norm_first"),
            "right in pre-norm, wrong in post-norm (the default): there the layer norm "
            "comes after each residual addition.",
            "post-norm"),
    Feature(("softmax",), lambda call: call.kwargs.get("axis", -1) not in (-1, None),
            "right along the last axis, wrong along another: use the axis you are given.",
            "another axis"),
    Feature(("softmax", "scaled_dot_product_attention", "multi_head_attention",
             "layer_norm", "feed_forward", "encoder_block"), _batched,
            "right on 2-D inputs, wrong once batch dimensions come in front: work on the "
            "last axes only, whatever comes before them (.T, for one, reverses every "
            "axis).",
            "batch dimensions"),
]


def contrasts(function: str, graded: list[tuple[Call, bool]]) -> list[str]:
    """Facts from which cases passed (``graded``: each case's call and whether it passed)."""
    alike: dict[tuple, list[Feature]] = {}
    for feature in FEATURES:
        if function not in feature.functions:
            continue
        split = tuple(feature.has(call) for call, _ in graded)
        with_feature = [passed for has, (_, passed) in zip(split, graded) if has]
        without = [passed for has, (_, passed) in zip(split, graded) if not has]
        if with_feature and without and not any(with_feature) and all(without):
            alike.setdefault(split, []).append(feature)
    facts = []
    for first, *others in alike.values():  # features that split the cases alike: one fact
        also = ", ".join(dict.fromkeys(f.when for f in others if f.when != first.when))
        facts.append(first.fact + (f" (Those cases also have {also}, which may be the cause "
                                   "instead.)" if also else ""))
    return facts
