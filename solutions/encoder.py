"""A transformer encoder block: attention, feed-forward, residuals, layer norm.

Reference solution for ``exercises/encoder.py``. With the same weights it
matches ``torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward,
dropout=0.0, batch_first=True, norm_first=...)`` in eval mode, except that our
mask means True = may attend where torch's ``src_mask`` means True = blocked.
"""
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


def feed_forward(x, w_1, b_1, w_2, b_2):
    """FFN(x) = relu(x W_1^T + b_1) W_2^T + b_2, applied to each position alone.

    ``x (..., d_model)``, ``w_1 (d_ff, d_model)``, ``b_1 (d_ff,)``,
    ``w_2 (d_model, d_ff)``, ``b_2 (d_model,)`` (``torch.nn.Linear`` layout).
    """
    return np.maximum(x @ w_1.T + b_1, 0) @ w_2.T + b_2


def encoder_block(x, params, num_heads, mask=None, norm_first=False, eps=1e-5):
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
    may attend) broadcasts to ``(..., num_heads, L, L)``. No dropout.
    """
    def mha(h):
        return multi_head_attention(h, h, params, num_heads, mask)

    def ffn(h):
        return feed_forward(h, params["w_1"], params["b_1"], params["w_2"], params["b_2"])

    def ln1(h):
        return layer_norm(h, params["ln1_gamma"], params["ln1_beta"], eps)

    def ln2(h):
        return layer_norm(h, params["ln2_gamma"], params["ln2_beta"], eps)

    if norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))
