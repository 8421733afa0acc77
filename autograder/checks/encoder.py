"""Checks for ``encoder.py``: layer norm, the feed-forward layer and the encoder block
(post-norm and pre-norm, masks, distinct layer-norm parameters).

Input classes, each a public case and again hidden with other values: dtype (float64,
float32) × leading dimensions (none, one, three) × magnitude (unit; float32 rows of 768
features about 1e3 from zero, where E[x²] - E[x]² loses every digit) × special values
(a constant row) × options (eps; post-norm, pre-norm; causal and padding masks; one
head and several).
"""
import numpy as np
import pytest

from .attention import attention_params, random_mask
from .kit import again, call, case, ids

F32 = np.float32


def ln(rng, shape, dtype=np.float64, offset=0.0, spread=None, **kwargs):
    d = shape[-1]
    spread = rng.uniform(0.5, 3.0) if spread is None else spread
    x = offset + rng.normal(size=shape) * spread
    gamma, beta = 1 + 0.5 * rng.normal(size=d), 0.5 * rng.normal(size=d)
    return call(*(a.astype(dtype) for a in (x, gamma, beta)), **kwargs)


LN_ROWS = case("rows of a 2-D batch", lambda rng: ln(rng, (4, 6)))
LN_FLOAT32 = case("float32 in, float32 out", lambda rng: ln(rng, (2, 3, 8), F32))
LN_EPS = case("another eps (1e-3)", lambda rng: ln(rng, (3, 5), eps=1e-3))
LN_BATCH_3 = case("three leading batch dimensions", lambda rng: ln(rng, (2, 2, 3, 4)))
LN_CONSTANT = case("a constant row (zero variance)",
                   lambda rng: call(np.full((2, 4), float(rng.uniform(-5, 5))), np.ones(4),
                                    np.zeros(4)))
LN_VECTOR = case("a single 1-D vector", lambda rng: ln(rng, (7,)))
LN_FAR = case("features far from zero (offset 1e3)", lambda rng: ln(rng, (3, 6), offset=1e3))
def _far_rows_f32(rng):
    """float32 rows of 768 features about 1e3 from zero, spread 10, as a residual stream.

    The features sit on a grid of 1/16 and each row's deviations cancel in pairs, so the
    mean is exact in float32 and every correct float32 implementation agrees to within
    the tolerance; E[x²] - E[x]² still loses three digits to x² ≈ 1e6 and fails."""
    half = np.round(16 * 10 * rng.normal(size=(4, 384))) / 16
    deviations = rng.permuted(np.concatenate([half, -half], axis=-1), axis=-1)
    gamma, beta = 1 + 0.5 * rng.normal(size=768), 0.5 * rng.normal(size=768)
    return call(*(a.astype(F32) for a in (1e3 + deviations, gamma, beta)))


LN_LONG_F32 = case("float32, 768 features about 1e3 from zero (spread 10)", _far_rows_f32,
                   weight=2)
LN_WIDE = case("one wide row (d_model 17)", lambda rng: ln(rng, (1, 17)))

LN_CASES = [
    LN_ROWS, LN_FLOAT32, LN_EPS, LN_BATCH_3, LN_CONSTANT, LN_VECTOR, LN_FAR, LN_LONG_F32,
    LN_WIDE,
    again(LN_ROWS, hidden=True),
    again(LN_FLOAT32, hidden=True),
    again(LN_EPS, hidden=True),
    again(LN_BATCH_3, hidden=True),
    again(LN_CONSTANT, hidden=True),
    again(LN_VECTOR, hidden=True),
    again(LN_FAR, hidden=True),
    again(LN_LONG_F32, hidden=True),
    again(LN_WIDE, hidden=True),
]


@pytest.mark.exercise("layer_norm")
@pytest.mark.parametrize("case", LN_CASES, ids=ids(LN_CASES))
def test_layer_norm(case, grade):
    grade(case)


def ffn_params(rng, d_model, d_ff, dtype=np.float64):
    return {"w_1": rng.normal(size=(d_ff, d_model)) / np.sqrt(d_model),
            "b_1": 0.1 * rng.normal(size=d_ff),
            "w_2": rng.normal(size=(d_model, d_ff)) / np.sqrt(d_ff),
            "b_2": 0.1 * rng.normal(size=d_model)}


def ffn(rng, shape, d_ff=16, dtype=np.float64, bias_1=0.0):
    params = ffn_params(rng, shape[-1], d_ff)
    params["b_1"] = params["b_1"] + bias_1
    x = rng.normal(size=shape)
    return call(*(a.astype(dtype) for a in (x, params["w_1"], params["b_1"],
                                            params["w_2"], params["b_2"])))


FFN_ROWS = case("tokens of a 2-D batch", lambda rng: ffn(rng, (4, 8)))
FFN_FLOAT32 = case("float32 in, float32 out", lambda rng: ffn(rng, (2, 3, 8), dtype=F32))
FFN_NEGATIVE = case("mostly negative pre-activations (ReLU matters)",
                    lambda rng: ffn(rng, (5, 6), bias_1=-0.8))
FFN_VECTOR = case("a single token", lambda rng: ffn(rng, (8,)))
FFN_BATCH_3 = case("three leading batch dimensions", lambda rng: ffn(rng, (2, 2, 2, 4), d_ff=8))
FFN_NARROW = case("d_ff smaller than d_model", lambda rng: ffn(rng, (3, 12), d_ff=4))
FFN_ODD = case("odd sizes (d_model 5, d_ff 3) over a batch",
               lambda rng: ffn(rng, (2, 3, 5), d_ff=3, dtype=F32))

FFN_CASES = [
    FFN_ROWS, FFN_FLOAT32, FFN_NEGATIVE, FFN_VECTOR, FFN_BATCH_3, FFN_NARROW, FFN_ODD,
    again(FFN_ROWS, hidden=True),
    again(FFN_FLOAT32, hidden=True),
    again(FFN_NEGATIVE, hidden=True),
    again(FFN_VECTOR, hidden=True),
    again(FFN_BATCH_3, hidden=True),
    again(FFN_NARROW, hidden=True),
    again(FFN_ODD, hidden=True),
]


@pytest.mark.exercise("feed_forward")
@pytest.mark.parametrize("case", FFN_CASES, ids=ids(FFN_CASES))
def test_feed_forward(case, grade):
    grade(case)


def block(rng, batch=(), length=4, d_model=8, heads=2, d_ff=16, dtype=np.float64,
          offset=0.0, spread=1.0, **kwargs):
    """An encoder block call whose two layer norms have distinct parameters.

    With an ``offset``, queries and keys are projected with small weights so the scores
    stay moderate: the offset tests the layer norms, not a saturated softmax."""
    params = attention_params(rng, d_model) | ffn_params(rng, d_model, d_ff)
    if offset:
        for name in ("w_q", "w_k"):
            params[name] = params[name] / (offset * spread)
    for n in (1, 2):
        params[f"ln{n}_gamma"] = 1 + 0.3 * rng.normal(size=d_model)
        params[f"ln{n}_beta"] = 0.3 * rng.normal(size=d_model)
    params = {k: v.astype(dtype) for k, v in params.items()}
    x = (offset + spread * rng.normal(size=(*batch, length, d_model))).astype(dtype)
    return call(x, params, heads, **kwargs)


BLOCK_ONE_HEAD = case("post-norm, one head", lambda rng: block(rng, heads=1))
BLOCK_POST = case("post-norm, two heads over a batch", lambda rng: block(rng, batch=(2,)))
BLOCK_PRE = case("pre-norm, two heads over a batch",
                 lambda rng: block(rng, batch=(2,), norm_first=True))
BLOCK_CAUSAL = case("post-norm with a causal mask",
                    lambda rng: block(rng, batch=(2,), length=5,
                                      mask=np.tril(np.ones((5, 5), bool))))
BLOCK_PADDING = case("pre-norm with a padding mask, three heads",
                     lambda rng: block(rng, batch=(3,), length=5, d_model=12, heads=3,
                                       norm_first=True, mask=random_mask(rng, (3, 1, 1, 5))))
BLOCK_POST_F32 = case("post-norm, float32 in, float32 out",
                      lambda rng: block(rng, batch=(2,), dtype=F32))
BLOCK_PRE_F32 = case("pre-norm, float32 in, float32 out",
                     lambda rng: block(rng, batch=(2,), dtype=F32, norm_first=True))
# The residual stream of a trained model in float32: 64 tokens of 128 features, far
# from zero; post-norm, so the layer norms see the offset. (Farther, and the float32
# rounding of x + MHA(x) alone exceeds the tolerance: see _far_rows_f32.)
BLOCK_LONG_F32 = case("post-norm, float32, 64 tokens about 1e2 from zero (spread 3)",
                      lambda rng: block(rng, batch=(1,), length=64, d_model=128, heads=4,
                                        d_ff=64, dtype=F32, offset=1e2, spread=3.0),
                      weight=2)
BLOCK_EPS = case("pre-norm, another eps (1e-3)",
                 lambda rng: block(rng, eps=1e-3, norm_first=True))
BLOCK_POST_EPS = case("post-norm, eps 0.5", lambda rng: block(rng, eps=0.5))
BLOCK_NOT_DIVISIBLE = case("num_heads that does not divide d_model raises ValueError",
                           lambda rng: block(rng, d_model=6, heads=4))
BLOCK_WIDE_FFN = case("post-norm, three heads, d_ff 30, two batch dimensions",
                      lambda rng: block(rng, batch=(2, 2), length=3, d_model=12, heads=3,
                                        d_ff=30))

BLOCK_CASES = [
    BLOCK_ONE_HEAD, BLOCK_POST, BLOCK_PRE, BLOCK_CAUSAL, BLOCK_PADDING, BLOCK_POST_F32,
    BLOCK_PRE_F32, BLOCK_LONG_F32, BLOCK_EPS, BLOCK_POST_EPS, BLOCK_NOT_DIVISIBLE,
    BLOCK_WIDE_FFN,
    again(BLOCK_ONE_HEAD, hidden=True),
    again(BLOCK_POST, hidden=True),
    again(BLOCK_PRE, hidden=True),
    again(BLOCK_CAUSAL, hidden=True),
    again(BLOCK_PADDING, hidden=True),
    again(BLOCK_POST_F32, hidden=True),
    again(BLOCK_PRE_F32, hidden=True),
    again(BLOCK_LONG_F32, hidden=True),
    again(BLOCK_EPS, hidden=True),
    again(BLOCK_POST_EPS, hidden=True),
    again(BLOCK_NOT_DIVISIBLE, hidden=True),
    again(BLOCK_WIDE_FFN, hidden=True),
]


@pytest.mark.exercise("encoder_block")
@pytest.mark.parametrize("case", BLOCK_CASES, ids=ids(BLOCK_CASES))
def test_encoder_block(case, grade):
    grade(case)


# -- The capstone's additions: gelu, and the activation option of feed_forward and
# encoder_block (BERT's feed-forward layer uses GELU). Input classes as above, plus
# magnitude (tiny, ±10 to ±40 where GELU is x or 0, float32 rows of MiniLM's 1536
# hidden units). float32 wherever GELU feeds a larger computation: the contract allows
# an erf good to 1e-6, which float64's tolerance there would not. -----------------------

def gelu_call(rng, shape, scale=3.0, dtype=np.float64):
    return call((scale * rng.normal(size=shape)).astype(dtype))


def _signed(rng, shape, low, high):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _hidden_units_f32(rng):
    """float32 rows of 1536 hidden units (MiniLM's d_ff), spread 3, a few near ±1e2."""
    h = 3 * rng.normal(size=(4, 1536))
    h[:, :8] = _signed(rng, (4, 8), 50, 150)
    return call(rng.permuted(h, axis=-1).astype(F32))


GELU_GRID = case("values from -6 to 6 (where the tanh form is off)",
                 lambda rng: call(np.linspace(-6.0, 6.0, 97)))
GELU_FLOAT32 = case("float32 in, float32 out", lambda rng: gelu_call(rng, (4, 5), dtype=F32))
GELU_ROWS = case("a 2-D batch", lambda rng: gelu_call(rng, (3, 7)))
GELU_BATCH_3 = case("three leading batch dimensions", lambda rng: gelu_call(rng, (2, 2, 3, 4)))
GELU_LARGE = case("large magnitudes (±10 to ±40)",
                  lambda rng: call(_signed(rng, (6,), 10, 40)))
GELU_TINY = case("zero and tiny values (about 1e-8)",
                 lambda rng: call(np.concatenate([[0.0], 1e-8 * rng.normal(size=5)])))
GELU_F32_GRID = case("float32 around -3 to 3", lambda rng: call(np.linspace(-3, 3, 25, dtype=F32)))
# A 0-d array: elementwise, and no axis to need. Its result may come back as a NumPy
# scalar (kit.compare_arrays takes it), as 0.5 * x * ... gives for 0-d x.
GELU_SCALAR = case("a single value (a 0-d array)",
                   lambda rng: call(np.asarray(3 * rng.normal())))
GELU_LONG_F32 = case("float32, 1536 hidden units a row (spread 3, a few near ±1e2)",
                     _hidden_units_f32, weight=2)

GELU_CASES = [
    GELU_GRID, GELU_FLOAT32, GELU_ROWS, GELU_BATCH_3, GELU_LARGE, GELU_TINY, GELU_F32_GRID,
    GELU_LONG_F32, GELU_SCALAR,
    again(GELU_FLOAT32, hidden=True),
    again(GELU_ROWS, hidden=True),
    again(GELU_BATCH_3, hidden=True),
    again(GELU_LARGE, hidden=True),
    again(GELU_TINY, hidden=True),
    again(GELU_LONG_F32, hidden=True),
    again(GELU_SCALAR, hidden=True),
]


@pytest.mark.exercise("gelu")
@pytest.mark.parametrize("case", GELU_CASES, ids=ids(GELU_CASES))
def test_gelu(case, grade):
    grade(case)


def ffn_with(rng, shape, activation, d_ff=16, dtype=F32):
    params = ffn_params(rng, shape[-1], d_ff)
    x = rng.normal(size=shape)
    return call(*(a.astype(dtype) for a in (x, params["w_1"], params["b_1"], params["w_2"],
                                            params["b_2"])), activation=activation)


FFN_GELU = case("activation='gelu', float32", lambda rng: ffn_with(rng, (4, 8), "gelu"))
FFN_RELU_NAMED = case("activation='relu' given by name",
                      lambda rng: ffn_with(rng, (3, 6), "relu", dtype=np.float64))
FFN_GELU_BATCH = case("activation='gelu' over a batch, float32",
                      lambda rng: ffn_with(rng, (2, 3, 8), "gelu"))
FFN_UNKNOWN = case("an unknown activation ('tanh') raises ValueError",
                   lambda rng: ffn_with(rng, (2, 4), "tanh"))

FFN_ACTIVATION_CASES = [
    FFN_GELU, FFN_RELU_NAMED, FFN_GELU_BATCH, FFN_UNKNOWN,
    again(FFN_GELU, hidden=True),
    again(FFN_RELU_NAMED, hidden=True),
    again(FFN_GELU_BATCH, hidden=True),
    again(FFN_UNKNOWN, hidden=True),
]


@pytest.mark.exercise("feed_forward")
@pytest.mark.parametrize("case", FFN_ACTIVATION_CASES, ids=ids(FFN_ACTIVATION_CASES))
def test_feed_forward_activation(case, grade):
    grade(case)


BLOCK_BERT = case("BERT's layer: post-norm, GELU, eps 1e-12, float32",
                  lambda rng: block(rng, batch=(2,), dtype=F32, eps=1e-12, activation="gelu"))
BLOCK_BERT_PADDING = case("BERT's layer with a padding mask, float32",
                          lambda rng: block(rng, batch=(3,), length=5, heads=4, dtype=F32,
                                            eps=1e-12, activation="gelu",
                                            mask=random_mask(rng, (3, 1, 1, 5))))
BLOCK_PRE_GELU = case("pre-norm with GELU, float32",
                      lambda rng: block(rng, batch=(2,), dtype=F32, norm_first=True,
                                        activation="gelu"))

BLOCK_ACTIVATION_CASES = [
    BLOCK_BERT, BLOCK_BERT_PADDING, BLOCK_PRE_GELU,
    again(BLOCK_BERT, hidden=True),
    again(BLOCK_BERT_PADDING, hidden=True),
    again(BLOCK_PRE_GELU, hidden=True),
]


@pytest.mark.exercise("encoder_block")
@pytest.mark.parametrize("case", BLOCK_ACTIVATION_CASES, ids=ids(BLOCK_ACTIVATION_CASES))
def test_encoder_block_activation(case, grade):
    grade(case)
