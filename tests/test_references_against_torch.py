"""The reference solutions agree with PyTorch, the contract's ground truth.

float64 throughout for tight tolerances, plus one float32 check per function
that the dtype is preserved. torch's boolean masks in ``nn.MultiheadAttention``
and ``nn.TransformerEncoderLayer`` mean True = blocked, so those get ``~mask``;
``F.scaled_dot_product_attention`` shares our polarity (True = may attend).

Observed with torch 2.13 (CPU) for a query whose keys are all masked out:
``F.scaled_dot_product_attention`` returns 0, as the contract says; but
``nn.MultiheadAttention`` with ``need_weights=True`` (its default), and the fused
"fast path" that ``nn.MultiheadAttention`` / ``nn.TransformerEncoderLayer`` take
for self-attention in eval mode under ``torch.no_grad()``, return NaN for that
row. The fully masked tests therefore call torch with autograd enabled and
``need_weights=False``, which keeps it on the ordinary SDPA path.
"""
import importlib
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is needed to cross-check the references")
F = torch.nn.functional

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
MODULES = ("softmax", "positional_encoding", "attention", "encoder")
TIGHT = dict(rtol=0, atol=1e-10)
FLOAT32 = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def ref():
    """The solutions imported as the grader does: top-level modules, folder first on sys.path."""
    saved = {name: sys.modules.pop(name) for name in MODULES if name in sys.modules}
    sys.path.insert(0, str(SOLUTIONS))
    try:
        modules = {name: importlib.import_module(name) for name in MODULES}
    finally:
        sys.path.remove(str(SOLUTIONS))
        for name in MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
    return SimpleNamespace(**modules)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def random_mask(rng, shape):
    mask = rng.random(shape) < 0.6
    mask[..., 0] = True  # every query keeps a key; fully masked rows have their own tests
    return mask


def attention_params(rng, d_model):
    params = {f"w_{n}": rng.standard_normal((d_model, d_model)) / math.sqrt(d_model) for n in "qkvo"}
    params.update({f"b_{n}": rng.standard_normal(d_model) for n in "qkvo"})
    return params


def encoder_params(rng, d_model, d_ff):
    params = attention_params(rng, d_model)
    params.update(w_1=rng.standard_normal((d_ff, d_model)) / math.sqrt(d_model), b_1=rng.standard_normal(d_ff),
                  w_2=rng.standard_normal((d_model, d_ff)) / math.sqrt(d_ff), b_2=rng.standard_normal(d_model))
    for norm in ("ln1", "ln2"):  # distinct, non-trivial affine parameters so a swapped LN shows
        params[f"{norm}_gamma"] = 1 + 0.5 * rng.standard_normal(d_model)
        params[f"{norm}_beta"] = rng.standard_normal(d_model)
    return params


def load_mha(mha, p):
    with torch.no_grad():
        mha.in_proj_weight.copy_(t(np.concatenate([p["w_q"], p["w_k"], p["w_v"]])))
        mha.in_proj_bias.copy_(t(np.concatenate([p["b_q"], p["b_k"], p["b_v"]])))
        mha.out_proj.weight.copy_(t(p["w_o"]))
        mha.out_proj.bias.copy_(t(p["b_o"]))


def torch_mha(p, num_heads, dtype=torch.float64):
    mha = torch.nn.MultiheadAttention(p["w_q"].shape[0], num_heads, batch_first=True, dtype=dtype)
    load_mha(mha, p)
    return mha.eval()


def torch_encoder_layer(p, num_heads, norm_first, dtype=torch.float64):
    d_ff, d_model = p["w_1"].shape
    layer = torch.nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, batch_first=True,
                                             norm_first=norm_first, dtype=dtype)
    load_mha(layer.self_attn, p)
    with torch.no_grad():
        for module, w, b in ((layer.linear1, "w_1", "b_1"), (layer.linear2, "w_2", "b_2"),
                             (layer.norm1, "ln1_gamma", "ln1_beta"), (layer.norm2, "ln2_gamma", "ln2_beta")):
            module.weight.copy_(t(p[w]))
            module.bias.copy_(t(p[b]))
    return layer.eval()


def torch_blocked(mask, num_heads):
    """Our (..., [H,] L, S) may-attend mask as torch's (L, S) or (B*H, L, S) blocked mask."""
    blocked = t(~mask)
    return blocked if mask.ndim == 2 else blocked.expand(-1, num_heads, -1, -1).reshape(-1, *mask.shape[-2:])


# --- softmax -------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_softmax_matches_torch_along_every_axis(ref, rng, axis):
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(ref.softmax.softmax(x, axis=axis), torch.softmax(t(x), dim=axis).numpy(), **TIGHT)


def test_softmax_of_huge_and_tiny_logits_is_finite_and_matches_torch(ref):
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0], [1e300, 0.0, -1e300]])
    ours = ref.softmax.softmax(x)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, torch.softmax(t(x), dim=-1).numpy(), **TIGHT)


def test_softmax_gives_minus_inf_weight_zero_and_an_all_minus_inf_row_nan_like_torch(ref):
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]])
    with np.errstate(all="raise"):  # and no floating-point warning escapes
        ours = ref.softmax.softmax(x)
    assert ours[0, 1] == 0.0
    assert np.isnan(ours[1]).all()
    np.testing.assert_allclose(ours, torch.softmax(t(x), dim=-1).numpy(), equal_nan=True, **TIGHT)


def test_softmax_keeps_float32_and_matches_torch(ref, rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    ours = ref.softmax.softmax(x)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, torch.softmax(t(x), dim=-1).numpy(), **FLOAT32)


# --- positional encoding -------------------------------------------------------------

@pytest.mark.parametrize("seq_len, d_model, base", [(1, 2, 1e4), (7, 6, 1e4), (50, 16, 1e4), (5, 4, 100.0)])
def test_positional_encoding_matches_the_annotated_transformer_formula_in_torch(ref, seq_len, d_model, base):
    position = torch.arange(seq_len, dtype=torch.float64)[:, None]
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * -(math.log(base) / d_model))
    expected = torch.zeros(seq_len, d_model, dtype=torch.float64)
    expected[:, 0::2] = torch.sin(position * div_term)
    expected[:, 1::2] = torch.cos(position * div_term)
    ours = ref.positional_encoding.positional_encoding(seq_len, d_model, base=base)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, expected.numpy(), **TIGHT)


# --- scaled dot-product attention ----------------------------------------------------

def torch_weights(q, k, mask=None):
    scores = t(q) @ t(k).transpose(-1, -2) / math.sqrt(q.shape[-1])
    return torch.softmax(scores if mask is None else scores.masked_fill(~t(mask), -math.inf), dim=-1).numpy()


def test_sdpa_matches_torch_for_lq_ne_lk_and_d_v_ne_d_k(ref, rng):
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 6))
    output, weights = ref.attention.scaled_dot_product_attention(q, k, v)
    assert output.shape == (2, 3, 6) and weights.shape == (2, 3, 5)
    np.testing.assert_allclose(output, F.scaled_dot_product_attention(t(q), t(k), t(v)).numpy(), **TIGHT)
    np.testing.assert_allclose(weights, torch_weights(q, k), **TIGHT)


@pytest.mark.parametrize("mask_shape", [(3, 5), (2, 1, 3, 5), (2, 4, 3, 5)])
def test_sdpa_broadcasts_a_boolean_may_attend_mask_like_torch(ref, rng, mask_shape):
    q, k, v = rng.standard_normal((2, 4, 3, 8)), rng.standard_normal((2, 4, 5, 8)), rng.standard_normal((2, 4, 5, 2))
    mask = random_mask(rng, mask_shape)
    output, weights = ref.attention.scaled_dot_product_attention(q, k, v, mask)
    expected = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=t(mask)).numpy()
    np.testing.assert_allclose(output, expected, **TIGHT)
    np.testing.assert_allclose(weights, torch_weights(q, k, mask), **TIGHT)
    assert (weights[~np.broadcast_to(mask, weights.shape)] == 0).all()


def test_sdpa_gives_a_fully_masked_query_zero_weights_and_zero_output_like_torch(ref, rng):
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 2))
    mask = random_mask(rng, (3, 5))
    mask[1] = False
    output, weights = ref.attention.scaled_dot_product_attention(q, k, v, mask)
    assert (weights[:, 1] == 0).all() and (output[:, 1] == 0).all()
    # torch 2.13's SDPA also returns exactly 0 for that row (a masked softmax alone gives NaN).
    expected = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=t(mask)).numpy()
    np.testing.assert_allclose(output, expected, **TIGHT)
    np.testing.assert_allclose(weights[:, [0, 2]], torch_weights(q, k, mask)[:, [0, 2]], **TIGHT)


def test_sdpa_keeps_float32_and_matches_torch(ref, rng):
    q, k, v = (rng.standard_normal((2, 3, 4)).astype(np.float32) for _ in range(3))
    mask = random_mask(rng, (3, 3))
    output, weights = ref.attention.scaled_dot_product_attention(q, k, v, mask)
    assert output.dtype == np.float32 and weights.dtype == np.float32
    expected = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=t(mask)).numpy()
    np.testing.assert_allclose(output, expected, **FLOAT32)


# --- causal mask ---------------------------------------------------------------------

@pytest.mark.parametrize("lq, lk", [(4, None), (3, 5), (5, 3)])
def test_causal_mask_equals_torch_lower_triangle(ref, lq, lk):
    ours = ref.attention.causal_mask(lq, lk)
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours, torch.ones(lq, lk or lq, dtype=torch.bool).tril().numpy())


@pytest.mark.parametrize("lq, lk", [(4, 4), (3, 5), (5, 3)])
def test_causal_mask_reproduces_torch_is_causal(ref, rng, lq, lk):
    q, k, v = rng.standard_normal((2, lq, 4)), rng.standard_normal((2, lk, 4)), rng.standard_normal((2, lk, 3))
    output, _ = ref.attention.scaled_dot_product_attention(q, k, v, ref.attention.causal_mask(lq, lk))
    expected = F.scaled_dot_product_attention(t(q), t(k), t(v), is_causal=True).numpy()
    np.testing.assert_allclose(output, expected, **TIGHT)


# --- multi-head attention ------------------------------------------------------------

@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_mha_self_attention_matches_torch_multihead_attention(ref, rng, num_heads):
    params, x = attention_params(rng, 8), rng.standard_normal((2, 5, 8))
    ours = ref.attention.multi_head_attention(x, x, params, num_heads)
    expected, _ = torch_mha(params, num_heads)(t(x), t(x), t(x), need_weights=False)
    np.testing.assert_allclose(ours, expected.detach().numpy(), **TIGHT)


@pytest.mark.parametrize("num_heads", [1, 4])
def test_mha_cross_attention_with_lq_ne_lk_matches_torch(ref, rng, num_heads):
    params, x_q, x_kv = attention_params(rng, 8), rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 6, 8))
    ours = ref.attention.multi_head_attention(x_q, x_kv, params, num_heads)
    assert ours.shape == (2, 3, 8)
    expected, _ = torch_mha(params, num_heads)(t(x_q), t(x_kv), t(x_kv), need_weights=False)
    np.testing.assert_allclose(ours, expected.detach().numpy(), **TIGHT)


@pytest.mark.parametrize("mask_shape", [(3, 6), (2, 1, 3, 6), (2, 2, 3, 6)])
def test_mha_may_attend_mask_is_torch_attn_mask_inverted(ref, rng, mask_shape):
    params, x_q, x_kv = attention_params(rng, 8), rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 6, 8))
    mask = random_mask(rng, mask_shape)
    ours = ref.attention.multi_head_attention(x_q, x_kv, params, 2, mask)
    expected, _ = torch_mha(params, 2)(t(x_q), t(x_kv), t(x_kv), attn_mask=torch_blocked(mask, 2),
                                        need_weights=False)
    np.testing.assert_allclose(ours, expected.detach().numpy(), **TIGHT)


def test_mha_fully_masked_query_outputs_the_output_bias_like_torch(ref, rng):
    params, x = attention_params(rng, 8), rng.standard_normal((2, 4, 8))
    mask = random_mask(rng, (4, 4))
    mask[2] = False
    ours = ref.attention.multi_head_attention(x, x, params, 2, mask)
    np.testing.assert_allclose(ours[:, 2], np.broadcast_to(params["b_o"], (2, 8)), **TIGHT)
    # Autograd on and need_weights=False: torch's fast path and need_weights=True give NaN here.
    expected, _ = torch_mha(params, 2)(t(x), t(x), t(x), attn_mask=t(~mask), need_weights=False)
    np.testing.assert_allclose(ours, expected.detach().numpy(), **TIGHT)


def test_mha_keeps_float32_and_matches_torch(ref, rng):
    params = {name: value.astype(np.float32) for name, value in attention_params(rng, 8).items()}
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    ours = ref.attention.multi_head_attention(x, x, params, 2)
    assert ours.dtype == np.float32
    expected, _ = torch_mha(params, 2, torch.float32)(t(x), t(x), t(x), need_weights=False)
    np.testing.assert_allclose(ours, expected.detach().numpy(), **FLOAT32)


# --- encoder -------------------------------------------------------------------------

@pytest.mark.parametrize("eps", [1e-5, 0.5])
def test_layer_norm_matches_torch_with_eps_inside_the_square_root(ref, rng, eps):
    x = 0.1 * rng.standard_normal((2, 3, 6))  # small variance, so eps=0.5 dominates if misplaced
    gamma, beta = 1 + rng.standard_normal(6), rng.standard_normal(6)
    expected = F.layer_norm(t(x), (6,), t(gamma), t(beta), eps=eps).numpy()
    np.testing.assert_allclose(ref.encoder.layer_norm(x, gamma, beta, eps=eps), expected, **TIGHT)


def test_layer_norm_keeps_float32_and_matches_torch(ref, rng):
    x, gamma, beta = (rng.standard_normal(s).astype(np.float32) for s in ((3, 6), 6, 6))
    ours = ref.encoder.layer_norm(x, gamma, beta)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, F.layer_norm(t(x), (6,), t(gamma), t(beta)).numpy(), **FLOAT32)


@pytest.mark.parametrize("dtype, tol", [(np.float64, TIGHT), (np.float32, FLOAT32)])
def test_feed_forward_matches_torch_linear_relu_linear(ref, rng, dtype, tol):
    x, w_1, b_1, w_2, b_2 = (rng.standard_normal(s).astype(dtype) for s in ((2, 3, 4), (8, 4), 8, (4, 8), 4))
    ours = ref.encoder.feed_forward(x, w_1, b_1, w_2, b_2)
    assert ours.dtype == dtype
    expected = F.linear(F.relu(F.linear(t(x), t(w_1), t(b_1))), t(w_2), t(b_2)).numpy()
    np.testing.assert_allclose(ours, expected, **tol)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("mask_shape", [None, (5, 5), (2, 2, 5, 5)])
def test_encoder_block_matches_torch_transformer_encoder_layer(ref, rng, norm_first, mask_shape):
    params, x = encoder_params(rng, 8, 16), rng.standard_normal((2, 5, 8))
    mask = None if mask_shape is None else random_mask(rng, mask_shape)
    ours = ref.encoder.encoder_block(x, params, 2, mask=mask, norm_first=norm_first)
    layer = torch_encoder_layer(params, 2, norm_first)
    with torch.no_grad():
        expected = layer(t(x), src_mask=None if mask is None else torch_blocked(mask, 2)).numpy()
    np.testing.assert_allclose(ours, expected, **TIGHT)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_block_fully_masked_query_matches_torch_ordinary_path(ref, rng, norm_first):
    params, x = encoder_params(rng, 8, 16), rng.standard_normal((2, 4, 8))
    mask = random_mask(rng, (4, 4))
    mask[1] = False
    ours = ref.encoder.encoder_block(x, params, 2, mask=mask, norm_first=norm_first)
    assert np.isfinite(ours).all()
    # Autograd left on: under torch.no_grad() the eval-mode fast path returns NaN for row 1.
    expected = torch_encoder_layer(params, 2, norm_first)(t(x), src_mask=t(~mask)).detach().numpy()
    np.testing.assert_allclose(ours, expected, **TIGHT)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_block_keeps_float32_and_matches_torch(ref, rng, norm_first):
    params = {name: value.astype(np.float32) for name, value in encoder_params(rng, 8, 16).items()}
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    ours = ref.encoder.encoder_block(x, params, 2, norm_first=norm_first)
    assert ours.dtype == np.float32
    with torch.no_grad():
        expected = torch_encoder_layer(params, 2, norm_first, torch.float32)(t(x)).numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-4)
