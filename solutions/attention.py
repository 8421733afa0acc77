"""Scaled dot-product attention and multi-head attention (Vaswani et al., 2017).

Reference solution for ``exercises/attention.py``. Conventions, stated once:

* A boolean mask is True where a query **may attend** to a key, as in
  ``torch.nn.functional.scaled_dot_product_attention``. (``torch.nn.MultiheadAttention``
  and ``TransformerEncoderLayer`` use the opposite polarity: True = blocked.)
* Projections use the ``torch.nn.Linear`` layout: ``x @ W.T + b``.
* float32 in gives float32 out; scale factors are Python floats so they never
  promote a float32 array to float64.
"""
import math

import numpy as np

from softmax import softmax


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V.

    Shapes: ``q (..., Lq, d_k)``, ``k (..., Lk, d_k)``, ``v (..., Lk, d_v)``;
    ``Lq`` may differ from ``Lk`` and ``d_v`` from ``d_k``. Leading dimensions
    broadcast.

    ``mask``: optional boolean array broadcastable to ``(..., Lq, Lk)``, True
    where the query may attend to the key. A masked-out key gets weight exactly
    0. A query whose keys are all masked out gets weights 0 and output 0, as
    torch's SDPA does (a plain softmax would give NaN there).

    Returns ``(output, weights)`` with ``output (..., Lq, d_v)`` and
    ``weights (..., Lq, Lk)``, each row of ``weights`` summing to 1 (or 0 for a
    fully masked query).

    Raises ``TypeError`` if ``mask`` is not boolean: a 0/1 float mask is
    ambiguous (additive or multiplicative?) so it is refused rather than guessed.
    """
    d_k = q.shape[-1]
    # Dividing by sqrt(d_k) keeps the variance of the scores near 1 however wide
    # the heads are, so the softmax does not saturate into a one-hot.
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(d_k)               # (..., Lq, Lk)
    if mask is None:
        weights = softmax(scores, axis=-1)
    else:
        mask = np.asarray(mask)
        if mask.dtype != np.bool_:
            raise TypeError(
                f"mask must be a boolean array (True = may attend), got dtype {mask.dtype}; "
                "convert a 0/1 mask with mask.astype(bool)")
        weights = softmax(np.where(mask, scores, -np.inf), axis=-1)
        # Fully masked rows are all -inf, hence NaN after softmax; zeroing every
        # masked entry fixes them and leaves the other rows' exact zeros alone.
        weights = np.where(mask, weights, 0.0)
    return weights @ v, weights


def causal_mask(lq, lk=None):
    """Boolean ``(lq, lk)`` mask, True where key index <= query index.

    ``lk`` defaults to ``lq``. The lower triangle is aligned to the top-left
    corner, like torch's ``is_causal=True``: query ``i`` sees keys ``0..i``.
    """
    lk = lq if lk is None else lk
    return np.tril(np.ones((lq, lk), dtype=bool))


def multi_head_attention(x_q, x_kv, params, num_heads, mask=None):
    """MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O^T + b_O,
    head_h = Attention(x_q W_Q,h^T + b_Q,h,  x_kv W_K,h^T + b_K,h,  x_kv W_V,h^T + b_V,h).

    Shapes: ``x_q (..., Lq, d_model)``, ``x_kv (..., Lk, d_model)``; ``params``
    holds ``w_q, w_k, w_v, w_o (d_model, d_model)`` and ``b_q, b_k, b_v, b_o
    (d_model,)``. Returns ``(..., Lq, d_model)``.

    Head ``h`` owns features ``[h*d_h, (h+1)*d_h)`` of each projection, with
    ``d_h = d_model // num_heads`` and scale ``1/sqrt(d_h)``; heads are
    concatenated in order. Self-attention passes the same array twice;
    cross-attention may have ``Lq != Lk``.

    ``mask`` (True = may attend) broadcasts to ``(..., num_heads, Lq, Lk)``: a
    ``(Lq, Lk)`` mask applies to every head, a ``(B, 1, Lq, Lk)`` mask per batch
    item, a ``(B, num_heads, Lq, Lk)`` mask per head.

    Raises ``ValueError`` if ``d_model`` is not divisible by ``num_heads``.
    """
    d_model = x_q.shape[-1]
    if num_heads < 1 or d_model % num_heads:
        raise ValueError(
            f"d_model={d_model} must be divisible by num_heads={num_heads}")
    d_h = d_model // num_heads

    def project_and_split(x, w, b):
        # (..., L, d_model) -> (..., num_heads, L, d_h): one projection for all
        # heads, then a reshape, which is the same as h separate d_h projections.
        y = x @ w.T + b
        return y.reshape(*y.shape[:-1], num_heads, d_h).swapaxes(-2, -3)

    q = project_and_split(x_q, params["w_q"], params["b_q"])
    k = project_and_split(x_kv, params["w_k"], params["b_k"])
    v = project_and_split(x_kv, params["w_v"], params["b_v"])
    heads, _ = scaled_dot_product_attention(q, k, v, mask)        # (..., H, Lq, d_h)
    concat = heads.swapaxes(-2, -3)                                # (..., Lq, H, d_h)
    concat = concat.reshape(*concat.shape[:-2], d_model)
    return concat @ params["w_o"].T + params["b_o"]
