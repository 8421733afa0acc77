"""Known mistakes in ``attention.py`` (see ``softmax.py`` here for the format).

The variants are appended to a copy of ``solutions/attention.py``, so ``softmax`` is
the reference softmax and, in the multi-head variants, ``scaled_dot_product_attention``
is the reference one.
"""
import math

import numpy as np

from softmax import softmax


def _checked_mask(mask):
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"mask must be boolean, got {mask.dtype}")
    return mask


def _weights(scores, mask):
    """The reference's masked softmax, for variants whose mistake lies elsewhere."""
    if mask is None:
        return softmax(scores, axis=-1)
    mask = _checked_mask(mask)
    return np.where(mask, softmax(np.where(mask, scores, -np.inf), axis=-1), 0.0)


# -- scaled_dot_product_attention ---------------------------------------------------

@mistake("scaled_dot_product_attention", "no-scaling", hint=(
    "The scores are not scaled: divide q·k by the square root of d_k before the "
    "softmax, or the softmax saturates towards one-hot as d_k grows."))
def sdpa_no_scaling(q, k, v, mask=None):
    weights = _weights(q @ k.swapaxes(-1, -2), mask)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "divide-by-d_k", hint=(
    "You divide the scores by d_k; the scale is 1 / sqrt(d_k), the square root of the "
    "key dimension."))
def sdpa_divide_by_d_k(q, k, v, mask=None):
    weights = _weights(q @ k.swapaxes(-1, -2) / q.shape[-1], mask)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "softmax-over-queries", hint=(
    "The softmax runs over the query axis; each query's weights over the keys must sum "
    "to 1, so normalise along the last axis (the keys) of the (..., Lq, Lk) scores."))
def sdpa_softmax_over_queries(q, k, v, mask=None):
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    if mask is None:
        weights = softmax(scores, axis=-2)
    else:
        mask = _checked_mask(mask)
        weights = np.where(mask, softmax(np.where(mask, scores, -np.inf), axis=-2), 0.0)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "mask-after-softmax", hint=(
    "The mask is applied after the softmax, so the remaining weights no longer sum to 1. "
    "Mask the scores first (a blocked key gets a score of -inf), then take the softmax."))
def sdpa_mask_after_softmax(q, k, v, mask=None):
    weights = softmax(q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1]), axis=-1)
    if mask is not None:
        weights = np.where(_checked_mask(mask), weights, 0.0)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "mask-polarity-inverted", hint=(
    "Your mask polarity is inverted: in this course True means the query MAY attend to "
    "that key (the convention of torch's scaled_dot_product_attention), so it is the "
    "False entries that must be blocked."))
def sdpa_mask_polarity_inverted(q, k, v, mask=None):
    if mask is not None:
        mask = ~_checked_mask(mask)
    weights = _weights(q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1]), mask)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "mask-multiplies-scores", hint=(
    "Multiplying the scores by the mask turns a blocked score into 0, which still gets "
    "the weight exp(0). A blocked key needs a score of -inf, so that its weight is "
    "exactly 0."))
def sdpa_mask_multiplies_scores(q, k, v, mask=None):
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores * _checked_mask(mask)
    weights = softmax(scores, axis=-1)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "minus-1e9", hint=(
    "A query whose keys are all masked out gets uniform weights: -1e9 is not -inf, so a "
    "fully blocked row still averages every key. Block with -inf, and give such a row "
    "weights 0 and output 0 (its softmax is NaN: zero the masked entries afterwards)."))
def sdpa_minus_1e9(q, k, v, mask=None):
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(_checked_mask(mask), scores, -1e9)
    weights = softmax(scores, axis=-1)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "k-transpose-2d-only", hint=(
    "k.T reverses every axis, which is right only for 2-D inputs: with a batch it "
    "mixes the batch axes into the product. Swap just the last two axes of k."))
def sdpa_k_transpose_2d_only(q, k, v, mask=None):
    weights = _weights(q @ k.T / math.sqrt(q.shape[-1]), mask)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "scores-returned", hint=(
    "The second value you return is the scaled scores; it must be the attention "
    "weights, the scores after the (masked) softmax."))
def sdpa_scores_returned(q, k, v, mask=None):
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    return _weights(scores, mask) @ v, scores


@mistake("scaled_dot_product_attention", "weights-transposed", hint=(
    "The weights you return are transposed: they have one row per query, shape "
    "(..., Lq, Lk), and each row sums to 1."))
def sdpa_weights_transposed(q, k, v, mask=None):
    weights = _weights(q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1]), mask)
    return weights @ v, weights.swapaxes(-1, -2)


@mistake("scaled_dot_product_attention", "non-boolean-mask-accepted", hint=(
    "A mask that is not boolean must raise TypeError (is a 0/1 float mask additive or "
    "multiplicative?); yours is silently converted. Check the mask's dtype."))
def sdpa_non_boolean_mask_accepted(q, k, v, mask=None):
    if mask is not None:
        mask = np.asarray(mask).astype(bool)
    weights = _weights(q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1]), mask)
    return weights @ v, weights


@mistake("scaled_dot_product_attention", "scale-promotes-float64", hint=(
    "float32 in gives float64 out: np.sqrt of a number is a float64 NumPy scalar, and "
    "dividing a float32 array by it promotes the result. Use a plain Python float for "
    "the scale (math.sqrt)."))
def sdpa_scale_promotes_float64(q, k, v, mask=None):
    weights = _weights(q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1]), mask)
    return weights @ v, weights


# -- causal_mask --------------------------------------------------------------------

@mistake("causal_mask", "diagonal-excluded", hint=(
    "The diagonal is False, so a position cannot attend to itself; query i may see keys "
    "0..i, including key i."))
def causal_diagonal_excluded(lq, lk=None):
    lk = lq if lk is None else lk
    return np.tril(np.ones((lq, lk), dtype=bool), k=-1)


@mistake("causal_mask", "upper-triangle", hint=(
    "Your mask keeps the upper triangle, so each query sees the future instead of the "
    "past: True belongs where the key index is at most the query index (the lower "
    "triangle)."))
def causal_upper_triangle(lq, lk=None):
    lk = lq if lk is None else lk
    return np.triu(np.ones((lq, lk), dtype=bool))


@mistake("causal_mask", "true-means-blocked", hint=(
    "Your mask marks the blocked keys (True = blocked, the convention of "
    "torch.nn.MultiheadAttention); in this course True means 'may attend', so the "
    "keys at or before each query must be True."))
def causal_true_means_blocked(lq, lk=None):
    lk = lq if lk is None else lk
    return np.triu(np.ones((lq, lk), dtype=bool), k=1)


@mistake("causal_mask", "lk-ignored", hint=(
    "lk is ignored, so the mask is always square; with lq queries and lk keys it has "
    "shape (lq, lk)."))
def causal_lk_ignored(lq, lk=None):
    return np.tril(np.ones((lq, lq), dtype=bool))


@mistake("causal_mask", "aligned-bottom-right", hint=(
    "Your triangle is aligned to the bottom-right corner; this course aligns it to the "
    "top-left, as torch's is_causal does: query i sees keys 0..i, also when lk != lq."))
def causal_aligned_bottom_right(lq, lk=None):
    lk = lq if lk is None else lk
    return np.tril(np.ones((lq, lk), dtype=bool), k=lk - lq)


@mistake("causal_mask", "not-boolean", hint=(
    "The mask holds numbers, not booleans: return an array of dtype bool."))
def causal_not_boolean(lq, lk=None):
    lk = lq if lk is None else lk
    return np.tril(np.ones((lq, lk)))


# -- multi_head_attention -----------------------------------------------------------

def _project(x, w, b):
    return x @ w.T + b


def _split(y, num_heads):
    return y.reshape(*y.shape[:-1], num_heads, y.shape[-1] // num_heads).swapaxes(-2, -3)


def _merge(heads):
    heads = heads.swapaxes(-2, -3)
    return heads.reshape(*heads.shape[:-2], -1)


def _heads_checked(x_q, num_heads):
    if num_heads < 1 or x_q.shape[-1] % num_heads:
        raise ValueError("d_model must be divisible by num_heads")


@mistake("multi_head_attention", "split-without-transpose", hint=(
    "The heads are split by reshaping straight to (..., num_heads, L, d_h), which "
    "scrambles positions and features. Reshape to (..., L, num_heads, d_h), then swap "
    "the L and head axes."))
def mha_split_without_transpose(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)

    def split(y):
        return y.reshape(*y.shape[:-2], num_heads, y.shape[-2], y.shape[-1] // num_heads)

    q = split(_project(x_q, params["w_q"], params["b_q"]))
    k = split(_project(x_kv, params["w_k"], params["b_k"]))
    v = split(_project(x_kv, params["w_v"], params["b_v"]))
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    return _project(_merge(heads), params["w_o"], params["b_o"])


@mistake("multi_head_attention", "merge-without-transpose", hint=(
    "The heads are merged by reshaping (..., num_heads, L, d_h) straight to "
    "(..., L, d_model), which scrambles positions and features. Swap the head and L "
    "axes back first, so each position gathers its own features from every head."))
def mha_merge_without_transpose(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    q = _split(_project(x_q, params["w_q"], params["b_q"]), num_heads)
    k = _split(_project(x_kv, params["w_k"], params["b_k"]), num_heads)
    v = _split(_project(x_kv, params["w_v"], params["b_v"]), num_heads)
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    concat = heads.reshape(*heads.shape[:-3], heads.shape[-2], -1)
    return _project(concat, params["w_o"], params["b_o"])


@mistake("multi_head_attention", "scaled-by-d_model", hint=(
    "The scores are scaled by 1 / sqrt(d_model); each head uses 1 / sqrt(d_h), with "
    "d_h = d_model / num_heads the width of one head. With one head the two agree, "
    "which hides the mistake."))
def mha_scaled_by_d_model(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    d_model = x_q.shape[-1]
    q = _split(_project(x_q, params["w_q"], params["b_q"]), num_heads)
    k = _split(_project(x_kv, params["w_k"], params["b_k"]), num_heads)
    v = _split(_project(x_kv, params["w_v"], params["b_v"]), num_heads)
    weights = _weights(q @ k.swapaxes(-1, -2) / math.sqrt(d_model), mask)
    return _project(_merge(weights @ v), params["w_o"], params["b_o"])


@mistake("multi_head_attention", "output-projection-skipped", hint=(
    "The output projection is missing: after concatenating the heads, project them with "
    "w_o and b_o."))
def mha_output_projection_skipped(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    q = _split(_project(x_q, params["w_q"], params["b_q"]), num_heads)
    k = _split(_project(x_kv, params["w_k"], params["b_k"]), num_heads)
    v = _split(_project(x_kv, params["w_v"], params["b_v"]), num_heads)
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    return _merge(heads)


@mistake("multi_head_attention", "keys-values-from-queries", hint=(
    "Keys and values are computed from x_q; they come from x_kv. In self-attention the "
    "two are the same array, which hides this; cross-attention shows it."))
def mha_keys_values_from_queries(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    q = _split(_project(x_q, params["w_q"], params["b_q"]), num_heads)
    k = _split(_project(x_q, params["w_k"], params["b_k"]), num_heads)
    v = _split(_project(x_q, params["w_v"], params["b_v"]), num_heads)
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    return _project(_merge(heads), params["w_o"], params["b_o"])


@mistake("multi_head_attention", "mask-not-passed", hint=(
    "The mask never reaches the attention: pass it on to the scaled dot-product "
    "attention of the heads."))
def mha_mask_not_passed(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    q = _split(_project(x_q, params["w_q"], params["b_q"]), num_heads)
    k = _split(_project(x_kv, params["w_k"], params["b_k"]), num_heads)
    v = _split(_project(x_kv, params["w_v"], params["b_v"]), num_heads)
    heads, _ = scaled_dot_product_attention(q, k, v)
    return _project(_merge(heads), params["w_o"], params["b_o"])


@mistake("multi_head_attention", "weights-not-transposed", hint=(
    "The projections compute x @ W; in the torch.nn.Linear layout used here a "
    "projection is x times the transpose of W, plus b. The weights are square, so no "
    "shape error warns you."))
def mha_weights_not_transposed(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    q = _split(x_q @ params["w_q"] + params["b_q"], num_heads)
    k = _split(x_kv @ params["w_k"] + params["b_k"], num_heads)
    v = _split(x_kv @ params["w_v"] + params["b_v"], num_heads)
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    return _merge(heads) @ params["w_o"] + params["b_o"]


@mistake("multi_head_attention", "biases-dropped", hint=(
    "The biases are left out: every projection, including the output one, adds its "
    "bias (b_q, b_k, b_v, b_o)."))
def mha_biases_dropped(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)
    q = _split(x_q @ params["w_q"].T, num_heads)
    k = _split(x_kv @ params["w_k"].T, num_heads)
    v = _split(x_kv @ params["w_v"].T, num_heads)
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    return _merge(heads) @ params["w_o"].T


@mistake("multi_head_attention", "heads-strided", hint=(
    "Head h takes every num_heads-th feature; it owns the contiguous block of features "
    "from h·d_h up to (h+1)·d_h, and the heads are concatenated back in that order."))
def mha_heads_strided(x_q, x_kv, params, num_heads, mask=None):
    _heads_checked(x_q, num_heads)

    def split(y):
        y = y.reshape(*y.shape[:-1], y.shape[-1] // num_heads, num_heads)
        return np.moveaxis(y, -1, -3)

    def merge(heads):
        heads = np.moveaxis(heads, -3, -1)
        return heads.reshape(*heads.shape[:-2], -1)

    q = split(_project(x_q, params["w_q"], params["b_q"]))
    k = split(_project(x_kv, params["w_k"], params["b_k"]))
    v = split(_project(x_kv, params["w_v"], params["b_v"]))
    heads, _ = scaled_dot_product_attention(q, k, v, mask)
    return _project(merge(heads), params["w_o"], params["b_o"])
