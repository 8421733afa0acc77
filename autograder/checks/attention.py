"""Checks for ``attention.py``: scaled dot-product attention, the causal mask, and
multi-head attention (self and cross, masks, one head and several)."""
import numpy as np
import pytest

from .kit import call, case, ids

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


def _random_sdpa(rng):
    batch = tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(0, 3))))
    lq, lk, d_k, d_v = (int(n) for n in rng.integers(1, 9, size=4))
    q, k, v = qkv(rng, batch, lq, lk, d_k, d_v)
    return call(q, k, v, mask=random_mask(rng, (lq, lk)))


SDPA_CASES = [
    case("2-D inputs, no mask", lambda rng: call(*qkv(rng))),
    case("Lq != Lk and d_v != d_k", lambda rng: call(*qkv(rng, lq=3, lk=6, d_k=4, d_v=5))),
    case("a (Lq, Lk) mask broadcast over a batch",
         lambda rng: call(*qkv(rng, batch=(3,), lq=4, lk=5), mask=random_mask(rng, (4, 5)))),
    case("a query with every key masked gets weights 0 and output 0", _fully_masked_row),
    case("float32 in, float32 out",
         lambda rng: call(*qkv(rng, batch=(2,), dtype=F32), mask=random_mask(rng, (4, 4)))),
    case("a mask that is not boolean raises TypeError",
         lambda rng: call(*qkv(rng), mask=np.ones((4, 4)))),
    case("a causal mask over two batch dimensions",
         lambda rng: call(*qkv(rng, batch=(2, 3), lq=5, lk=5),
                          mask=np.tril(np.ones((5, 5), bool))), hidden=True),
    case("three batch dimensions with a (B, 1, Lq, Lk) mask",
         lambda rng: call(*qkv(rng, batch=(2, 2, 3), lq=3, lk=4, d_k=4, d_v=2),
                          mask=random_mask(rng, (2, 1, 3, 4))), hidden=True),
    case("large scores stay finite",
         lambda rng: call(*qkv(rng, lq=3, lk=6, scale=30.0)), hidden=True),
    case("an integer 0/1 mask raises TypeError",
         lambda rng: call(*qkv(rng), mask=np.ones((4, 4), dtype=np.int64)), hidden=True),
    case("random shapes and mask", _random_sdpa, weight=2, hidden=True),
]


@pytest.mark.exercise("scaled_dot_product_attention")
@pytest.mark.parametrize("case", SDPA_CASES, ids=ids(SDPA_CASES))
def test_scaled_dot_product_attention(case, grade):
    grade(case)


CAUSAL_CASES = [
    case("4 queries, 4 keys (lk omitted)", lambda rng: call(4)),
    case("a single position", lambda rng: call(1)),
    case("fewer queries than keys (3, 5)", lambda rng: call(3, 5)),
    case("more queries than keys (5, 3)", lambda rng: call(5, 3), hidden=True),
    case("lk given equal to lq", lambda rng: call(6, 6), hidden=True),
    case("a long sequence (64)", lambda rng: call(64), hidden=True),
    case("random square size", lambda rng: call(int(rng.integers(2, 20))), hidden=True),
    case("random rectangular size",
         lambda rng: call(int(rng.integers(1, 12)), int(rng.integers(1, 12))), hidden=True),
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


def mha(rng, batch=(), lq=4, lk=None, d_model=8, heads=2, mask=None, dtype=np.float64):
    x_q = rng.normal(size=(*batch, lq, d_model)).astype(dtype)
    x_kv = x_q if lk is None else rng.normal(size=(*batch, lk, d_model)).astype(dtype)
    return call(x_q, x_kv, attention_params(rng, d_model, dtype), heads, mask=mask)


MHA_CASES = [
    case("self-attention with one head", lambda rng: mha(rng, heads=1)),
    case("self-attention with two heads over a batch", lambda rng: mha(rng, batch=(3,))),
    case("cross-attention (Lq != Lk) with four heads",
         lambda rng: mha(rng, batch=(2,), lq=3, lk=6, heads=4)),
    case("a causal mask with two heads",
         lambda rng: mha(rng, batch=(2,), lq=5, mask=np.tril(np.ones((5, 5), bool)))),
    case("num_heads that does not divide d_model raises ValueError",
         lambda rng: mha(rng, d_model=6, heads=4)),
    case("float32 in, float32 out",
         lambda rng: mha(rng, batch=(2,), heads=2, dtype=F32), hidden=True),
    case("a per-head mask of shape (B, H, Lq, Lk)",
         lambda rng: mha(rng, batch=(2,), lq=3, lk=5, heads=2,
                         mask=random_mask(rng, (2, 2, 3, 5))), hidden=True),
    case("two batch dimensions, four heads",
         lambda rng: mha(rng, batch=(2, 3), lq=3, d_model=12, heads=4), hidden=True),
    case("one feature per head (d_h = 1)", lambda rng: mha(rng, d_model=4, heads=4),
         hidden=True),
    case("random cross-attention with a padding mask",
         lambda rng: mha(rng, batch=(2,), lq=int(rng.integers(2, 7)), lk=5, d_model=12,
                         heads=int(rng.choice([1, 2, 3, 6])),
                         mask=random_mask(rng, (2, 1, 1, 5))), weight=2, hidden=True),
]


@pytest.mark.exercise("multi_head_attention")
@pytest.mark.parametrize("case", MHA_CASES, ids=ids(MHA_CASES))
def test_multi_head_attention(case, grade):
    grade(case)
