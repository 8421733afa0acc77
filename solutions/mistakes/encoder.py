"""Known mistakes in ``encoder.py`` (see ``softmax.py`` here for the format).

The variants are appended to a copy of ``solutions/encoder.py``: in an encoder-block
variant, ``layer_norm`` and ``feed_forward`` are the reference ones.
"""
import math

import numpy as np

from attention import multi_head_attention


# -- layer_norm ---------------------------------------------------------------------

@mistake("layer_norm", "unbiased-variance", hint=(
    "You use the unbiased variance (dividing by n - 1); layer norm uses the biased one, "
    "the plain mean of the squared deviations (dividing by n), as torch does."))
def ln_unbiased_variance(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True, ddof=1)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


@mistake("layer_norm", "eps-outside-sqrt", hint=(
    "eps is added after the square root; it belongs inside it: divide by the square "
    "root of (variance + eps)."))
def ln_eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    return gamma * (x - mean) / (x.std(axis=-1, keepdims=True) + eps) + beta


@mistake("layer_norm", "eps-missing", hint=(
    "eps is missing: divide by the square root of (variance + eps), not by the standard "
    "deviation alone (a constant row would divide by zero)."))
def ln_eps_missing(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    return gamma * (x - mean) / x.std(axis=-1, keepdims=True) + beta


@mistake("layer_norm", "first-axis", hint=(
    "You normalise along the first axis; layer norm uses the mean and variance of each "
    "position's own features, along the last axis."))
def ln_first_axis(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


@mistake("layer_norm", "whole-array-statistics", hint=(
    "You take the mean and variance of the whole array; layer norm normalises each "
    "position on its own, with the statistics of its features along the last axis."))
def ln_whole_array_statistics(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta


@mistake("layer_norm", "gamma-beta-ignored", hint=(
    "gamma and beta are not applied: scale the normalised values by gamma, then add "
    "beta."))
def ln_gamma_beta_ignored(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


@mistake("layer_norm", "gamma-beta-swapped", hint=(
    "gamma and beta are swapped: gamma multiplies the normalised values and beta is "
    "added."))
def ln_gamma_beta_swapped(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return beta * (x - mean) / np.sqrt(var + eps) + gamma


@mistake("layer_norm", "float64-output", hint=(
    "float32 in gives float64 out: you convert to float64 and never convert back. "
    "Computing in float64 is fine; return the input's dtype."))
def ln_float64_output(x, gamma, beta, eps=1e-5):
    x = x.astype(np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


# -- feed_forward -------------------------------------------------------------------

@mistake("feed_forward", "no-relu", hint=(
    "The ReLU is missing: the hidden layer goes through max(0, .) between the two "
    "linear maps; without it the two maps collapse into one linear map."))
def ffn_no_relu(x, w_1, b_1, w_2, b_2, activation="relu"):
    return (x @ w_1.T + b_1) @ w_2.T + b_2


@mistake("feed_forward", "weights-not-transposed", hint=(
    "The weights are used as x @ w_1; in the torch.nn.Linear layout w_1 has shape "
    "(d_ff, d_model), so x is multiplied by its transpose (and likewise for w_2). It "
    "only runs at all when d_ff equals d_model."))
def ffn_weights_not_transposed(x, w_1, b_1, w_2, b_2, activation="relu"):
    return np.maximum(x @ w_1 + b_1, 0) @ w_2 + b_2


@mistake("feed_forward", "relu-on-output", hint=(
    "The ReLU is also applied to the output; it belongs to the hidden layer only, right "
    "after the first linear map."))
def ffn_relu_on_output(x, w_1, b_1, w_2, b_2, activation="relu"):
    return np.maximum(np.maximum(x @ w_1.T + b_1, 0) @ w_2.T + b_2, 0)


@mistake("feed_forward", "bias-after-relu", hint=(
    "b_1 is added after the ReLU; it belongs inside, to the first linear map, before "
    "the ReLU."))
def ffn_bias_after_relu(x, w_1, b_1, w_2, b_2, activation="relu"):
    return (np.maximum(x @ w_1.T, 0) + b_1) @ w_2.T + b_2


# -- encoder_block ------------------------------------------------------------------

def _parts(params, num_heads, mask, eps, activation="relu"):
    """The block's sub-layers, as the reference builds them (mha, ffn, ln1, ln2)."""
    return (lambda h: multi_head_attention(h, h, params, num_heads, mask),
            lambda h: feed_forward(h, params["w_1"], params["b_1"], params["w_2"], params["b_2"],
                                   activation),
            lambda h: layer_norm(h, params["ln1_gamma"], params["ln1_beta"], eps),
            lambda h: layer_norm(h, params["ln2_gamma"], params["ln2_beta"], eps))


@mistake("encoder_block", "norm-placement-swapped", hint=(
    "Pre-norm and post-norm are swapped: by default (norm_first=False, post-norm) each "
    "layer norm comes after its residual addition; with norm_first=True it is applied "
    "to the sub-layer's input."))
def block_norm_placement_swapped(x, params, num_heads, mask=None, norm_first=False,
    eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    if not norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))


@mistake("encoder_block", "norm-first-ignored", hint=(
    "norm_first is ignored, so you always compute post-norm. With norm_first=True, "
    "normalise each sub-layer's input and add its output to the un-normalised x."))
def block_norm_first_ignored(x, params, num_heads, mask=None, norm_first=False,
    eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))


@mistake("encoder_block", "mask-not-passed", hint=(
    "The mask is not passed on to the multi-head attention, so every position sees "
    "every other one."))
def block_mask_not_passed(x, params, num_heads, mask=None, norm_first=False,
    eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, None, eps, activation)
    if norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))


@mistake("encoder_block", "attention-residual-missing", hint=(
    "The residual connection around the attention is missing: add the sub-layer's input "
    "back to its output, x + MHA(...)."))
def block_attention_residual_missing(x, params, num_heads, mask=None, norm_first=False,
                                     eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    if norm_first:
        x = mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(mha(x))
    return ln2(x + ffn(x))


@mistake("encoder_block", "feed-forward-residual-missing", hint=(
    "The residual connection around the feed-forward layer is missing: add its input "
    "back to its output, x + FFN(...)."))
def block_feed_forward_residual_missing(x, params, num_heads, mask=None, norm_first=False,
                                        eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    if norm_first:
        x = x + mha(ln1(x))
        return ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(ffn(x))


@mistake("encoder_block", "norm-on-branch", hint=(
    "In post-norm you normalise the sub-layer's output before adding it back; the layer "
    "norm applies to the sum, LN(x + Sublayer(x))."))
def block_norm_on_branch(x, params, num_heads, mask=None, norm_first=False,
    eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    if norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = x + ln1(mha(x))
    return x + ln2(ffn(x))


@mistake("encoder_block", "layer-norms-swapped", hint=(
    "The two layer norms are swapped: ln1 (ln1_gamma, ln1_beta) goes with the attention "
    "sub-layer and ln2 with the feed-forward one."))
def block_layer_norms_swapped(x, params, num_heads, mask=None, norm_first=False,
    eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    if norm_first:
        x = x + mha(ln2(x))
        return x + ffn(ln1(x))
    x = ln2(x + mha(x))
    return ln1(x + ffn(x))


@mistake("encoder_block", "eps-not-passed", hint=(
    "eps is not passed on to the layer norms, so a non-default eps has no effect."))
def block_eps_not_passed(x, params, num_heads, mask=None, norm_first=False,
    eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, 1e-5, activation)
    if norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))


@mistake("encoder_block", "pre-norm-residual-normalised", hint=(
    "In pre-norm the residual adds the normalised input; the sub-layer's output is added "
    "to the original x, x + MHA(LN1(x)), so the residual path is never normalised."))
def block_pre_norm_residual_normalised(x, params, num_heads, mask=None, norm_first=False,
                                       eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps, activation)
    if norm_first:
        h = ln1(x)
        x = h + mha(h)
        h = ln2(x)
        return h + ffn(h)
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))


# -- gelu and the activation option (the capstone) ----------------------------------

@mistake("gelu", "tanh-approximation", hint=(
    "You use the tanh approximation of GELU (GPT-2's); BERT and this course use the exact "
    "0.5 x (1 + erf(x / sqrt(2))), and the tanh form is off by up to 5e-4. Use an erf "
    "that is accurate to 1e-6 (math.erf per element, or a published polynomial)."))
def gelu_tanh_approximation(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


@mistake("gelu", "sigmoid-approximation", hint=(
    "You use the sigmoid approximation x * sigmoid(1.702 x); it is off by up to 2e-2. "
    "GELU is x times the normal distribution's CDF: 0.5 x (1 + erf(x / sqrt(2)))."))
def gelu_sigmoid_approximation(x):
    return x / (1 + np.exp(-1.702 * x))


@mistake("gelu", "erf-without-sqrt2", hint=(
    "erf's argument is x / sqrt(2), not x: GELU is x times the standard normal CDF, "
    "0.5 (1 + erf(x / sqrt(2)))."))
def gelu_erf_without_sqrt2(x):
    p, a = 0.3275911, (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
    z = np.abs(x)
    t = 1 / (1 + p * z)
    poly = t * (a[4] + t * (a[3] + t * (a[2] + t * (a[1] + t * a[0]))))
    return 0.5 * x * (1 + np.copysign(1 - poly * np.exp(-z * z), x))


@mistake("gelu", "float64-output", hint=(
    "float32 in gives float64 out: a float64 value promotes your result (math.erf's "
    "results gathered by np.vectorize or a loop are float64, as is a np.float64 "
    "constant). Keep x's dtype: cast the erf values, or the result, back to x.dtype."))
def gelu_float64_output(x):
    # math.erf per element, the contract's first suggestion, without the cast back.
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


@mistake("feed_forward", "activation-ignored", hint=(
    "activation is ignored: with activation=\"gelu\" the hidden layer goes through gelu "
    "instead of relu (and an unknown activation should raise ValueError)."))
def ffn_activation_ignored(x, w_1, b_1, w_2, b_2, activation="relu"):
    return np.maximum(x @ w_1.T + b_1, 0) @ w_2.T + b_2


@mistake("encoder_block", "activation-not-passed", hint=(
    "activation is not passed on to feed_forward, so the block always uses relu; BERT's "
    "layers (activation=\"gelu\") need it."))
def block_activation_not_passed(x, params, num_heads, mask=None, norm_first=False,
                                eps=1e-5, activation="relu"):
    mha, ffn, ln1, ln2 = _parts(params, num_heads, mask, eps)
    if norm_first:
        x = x + mha(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + mha(x))
    return ln2(x + ffn(x))
