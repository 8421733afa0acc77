"""Exercise: scaled dot-product attention and multi-head attention.

Each token asks a question (its query), compares it with every token's label
(the keys), and takes a weighted blend of their contents (the values). The
weights are a calculation, not an explanation of the model's "reasoning".

Conventions used throughout:

* A boolean mask is True where a query **may attend** to a key, as in
  ``torch.nn.functional.scaled_dot_product_attention``.
* Projections use the ``torch.nn.Linear`` layout: ``x @ W.T + b``.
* float32 in gives float32 out. Beware: ``np.sqrt(d_k)`` is a float64 NumPy
  scalar and silently turns a float32 array into float64; a Python float
  (``math.sqrt``) does not.
* Inputs may be read-only: never modify them in place.

Implement the three functions below with NumPy only; ``softmax`` comes from
your own ``softmax.py``.
"""
import math

import numpy as np

from softmax import softmax


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V.

    Shapes: ``q (..., Lq, d_k)``, ``k (..., Lk, d_k)``, ``v (..., Lk, d_v)``.
    ``Lq`` may differ from ``Lk``, ``d_v`` from ``d_k``; leading dimensions
    ``...`` broadcast. Transpose only the last two axes (``k.swapaxes(-1, -2)``;
    ``k.T`` would reverse the batch axes too).

    ``mask``: optional boolean array broadcastable to ``(..., Lq, Lk)``, True
    where the query may attend to the key. A masked-out key gets weight exactly
    0. A query whose keys are all masked out gets weights 0 and output 0 (as
    torch does), not NaN. A mask that is not boolean raises ``TypeError``.

    Returns ``(output, weights)``: ``output (..., Lq, d_v)``, ``weights (..., Lq, Lk)``.

    Worked example: a zero query scores every key 0, so the weights are uniform
    and the output is the mean of the values; masking out key 1 puts all the
    weight on key 0.

    >>> q = np.zeros((1, 2))
    >>> k = np.eye(2)
    >>> v = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> output, weights = scaled_dot_product_attention(q, k, v)
    >>> weights
    array([[0.5, 0.5]])
    >>> output
    array([[2., 3.]])
    >>> output, weights = scaled_dot_product_attention(q, k, v, mask=np.array([[True, False]]))
    >>> weights
    array([[1., 0.]])
    >>> output
    array([[1., 2.]])
    """
    raise NotImplementedError(
        "scaled_dot_product_attention is not written yet: scores = q @ kᵀ / sqrt(d_k), "
        "set masked-out scores to -inf, softmax over the key axis, then multiply by v.")


def causal_mask(lq, lk=None):
    """Boolean ``(lq, lk)`` mask, True where key index <= query index.

    ``lk`` defaults to ``lq``. Query ``i`` may see keys ``0 .. i`` and nothing
    later (the lower triangle, aligned to the top-left corner as torch's
    ``is_causal=True``).

    >>> causal_mask(3)
    array([[ True, False, False],
           [ True,  True, False],
           [ True,  True,  True]])
    """
    raise NotImplementedError(
        "causal_mask is not written yet: np.tril of a boolean array of ones does it.")


def multi_head_attention(x_q, x_kv, params, num_heads, mask=None):
    """MultiHead(x_q, x_kv) = Concat(head_1, ..., head_h) W_O^T + b_O, where
    head_h = Attention(Q_h, K_h, V_h) on the h-th slice of the projections
    Q = x_q W_Q^T + b_Q,  K = x_kv W_K^T + b_K,  V = x_kv W_V^T + b_V.

    Shapes: ``x_q (..., Lq, d_model)``, ``x_kv (..., Lk, d_model)``; ``params``
    is a dict with ``w_q, w_k, w_v, w_o (d_model, d_model)`` and
    ``b_q, b_k, b_v, b_o (d_model,)``. Returns ``(..., Lq, d_model)``.

    Head ``h`` uses features ``[h*d_h, (h+1)*d_h)`` of Q, K and V, where
    ``d_h = d_model // num_heads``, and is scaled by ``1/sqrt(d_h)``. Heads are
    concatenated in order before the output projection. Self-attention passes
    the same array as ``x_q`` and ``x_kv``; cross-attention may have ``Lq != Lk``.

    ``mask`` (True = may attend) broadcasts to ``(..., num_heads, Lq, Lk)``, so
    a ``(Lq, Lk)`` mask applies to every head. ``d_model`` not divisible by
    ``num_heads`` raises ``ValueError``.

    Worked example: identity projections, zero biases, two heads of width 1.
    Head 0 only sees feature 0 and head 1 only feature 1, so token 0 mostly
    attends to itself in head 0 (softmax([1, 0]) = [0.7311, 0.2689]) and
    spreads evenly in head 1 (both scores 0).

    >>> eye, zero = np.eye(2), np.zeros(2)
    >>> params = {"w_q": eye, "w_k": eye, "w_v": eye, "w_o": eye,
    ...           "b_q": zero, "b_k": zero, "b_v": zero, "b_o": zero}
    >>> np.round(multi_head_attention(eye, eye, params, num_heads=2), 4)
    array([[0.7311, 0.5   ],
           [0.5   , 0.7311]])

    Hint: project once with the full matrices, then reshape
    ``(..., L, d_model)`` to ``(..., L, num_heads, d_h)`` and swap two axes to
    get ``(..., num_heads, L, d_h)``: your ``scaled_dot_product_attention``
    then handles all heads at once.
    """
    raise NotImplementedError(
        "multi_head_attention is not written yet: project, split into heads, "
        "call scaled_dot_product_attention, merge the heads, project with w_o.")
