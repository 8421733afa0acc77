"""Checks for ``attention.py``: scaled dot-product attention, the causal mask, and
multi-head attention (self and cross, masks, one head and several)."""
import numpy as np
import pytest

from .kit import again, call, case, ids

F32 = np.float32


def qkv(rng, batch=(), lq=4, lk=4, d_k=8, d_v=8, dtype=np.float64, scale=1.0):
    """Random queries, keys and values with the given shapes."""
    return tuple((scale * rng.normal(size=(*batch, n, d))).astype(dtype)
                 for n, d in ((lq, d_k), (lk, d_k), (lk, d_v)))


def random_mask(rng, shape, keep=0.6):
    mask = rng.random(shape) < keep
    mask[..., 0] = True  # every query keeps at least one key unless a case says otherwise
    return mask


def _fully_masked_row(rng):
    q, k, v = qkv(rng, batch=(2,), lq=3, lk=5)
    mask = random_mask(rng, (2, 3, 5))
    mask[1, 2] = False
    return call(q, k, v, mask=mask)


def _long_f32(rng):
    # A trained model's attention: float32, 512 keys, q·k/sqrt(d_k) over about ±20. Much
    # sharper, and float32 rounding of the scores alone moves the weights past the
    # tolerance; the overflow of large logits is softmax's own class (1e3, 1e4).
    q, k, v = qkv(rng, batch=(2,), lq=4, lk=512, d_k=64, d_v=8, dtype=F32, scale=2.0)
    return call(q, k, v, mask=random_mask(rng, (4, 512), keep=0.9))


NO_MASK = case("2-D inputs, no mask", lambda rng: call(*qkv(rng)))
RECTANGULAR = case("Lq != Lk and d_v != d_k",
                   lambda rng: call(*qkv(rng, lq=3, lk=6, d_k=4, d_v=5)))
MORE_QUERIES = case("more queries than keys (Lq 6, Lk 2) over a batch",
                    lambda rng: call(*qkv(rng, batch=(2,), lq=6, lk=2, d_k=3, d_v=4)))
ONE_QUERY = case("one query, one feature (Lq 1, d_k 1)",
                 lambda rng: call(*qkv(rng, batch=(3,), lq=1, lk=5, d_k=1, d_v=2)))
ONE_KEY = case("one key (Lk 1)", lambda rng: call(*qkv(rng, lq=4, lk=1, d_k=3, d_v=3)))
BROADCAST_MASK = case("a (Lq, Lk) mask broadcast over a batch",
                      lambda rng: call(*qkv(rng, batch=(3,), lq=4, lk=5),
                                       mask=random_mask(rng, (4, 5))))
FULLY_MASKED = case("a query with every key masked gets weights 0 and output 0",
                    _fully_masked_row)
FLOAT32 = case("float32 in, float32 out",
               lambda rng: call(*qkv(rng, batch=(2,), dtype=F32), mask=random_mask(rng, (4, 4))))
LONG_F32 = case("float32, 512 keys, scores of about ±20", _long_f32, weight=2)
FLOAT_MASK = case("a mask that is not boolean raises TypeError",
                  lambda rng: call(*qkv(rng), mask=np.ones((4, 4))))
INT_MASK = case("an integer 0/1 mask raises TypeError",
                lambda rng: call(*qkv(rng), mask=np.ones((4, 4), dtype=np.int64)))
CAUSAL_2 = case("a causal mask over two batch dimensions",
                lambda rng: call(*qkv(rng, batch=(2, 3), lq=5, lk=5),
                                 mask=np.tril(np.ones((5, 5), bool))))
BATCH_3 = case("three batch dimensions with a (B, 1, Lq, Lk) mask",
               lambda rng: call(*qkv(rng, batch=(2, 2, 3), lq=3, lk=4, d_k=4, d_v=2),
                                mask=random_mask(rng, (2, 1, 3, 4))))
LARGE_F64 = case("large scores stay finite", lambda rng: call(*qkv(rng, lq=3, lk=6, scale=30.0)))

SDPA_CASES = [
    NO_MASK, RECTANGULAR, MORE_QUERIES, ONE_QUERY, ONE_KEY, BROADCAST_MASK, FULLY_MASKED,
    FLOAT32, LONG_F32, FLOAT_MASK, INT_MASK, CAUSAL_2, BATCH_3, LARGE_F64,
    again(NO_MASK, hidden=True),
    again(RECTANGULAR, hidden=True),
    again(MORE_QUERIES, hidden=True),
    again(ONE_QUERY, hidden=True),
    again(ONE_KEY, hidden=True),
    again(BROADCAST_MASK, hidden=True),
    again(FULLY_MASKED, hidden=True),
    again(FLOAT32, hidden=True),
    again(LONG_F32, hidden=True),
    again(FLOAT_MASK, hidden=True),
    again(INT_MASK, hidden=True),
    again(CAUSAL_2, hidden=True),
    again(BATCH_3, hidden=True),
    again(LARGE_F64, hidden=True),
]


@pytest.mark.exercise("scaled_dot_product_attention")
@pytest.mark.parametrize("case", SDPA_CASES, ids=ids(SDPA_CASES))
def test_scaled_dot_product_attention(case, grade):
    grade(case)


# causal_mask has sizes and nothing else: each class is a relation between lq and lk,
# and its hidden repeat is the same relation at other sizes.
MASK_SQUARE = case("4 queries, 4 keys (lk omitted)", lambda rng: call(4))
MASK_SINGLE = case("a single position", lambda rng: call(1))
MASK_FEWER_QUERIES = case("fewer queries than keys (3, 5)", lambda rng: call(3, 5))
MASK_MORE_QUERIES = case("more queries than keys (5, 3)", lambda rng: call(5, 3))
MASK_SAME = case("lk given equal to lq", lambda rng: call(6, 6))
MASK_LONG = case("a long sequence (64)", lambda rng: call(64))

CAUSAL_CASES = [
    MASK_SQUARE, MASK_SINGLE, MASK_FEWER_QUERIES, MASK_MORE_QUERIES, MASK_SAME, MASK_LONG,
    again(MASK_SQUARE, name="9 queries, 9 keys (lk omitted)", make=lambda rng: call(9),
          hidden=True),
    again(MASK_FEWER_QUERIES, name="fewer queries than keys (1, 7)",
          make=lambda rng: call(1, 7), hidden=True),
    again(MASK_MORE_QUERIES, name="more queries than keys (11, 4)",
          make=lambda rng: call(11, 4), hidden=True),
    again(MASK_SAME, name="lk given equal to lq (2, 2)", make=lambda rng: call(2, 2),
          hidden=True),
    again(MASK_LONG, name="a long sequence (200, 180)", make=lambda rng: call(200, 180),
          hidden=True),
]


@pytest.mark.exercise("causal_mask")
@pytest.mark.parametrize("case", CAUSAL_CASES, ids=ids(CAUSAL_CASES))
def test_causal_mask(case, grade):
    grade(case)


def attention_params(rng, d_model, dtype=np.float64):
    """Projection weights in the torch.nn.Linear layout (``x @ W.T + b``)."""
    scale = 1 / np.sqrt(d_model)
    params = {f"w_{n}": scale * rng.normal(size=(d_model, d_model)) for n in "qkvo"}
    params |= {f"b_{n}": 0.1 * rng.normal(size=d_model) for n in "qkvo"}
    return {name: value.astype(dtype) for name, value in params.items()}


def mha(rng, batch=(), lq=4, lk=None, d_model=8, heads=2, mask=None, dtype=np.float64,
        qk_scale=1.0):
    """A multi-head attention call; ``qk_scale`` scales w_q and w_k (and so the scores
    by its square), as the sharp attention of a trained model does."""
    x_q = rng.normal(size=(*batch, lq, d_model)).astype(dtype)
    x_kv = x_q if lk is None else rng.normal(size=(*batch, lk, d_model)).astype(dtype)
    params = attention_params(rng, d_model, dtype)
    for name in ("w_q", "w_k"):
        params[name] = (qk_scale * params[name]).astype(dtype)
    return call(x_q, x_kv, params, heads, mask=mask)


MHA_ONE_HEAD = case("self-attention with one head", lambda rng: mha(rng, heads=1))
MHA_TWO_HEADS = case("self-attention with two heads over a batch",
                     lambda rng: mha(rng, batch=(3,)))
MHA_CROSS = case("cross-attention (Lq != Lk) with four heads",
                 lambda rng: mha(rng, batch=(2,), lq=3, lk=6, heads=4))
MHA_CROSS_MORE_QUERIES = case(
    "cross-attention with more queries than keys, three heads",
    lambda rng: mha(rng, batch=(2,), lq=6, lk=2, d_model=12, heads=3))
MHA_CAUSAL = case("a causal mask with two heads",
                  lambda rng: mha(rng, batch=(2,), lq=5, mask=np.tril(np.ones((5, 5), bool))))
MHA_PADDING = case("cross-attention with a (B, 1, 1, Lk) padding mask, six heads",
                   lambda rng: mha(rng, batch=(2,), lq=4, lk=5, d_model=12, heads=6,
                                   mask=random_mask(rng, (2, 1, 1, 5))))
MHA_PER_HEAD = case("a per-head mask of shape (B, H, Lq, Lk)",
                    lambda rng: mha(rng, batch=(2,), lq=3, lk=5, heads=2,
                                    mask=random_mask(rng, (2, 2, 3, 5))))
MHA_NOT_DIVISIBLE = case("num_heads that does not divide d_model raises ValueError",
                         lambda rng: mha(rng, d_model=6, heads=4))
MHA_FLOAT32 = case("float32 in, float32 out",
                   lambda rng: mha(rng, batch=(2,), heads=2, dtype=F32))
MHA_LONG_F32 = case("float32, 256 tokens, scores of about ±20, four heads",
                    lambda rng: mha(rng, batch=(1,), lq=256, d_model=32, heads=4, dtype=F32,
                                    qk_scale=2.0), weight=2)
MHA_BATCH_2 = case("two batch dimensions, four heads",
                   lambda rng: mha(rng, batch=(2, 3), lq=3, d_model=12, heads=4))
MHA_D_H_1 = case("one feature per head (d_h = 1)", lambda rng: mha(rng, d_model=4, heads=4))

MHA_CASES = [
    MHA_ONE_HEAD, MHA_TWO_HEADS, MHA_CROSS, MHA_CROSS_MORE_QUERIES, MHA_CAUSAL, MHA_PADDING,
    MHA_PER_HEAD, MHA_NOT_DIVISIBLE, MHA_FLOAT32, MHA_LONG_F32, MHA_BATCH_2, MHA_D_H_1,
    again(MHA_ONE_HEAD, hidden=True),
    again(MHA_TWO_HEADS, hidden=True),
    again(MHA_CROSS, hidden=True),
    again(MHA_CROSS_MORE_QUERIES, hidden=True),
    again(MHA_CAUSAL, hidden=True),
    again(MHA_PADDING, hidden=True),
    again(MHA_PER_HEAD, hidden=True),
    again(MHA_NOT_DIVISIBLE, hidden=True),
    again(MHA_FLOAT32, hidden=True),
    again(MHA_LONG_F32, hidden=True),
    again(MHA_BATCH_2, hidden=True),
    again(MHA_D_H_1, hidden=True),
]


@pytest.mark.exercise("multi_head_attention")
@pytest.mark.parametrize("case", MHA_CASES, ids=ids(MHA_CASES))
def test_multi_head_attention(case, grade):
    grade(case)
