"""What can be said about a wrong result without any reference implementation.

Each fact is checked on the student's own results for the probes, against what the
contract says must hold (rows that sum to 1, a masked key with weight 0, a float32 input
giving float32 output, an input left untouched...), so it is available in a self-check,
where ``solutions/`` is not. A fact is only stated when the results prove it.
"""
from __future__ import annotations

import numpy as np

from .outcomes import Result
from .probes import Probe
from .weights import attention_facts

MUTATION = ("your function writes into its input: the grader passes read-only arrays, "
            "so NumPy refused ('read-only'). Leave the inputs untouched and compute into "
            "new arrays (avoid -=, /=, out= and assignments into an argument).")
FLOAT32 = ("float32 in gives {dtype} out on {probe}: something promotes to float64 (an "
           "np.float64 scalar such as np.sqrt(n), a float64 array, or astype); return the "
           "input's dtype.")
NOT_FINITE = "your result has NaN or inf on {probe}, although every input is finite{why}."


def _arrays(value) -> list[np.ndarray]:
    items = value if isinstance(value, (tuple, list)) else (value,)
    return [a for a in items if isinstance(a, np.ndarray)]


def _inputs_float32(probe: Probe) -> bool:
    args = [*probe.call.args, *probe.call.kwargs.values()]
    return any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)


def _general(function: str, observed: list[tuple[Probe, Result]]) -> list[str]:
    facts = []
    if any(r.read_only_write for _, r in observed):
        facts.append(MUTATION)
    raising = [(p, r) for p, r in observed if r.kind == "raises" and r.error != p.raises
               and not r.read_only_write]
    returning = [p for p, r in observed if r.kind == "value" and not p.raises]
    if raising and returning:
        (probe, r), *more = raising
        also = f" (and on {len(more)} more)" if more else ""
        facts.append(f"it raises {r.error} on {probe.name}{also}, yet returns a result on "
                     f"{returning[0].name}: {r.message.splitlines()[0][:160] if r.message else ''}")
    for probe, r in observed:
        if r.kind != "value":
            continue
        arrays = _arrays(r.value)
        leaked = [a.dtype for a in arrays if a.dtype.kind == "f" and a.dtype != np.float32]
        if _inputs_float32(probe) and leaked:
            facts.append(FLOAT32.format(dtype=leaked[0], probe=probe.name))
            break
    for probe, r in observed:
        arrays = [a for a in _arrays(r.value) if a.dtype.kind == "f"] if r.kind == "value" else []
        if any(not np.isfinite(a).all() for a in arrays):
            why = (" (exp overflowing? subtract each slice's maximum before exp)"
                   if function == "softmax" else "")
            facts.append(NOT_FINITE.format(probe=probe.name, why=why))
            break
    return facts


def _softmax(observed) -> list[str]:
    for probe, r in observed:
        x = probe.call.args[0]
        axis = probe.call.kwargs.get("axis", -1)
        y = r.value if r.kind == "value" else None
        if not isinstance(y, np.ndarray) or y.shape != x.shape or not np.isfinite(y).all():
            continue
        if np.allclose(y.sum(axis=axis), 1, atol=1e-4):
            continue
        others = [a for a in range(x.ndim) if a != axis % x.ndim
                  and np.allclose(y.sum(axis=a), 1, atol=1e-4)]
        if others:
            return [f"on {probe.name}, your slices sum to 1 along axis {others[0]}, not along "
                    f"the requested axis {axis}: normalise along the axis you are given."]
        if np.isclose(y.sum(), 1, atol=1e-4):
            return [f"on {probe.name}, the whole array sums to 1 but its slices along axis "
                    f"{axis} do not: each slice must sum to 1 on its own."]
        return [f"on {probe.name}, the slices along axis {axis} do not sum to 1."]
    return []


def _causal_mask(observed) -> list[str]:
    for probe, r in observed:
        lq, lk = (probe.call.args + (None,))[:2]
        lk = lq if lk is None else lk
        m = r.value if r.kind == "value" else None
        if not isinstance(m, np.ndarray):
            continue
        if m.dtype != np.bool_:
            return [f"the mask has dtype {m.dtype}; it must be boolean (True = may attend)."]
        if m.shape != (lq, lk):
            return [f"for {probe.name} the mask has shape {m.shape}; it must be (lq, lk) = "
                    f"{(lq, lk)}."]
        query, key = np.indices(m.shape)
        if not m[query == key].all():
            return ["a position may attend to itself: the diagonal (key index = query index) "
                    "must be True."]
        if m[key > query].any():
            return ["a query may attend to a later key: entries above the diagonal (key "
                    "index > query index) must be False."]
        if not m[key < query].all():
            return ["a query must see every earlier key: entries below the diagonal must be "
                    "True."]
    return []


def _positional_encoding(observed) -> list[str]:
    facts = []
    for probe, r in observed:
        seq_len, d_model = probe.call.args
        pe = r.value if r.kind == "value" else None
        if d_model % 2 and r.kind == "value":
            facts.append("an odd d_model must raise ValueError (the columns come in sin/cos "
                         "pairs).")
        if not isinstance(pe, np.ndarray) or pe.shape != (seq_len, d_model) or d_model % 2:
            continue
        if pe.dtype != np.float64:
            facts.append(f"the table has dtype {pe.dtype}; it must be float64.")
        row0 = np.tile([0.0, 1.0], d_model // 2)
        if not np.allclose(pe[0], row0, atol=1e-6):
            what = ("it reads 1, 0, 1, 0, ...: sine and cosine are swapped"
                    if np.allclose(pe[0], 1 - row0, atol=1e-6) else
                    "the sines and cosines are not interleaved"
                    if np.allclose(pe[0], np.repeat([0.0, 1.0], d_model // 2), atol=1e-6)
                    else "check that positions start at 0")
            facts.append(f"position 0 must read sin 0, cos 0 = 0, 1, 0, 1, ...; {what}.")
        elif not np.allclose(pe[:, 0], np.sin(np.arange(seq_len)), atol=1e-6):
            facts.append("column 0 must be sin(position): its frequency is base ** 0 = 1 "
                         "whatever the base.")
        elif not np.allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1, atol=1e-6):
            facts.append(f"on {probe.name}, a sine column and the cosine beside it do not "
                         "share one angle (sin² + cos² is not 1): both columns of pair i use "
                         "the same frequency.")
        else:
            facts += _frequencies(probe, pe)
        if facts:
            break
    return facts


def _frequencies(probe: Probe, pe: np.ndarray) -> list[str]:
    """Pair i turns by base ** (-2i / d_model) per position: read it off row 1."""
    seq_len, d_model = probe.call.args
    if seq_len < 2:
        return []
    base = probe.call.kwargs.get("base", 10000.0)
    read = np.arctan2(pe[1, 0::2], pe[1, 1::2])
    expected = base ** (-np.arange(0, d_model, 2) / d_model)
    wrong = np.flatnonzero(~np.isclose(read, expected, rtol=1e-6, atol=1e-9))
    if not wrong.size:
        return []
    i = int(wrong[0])
    return [f"on {probe.name}, pair {i} (columns {2 * i} and {2 * i + 1}) turns by "
            f"{read[i]:.4g} per position; its frequency must be base ** (-2i / d_model) = "
            f"{expected[i]:.4g} with base = {base:g}."]


def _layer_norm(observed) -> list[str]:
    for probe, r in observed:
        x, gamma, beta = probe.call.args
        y = r.value if r.kind == "value" else None
        if not isinstance(y, np.ndarray) or y.shape != x.shape or not np.isfinite(y).all():
            continue
        eps = probe.call.kwargs.get("eps", 1e-5)
        var = x.astype(np.float64).var(axis=-1)
        expected = var / (var + eps)    # the variance of a row once normalised
        raw = y.astype(np.float64)
        if (np.allclose(raw.mean(axis=-1), 0, atol=1e-4)
                and np.allclose(raw.var(axis=-1), expected, rtol=1e-3)):
            return [f"on {probe.name}, your rows are normalised but gamma and beta are not "
                    "applied: scale by gamma, then add beta."]
        normalised = (raw - beta) / gamma
        if not np.allclose(normalised.mean(axis=-1), 0, atol=1e-3):
            return [f"on {probe.name}, once gamma and beta are undone your rows do not have "
                    "mean 0 along the last axis: normalise each position over its features "
                    "(the last axis), then scale by gamma and add beta."]
        got = normalised.var(axis=-1)
        if not np.allclose(got, expected, rtol=1e-3):
            return [f"on {probe.name}, once gamma and beta are undone, row 0 has variance "
                    f"{got.flat[0]:.4g} where var / (var + eps) = {expected.flat[0]:.4g} is "
                    "expected: use the biased variance (divide by n) and put eps inside the "
                    "square root."]
    return []


def _feed_forward(observed) -> list[str]:
    for probe, r in observed:
        x, w_1, b_1, w_2, b_2 = probe.call.args
        if not (b_1 < -10).all() or r.kind != "value" or not isinstance(r.value, np.ndarray):
            continue
        if r.value.shape == x.shape[:-1] + b_2.shape and not np.allclose(r.value, b_2):
            return [f"on {probe.name}, the output must be b_2 alone (the ReLU zeroes the "
                    "whole hidden layer); yours is not: check that the ReLU sits between the "
                    "two linear maps, with b_1 added before it."]
    return []


def _output_shape(function: str):
    def shape_fact(observed) -> list[str]:
        for probe, r in observed:
            first = probe.call.args[0]
            y = r.value if r.kind == "value" else None
            if isinstance(y, np.ndarray) and y.shape != first.shape:
                return [f"on {probe.name}, the result has shape {y.shape}; {function} keeps "
                        f"the shape of its input, {first.shape}."]
        return []
    return shape_fact


SPECIFIC = {
    "softmax": _softmax,
    "positional_encoding": _positional_encoding,
    "scaled_dot_product_attention": attention_facts,
    "causal_mask": _causal_mask,
    "multi_head_attention": _output_shape("multi_head_attention"),
    "layer_norm": _layer_norm,
    "feed_forward": _feed_forward,
    "encoder_block": _output_shape("encoder_block"),
}


def facts(function: str, observed: list[tuple[Probe, Result]]) -> list[str]:
    """True statements about the student's results on the probes, most telling first."""
    found = _general(function, observed)
    specific = SPECIFIC.get(function)
    if specific is not None:
        found += specific(observed)
    return list(dict.fromkeys(found))
