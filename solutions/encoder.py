"""A transformer encoder block: attention, feed-forward, residuals, layer norm.

Reference solution for ``exercises/encoder.py``. With the same weights it
matches ``torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward,
dropout=0.0, batch_first=True, norm_first=...)`` in eval mode, except that our
mask means True = may attend where torch's ``src_mask`` means True = blocked.
``activation="gelu"`` gives BERT's feed-forward layer (torch's ``activation="gelu"``).
"""
import math

import numpy as np

from attention import multi_head_attention


def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm(x) = gamma * (x - mean) / sqrt(var + eps) + beta, over the last axis.

    ``x (..., d_model)``, ``gamma`` and ``beta (d_model,)``. ``var`` is the
    biased variance (divide by d_model, as torch), and ``eps`` sits inside the
    square root, so a constant row maps to ``beta`` instead of dividing by 0.
    """
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def gelu(x):
    """GELU(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt(2))) (Hendrycks and Gimpel, 2016).

    Elementwise; keeps the shape and dtype of ``x``. erf comes from the polynomial
    above, so the result is within 3e-7 of the exact value (0.5 |x| 1.5e-7 where the
    polynomial is not exact). The tanh approximation GPT-2 uses is off by up to 5e-4,
    which is why BERT's checkpoints (and this course) want the erf form.
    """
    # Abramowitz and Stegun (1964), formula 7.1.26: erf(z) = 1 - t P(t) exp(-z^2) with
    # t = 1 / (1 + p z), for z >= 0, |error| <= 1.5e-7. NumPy has no erf, and math.erf
    # element by element would be the slowest step of the whole model.
    p, a = 0.3275911, (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
    x = np.asarray(x)
    # In place on one flat buffer: GELU runs on every hidden unit of every token, the
    # largest elementwise step of the model, and fresh temporaries would double its time.
    flat = x.reshape(-1)
    z = np.abs(flat) * (1 / math.sqrt(2))       # a Python float: float32 stays float32
    t = z * p
    t += 1
    np.reciprocal(t, out=t)
    tail = t * a[0]                              # Horner's rule for t P(t)
    for coefficient in a[1:]:
        tail += coefficient
        tail *= t
    z *= z
    np.negative(z, out=z)
    tail *= np.exp(z, out=z)                     # tail = 1 - erf(|x| / sqrt(2))
    # 1 + erf(x / sqrt(2)) is the tail itself for x < 0 and 2 - tail otherwise; taking
    # it as 1 + (tail - 1) would cancel most of float32's digits where GELU is near 0.
    np.subtract(2, tail, out=tail, where=flat >= 0)
    tail *= flat
    tail *= 0.5
    return tail.reshape(x.shape)


def feed_forward(x, w_1, b_1, w_2, b_2, activation="relu"):
    """FFN(x) = act(x W_1^T + b_1) W_2^T + b_2, applied to each position alone.

    ``x (..., d_model)``, ``w_1 (d_ff, d_model)``, ``b_1 (d_ff,)``,
    ``w_2 (d_model, d_ff)``, ``b_2 (d_model,)`` (``torch.nn.Linear`` layout).
    ``activation`` is ``"relu"`` (the paper) or ``"gelu"`` (BERT); anything else
    raises ``ValueError``.
    """
    activations = {"relu": lambda h: np.maximum(h, 0), "gelu": gelu}
    if activation not in activations:
        raise ValueError(f"activation must be 'relu' or 'gelu', got {activation!r}")
    # One 2-D matrix product over every position at once: a stacked (..., L, d)
    # product would run one small product per batch item instead.
    shape = x.shape
    h = x.reshape(-1, shape[-1]) @ w_1.T
    h += b_1                  # in place: h is the largest array of the layer
    y = activations[activation](h) @ w_2.T
    y += b_2
    return y.reshape(*shape[:-1], w_2.shape[0])


def encoder_block(x, params, num_heads, mask=None, norm_first=False, eps=1e-5,
                  activation="relu"):
    """One encoder layer over ``x (..., L, d_model)``; returns the same shape.

    Post-norm (the paper, default)::

        x = LN1(x + MHA(x, x))
        x = LN2(x + FFN(x))

    Pre-norm (``norm_first=True``, common in modern models because the
    residual path is left untouched, which trains more stably when deep)::

        x = x + MHA(LN1(x), LN1(x))
        x = x + FFN(LN2(x))

    ``params`` holds ``w_q, w_k, w_v, w_o, b_q, b_k, b_v, b_o`` (see
    ``multi_head_attention``), ``w_1, b_1, w_2, b_2`` (see ``feed_forward``) and
    ``ln1_gamma, ln1_beta, ln2_gamma, ln2_beta (d_model,)``. ``mask`` (True =
    may attend) broadcasts to ``(..., num_heads, L, L)``. ``activation`` goes to
    ``feed_forward``. No dropout.
    """
    def mha(h):
        return multi_head_attention(h, h, params, num_heads, mask)

    def ffn(h):
        return feed_forward(h, params["w_1"], params["b_1"], params["w_2"], params["b_2"],
                            activation)

    def ln1(h):
        return layer_norm(h, params["ln1_gamma"], params["ln1_beta"], eps)

    def ln2(h):
        return layer_norm(h, params["ln2_gamma"], params["ln2_beta"], eps)

    if norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))
