"""Exercise: a transformer encoder block.

Attention mixes information across tokens; the feed-forward network then
transforms each token on its own; residual connections and layer norm keep the
signal well scaled as blocks are stacked.

Implement the functions below with NumPy only; ``multi_head_attention``
comes from your own ``attention.py``. Inputs may be read-only, and float32 in
gives float32 out. ``gelu`` and the ``activation`` option belong to the capstone:
BERT-style models use GELU in their feed-forward layers.
"""
import numpy as np

from attention import multi_head_attention


def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm(x) = gamma * (x - mean) / sqrt(var + eps) + beta, over the last axis.

    ``x (..., d_model)``; ``gamma`` and ``beta (d_model,)``. ``mean`` and
    ``var`` are taken over the last axis; ``var`` is the biased variance
    (divide by d_model, ``np.var``'s default) and ``eps`` goes inside the
    square root. Returns the shape of ``x``.

    Worked example: [1, 2, 3] has mean 2 and variance 2/3.

    >>> np.round(layer_norm(np.array([1.0, 2.0, 3.0]), np.ones(3), np.zeros(3)), 4)
    array([-1.2247,  0.    ,  1.2247])
    """
    raise NotImplementedError(
        "layer_norm is not written yet: normalise over the last axis "
        "(keepdims=True), then scale by gamma and shift by beta.")


def gelu(x):
    """GELU(x) = 0.5 x (1 + erf(x / sqrt(2))), elementwise (the capstone).

    Same shape and dtype as ``x``; within 1e-6 of the exact value. NumPy has no
    ``erf``: ``math.erf`` on each element is correct but slow; a published
    polynomial approximation (Abramowitz and Stegun, formula 7.1.26, error below
    1.5e-7) is fast and accurate enough. The tanh approximation is not (it is off
    by up to 5e-4).

    Worked example: erf(0) = 0, and erf(x / sqrt(2)) tends to 1 for large x.

    >>> np.round(gelu(np.array([-10.0, 0.0, 1.0, 10.0])), 4)
    array([-0.    ,  0.    ,  0.8413, 10.    ])
    """
    raise NotImplementedError(
        "gelu is not written yet: 0.5 * x * (1 + erf(x / sqrt(2))), with an erf that "
        "works on arrays.")


def feed_forward(x, w_1, b_1, w_2, b_2, activation="relu"):
    """FFN(x) = act(x W_1^T + b_1) W_2^T + b_2, applied to each position alone.

    ``x (..., d_model)``, ``w_1 (d_ff, d_model)``, ``b_1 (d_ff,)``,
    ``w_2 (d_model, d_ff)``, ``b_2 (d_model,)`` (the ``torch.nn.Linear``
    layout). ``act`` is ``relu`` by default, ``gelu`` with ``activation="gelu"``;
    any other ``activation`` raises ``ValueError``. Returns the shape of ``x``.

    Worked example: relu([1, -2]) = [1, 0], then [1, 0] W_2^T = [1, 2], plus b_2.

    >>> w_2 = np.array([[1.0, 1.0], [2.0, 0.0]])
    >>> feed_forward(np.array([[1.0, -2.0]]), np.eye(2), np.zeros(2), w_2, np.full(2, 0.5))
    array([[1.5, 2.5]])
    """
    raise NotImplementedError(
        "feed_forward is not written yet: a linear layer, relu (np.maximum), "
        "another linear layer.")


def encoder_block(x, params, num_heads, mask=None, norm_first=False, eps=1e-5,
                  activation="relu"):
    """One encoder layer over ``x (..., L, d_model)``; returns the same shape.

    Post-norm (the paper, default)::

        x = LN1(x + MHA(x, x))
        x = LN2(x + FFN(x))

    Pre-norm (``norm_first=True``)::

        x = x + MHA(LN1(x), LN1(x))
        x = x + FFN(LN2(x))

    ``params`` holds the keys of ``multi_head_attention`` (``w_q`` .. ``b_o``),
    ``w_1, b_1, w_2, b_2`` for ``feed_forward`` and ``ln1_gamma, ln1_beta,
    ln2_gamma, ln2_beta (d_model,)``. ``mask`` (True = may attend) is passed to
    the attention and ``activation`` to ``feed_forward``. No dropout.

    Worked example: with every weight and bias 0 (and gammas 1, betas 0) both
    sublayers output 0, so only the residual path is left: pre-norm returns
    ``x`` unchanged, post-norm returns ``layer_norm(x)``.

    >>> d_model, d_ff = 4, 8
    >>> params = {name: np.zeros((d_model, d_model)) for name in ("w_q", "w_k", "w_v", "w_o")}
    >>> params.update({name: np.zeros(d_model) for name in ("b_q", "b_k", "b_v", "b_o", "b_2")})
    >>> params.update(w_1=np.zeros((d_ff, d_model)), b_1=np.zeros(d_ff), w_2=np.zeros((d_model, d_ff)))
    >>> params.update(ln1_gamma=np.ones(d_model), ln1_beta=np.zeros(d_model),
    ...               ln2_gamma=np.ones(d_model), ln2_beta=np.zeros(d_model))
    >>> x = np.array([[1.0, 2.0, 3.0, 4.0]])
    >>> encoder_block(x, params, num_heads=2, norm_first=True)
    array([[1., 2., 3., 4.]])
    >>> np.round(encoder_block(x, params, num_heads=2), 4)
    array([[-1.3416, -0.4472,  0.4472,  1.3416]])
    """
    raise NotImplementedError(
        "encoder_block is not written yet: combine multi_head_attention, "
        "feed_forward and layer_norm with residual connections, in the order "
        "the docstring gives for norm_first.")
