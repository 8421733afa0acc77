"""Reference-free facts about attention weights (see :mod:`.properties`).

The contract fixes what the weights of ``scaled_dot_product_attention`` are: a softmax
over the keys of q·kᵀ / sqrt(d_k), with masked-out keys at exactly 0. So the weights a
student returns can be checked on their own: each row sums to 1, masked keys get 0, the
output is the weights times v, and the scale can be *fitted*: if the weights are
softmax(c · q·kᵀ) for some c, that c is read off their logarithms and compared with
1/sqrt(d_k).
"""
from __future__ import annotations

import numpy as np

from .outcomes import Result
from .probes import Probe


def _fitted_scale(probe: Probe, weights: np.ndarray) -> float | None:
    """The c for which ``weights`` are softmax(c · q kᵀ) over the keys, if they are."""
    q, k, _ = probe.call.args
    raw = (q.astype(np.float64) @ k.astype(np.float64).swapaxes(-1, -2))
    if weights.shape != raw.shape or not (np.isfinite(weights).all() and (weights > 0).all()):
        return None
    log_w = np.log(weights.astype(np.float64))
    a = log_w - log_w.mean(axis=-1, keepdims=True)
    b = raw - raw.mean(axis=-1, keepdims=True)
    c = float((a * b).sum() / (b * b).sum())
    fits = np.linalg.norm(a - c * b) <= 1e-3 * max(np.linalg.norm(a), 1e-12)
    return c if fits else None


def _scale_fact(probe: Probe, weights: np.ndarray) -> list[str]:
    c = _fitted_scale(probe, weights)
    d_k = probe.call.args[0].shape[-1]
    expected = 1 / np.sqrt(d_k)
    if c is None or np.isclose(c, expected, rtol=1e-3):
        return []
    known = {1.0: " (no scaling at all)", 1 / d_k: " (a division by d_k)"}
    name = next((text for value, text in known.items() if np.isclose(c, value, rtol=1e-3)), "")
    return [f"on {probe.name}, your weights are softmax(c · q·kᵀ) with c = {c:.4g}{name}; the "
            f"scale is 1/sqrt(d_k) = {expected:.4g} here (d_k = {d_k})."]


def attention_facts(observed: list[tuple[Probe, Result]]) -> list[str]:
    """Facts about the weights, each said once (on the first probe that shows it)."""
    found: dict[str, str] = {}
    for probe, r in observed:
        q, k, v = probe.call.args
        mask = probe.call.kwargs.get("mask")
        if r.kind != "value" or not isinstance(r.value, (tuple, list)) or len(r.value) != 2:
            continue
        output, weights = r.value
        lq, lk = q.shape[-2], k.shape[-2]
        if not isinstance(weights, np.ndarray) or weights.shape[-2:] != (lq, lk):
            shape = getattr(weights, "shape", None)
            if shape is not None and shape[-2:] == (lk, lq) and lq != lk:
                found.setdefault("transposed", (
                    f"on {probe.name}, your weights have shape {shape}: one row per key "
                    "instead of one row per query (Lq, Lk); they are transposed."))
            continue
        with np.errstate(all="ignore"):
            sums = weights.sum(axis=-1)
        live = np.ones(sums.shape, dtype=bool)
        if mask is not None and mask.dtype == np.bool_:
            blocked = ~np.broadcast_to(mask, weights.shape)
            if np.any(np.abs(weights[blocked]) > 1e-6):
                found.setdefault("masked", (
                    f"on {probe.name}, keys that are masked out (False) get a nonzero "
                    "weight; a masked-out key must get weight exactly 0."))
            live = ~blocked.all(axis=-1)
            if np.any(~live) and not np.allclose(weights[~live], 0, equal_nan=False):
                found.setdefault("fully masked", (
                    f"on {probe.name}, a query whose keys are all masked out gets weights "
                    "that are not 0 (or NaN); it must get weights 0 and output 0."))
        if np.isfinite(weights).all() and not np.allclose(sums[live], 1, atol=1e-4):
            over_queries = np.allclose(weights.sum(axis=-2), 1, atol=1e-4)
            found.setdefault("sums", f"on {probe.name}, each query's weights do not sum to 1" + (
                "; each key's weights over the queries do, so the softmax runs over the "
                "query axis instead of the key axis." if over_queries else "."))
        if mask is None:
            for fact in _scale_fact(probe, weights):
                found.setdefault("scale", fact)
        if (isinstance(output, np.ndarray) and np.isfinite(weights).all()
                and output.shape == (weights @ v).shape
                and not np.allclose(output, weights @ v, rtol=1e-4, atol=1e-6)):
            found.setdefault("output", f"on {probe.name}, the output is not your weights "
                                       "times v.")
    return list(found.values())
